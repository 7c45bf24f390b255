"""The window's acts on a case (handlers of ``transitions.TABLE``): the check of an application that
came online or from an agent (受理 / 一次性告知补正 / 补正后受理 / 不予受理), and the output
(统一出件 / 送达签收 / 撤回)."""

from __future__ import annotations

from onewindow.cases.deadlines import DEEMED_NOTE, NOTICE_DAYS, notice_due
from onewindow.cases.models import Delivery, State
from onewindow.cases.services.acceptance import accept, deem_accepted, last_material_arrival
from onewindow.cases.services.checks import check_materials
from onewindow.cases.services.steps import Step
from onewindow.core.errors import Conflict, Invalid
from onewindow.org.models import Role


def accept_handler(step: Step) -> None:
    """受理: every required material is there; the deadline starts (from receipt once the 5 days passed)."""
    case, given = step.case, step.inputs.materials
    checklist, missing = check_materials(case.item_version, given if given is not None else case.materials)
    if missing:
        raise Invalid(
            "仍有必需材料未提交，请出具一次性告知书",
            code="materials_missing",
            details={"missing": missing},
        )
    step.changes.update(materials=checklist)
    if case.state == State.SUBMITTED and step.today > notice_due(case):
        deem_accepted(case, now=step.now)  # checked after the 5 days: counts from receipt all the same
        step.changes["deemed_accepted"] = True
        step.note = (step.note or "").strip() or DEEMED_NOTE
        step.data["deemed"] = True
    else:
        accept(case, now=step.now, today=step.today)
    step.record_acceptance()


def correction_handler(step: Step) -> None:
    """一次性告知补正 / 补正后受理: accepted once complete, otherwise the (one) notice of what is missing."""
    case, action = step.case, step.action
    given = step.inputs.materials if step.inputs.materials is not None else case.materials
    if action == "supplement":
        merged = {m["code"]: dict(m) for m in case.materials}
        for m in given:
            entry = merged.setdefault(str(m.get("code")), {})
            was_missing, old_note = not entry.get("provided"), str(entry.get("note") or "").strip()
            entry.update({k: v for k, v in m.items() if k in {"code", "provided", "note"}})
            if entry.get("provided") and was_missing and str(entry.get("note") or "").strip() == old_note:
                entry["note"] = ""  # received now: why it was missing is no longer true
        given = list(merged.values())
    checklist, missing = check_materials(case.item_version, given)
    step.changes["materials"] = checklist
    if action == "supplement" and not missing:
        # acceptance day = the day the last missing material arrived (online or at the window),
        # not the day the clerk records it
        accept(case, now=step.now, today=last_material_arrival(case, step.today))
        step.record_acceptance()
        return
    if not missing:
        raise Invalid("材料齐全，无需补正，请直接受理", code="materials_complete")
    if case.state == State.SUBMITTED and step.today > notice_due(case):
        raise Conflict(
            f"收到材料已超过{NOTICE_DAYS}个工作日未告知，依法自收到材料之日起即为受理，不能再要求补正",
            code="notice_period_passed",
            details={"notice_due": notice_due(case).isoformat()},
        )
    if case.correction_count >= 1:
        override_reason = step.inputs.override_reason
        if Role.CENTRE_HEAD not in step.roles or not override_reason.strip():
            raise Conflict(
                "一次性告知已出具，不得再次要求补正；确需再次告知的，须由中心负责人批准并写明理由",
                code="second_notice_refused",
                details={"missing": missing},
            )
        step.changes["correction_overrides"] = case.correction_overrides + 1
        step.data["override_reason"] = override_reason.strip()
    step.changes["correction_count"] = case.correction_count + 1
    step.changes["notice"] = {"kind": "correction", "missing": missing, "issued_at": step.now.isoformat()}
    step.target = State.CORRECTION_NEEDED
    step.action = "correction_override" if case.correction_count >= 1 else "request_correction"
    step.data["missing"] = missing


def reject_handler(step: Step) -> None:
    """不予受理: told in writing with the reason and its legal basis."""
    reason, basis = step.inputs.reason.strip(), step.basis.strip()
    step.changes.update(
        decision_reason=reason,
        decided_at=step.now,
        notice={"kind": "rejection", "reason": reason, "basis": basis},
    )
    step.data["basis"] = basis


def ready_handler(step: Step) -> None:
    step.changes["ready_at"] = step.now


def deliver_handler(step: Step) -> None:
    """送达签收: at the window, by post (with its tracking number) or through the village agent."""
    to, signed_by, tracking = step.inputs.to, step.inputs.signed_by, step.inputs.tracking_number
    if to not in Delivery.values:
        raise Invalid("请选择送达方式：window / post / agent", code="invalid", details={"to": ["必填"]})
    if to == Delivery.POST and not tracking.strip():
        raise Invalid("邮寄送达须填写邮寄单号", code="invalid", details={"tracking_number": ["必填"]})
    if to != Delivery.POST and not signed_by.strip():
        raise Invalid("请填写签收人", code="invalid", details={"signed_by": ["必填"]})
    step.changes.update(
        delivered_at=step.now,
        delivery=to,
        signed_by=signed_by.strip()[:50],
        tracking_number=tracking.strip()[:50],
    )
    step.data.update(to=to, signed_by=signed_by.strip(), tracking_number=tracking.strip())


def withdraw_handler(step: Step) -> None:
    step.changes["decided_at"] = step.now
