"""The applicant's side of a case: staff correct THIS case's applicant snapshot (更正申请人信息), and the
resident hands in corrected materials online (补正材料已提交)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import F

from onewindow.cases.models import Case, State
from onewindow.cases.selectors import applicant_display, case_handled_by
from onewindow.cases.services.base import (
    RESIDENT_ROLE,
    acting_role_of,
    append_event,
    case_get_for_user,
    self_service_resident,
    staff_context,
)
from onewindow.core.actor import Actor
from onewindow.core.errors import Conflict, Forbidden, Invalid, NotFound
from onewindow.core.locking import retry_atomic
from onewindow.org.models import ResidentKind, Role
from onewindow.privacy import identifiers
from onewindow.privacy.crypto import phone_blind_index
from onewindow.privacy.masking import mask_address, mask_name, mask_phone
from onewindow.privacy.services import personal_data_access_log

CORRECTION_ROLES = frozenset({Role.CLERK, Role.CENTRE_HEAD, Role.REVIEWER, Role.DEPT_HEAD})
SNAPSHOT_FIELDS = ("name", "phone", "address")


def applicant_shown(actor: Actor, case: Case, ip: str | None) -> dict[str, Any]:
    """The case's applicant as ``actor`` sees it (page and API): in full when they handle the case
    (``case_handled_by``), the full view logged first (``personal_data_access_log``); masked otherwise."""
    full = case_handled_by(actor, case)
    if full:
        personal_data_access_log(
            actor=actor.user,
            obj=case.applicant,
            fields=["id_number", "phone", "address"],
            purpose=f"办件 {case.number}",
            ip=ip,
        )
    return applicant_display(case, full)


@retry_atomic
def case_applicant_correct(
    *,
    actor: Actor,
    number: str,
    reason: str,
    name: str | None = None,
    phone: str | None = None,
    address: str | None = None,
) -> Case:
    """更正申请人信息: correct THIS case's applicant snapshot (name, phone, address as given at intake).

    Only staff who handle the case (own centre, own department's queue or assignee; see
    ``selectors.case_handled_by``) may do it, with a reason; it is recorded on the case timeline
    (action ``applicant_correction``, the changed fields and their masked values, no clear personal
    data). The resident record and every other case stay as they are. The ID number is not
    corrected here: another number is another person (withdraw and take the application in again).
    """
    staff, roles = staff_context(actor)
    case = case_get_for_user(actor, number, for_update=True)
    if not set(roles) & CORRECTION_ROLES or not case_handled_by(actor, case):
        raise Forbidden("只有办理该办件的工作人员可以更正申请人信息", code="not_case_handler")
    reason = (reason or "").strip()
    old = _snapshot(case)
    new = _corrected(case, reason, name=name, phone=phone, address=address)
    changed = [f for f in SNAPSHOT_FIELDS if (old[f] or "") != (new[f] or "")]
    if not changed:
        raise Invalid("申请人信息没有变化", code="nothing_changed", details={"name": ["没有变化"]})
    updated = Case.objects.filter(pk=case.pk, version=case.version).update(
        applicant_name=new["name"],
        applicant_phone=new["phone"],
        applicant_phone_index=phone_blind_index(new["phone"] or ""),
        applicant_address=new["address"],
        version=F("version") + 1,
    )
    if not updated:
        raise Conflict("办件已被他人处理，请刷新后重试", code="conflict")
    person = case.applicant_kind == ResidentKind.PERSON
    masks: dict[str, Callable[[str], str]] = {
        "name": (lambda v: mask_name(v) if person else v),
        "phone": mask_phone,
        "address": mask_address,
    }
    case.refresh_from_db()
    append_event(
        case,
        actor=actor,
        staff=staff,
        role=acting_role_of(roles, CORRECTION_ROLES),
        action="applicant_correction",
        state_from=case.state,
        state_to=case.state,
        note=reason,
        data={
            "fields": changed,
            "before": {f: masks[f](old[f] or "") for f in changed},
            "after": {f: masks[f](new[f] or "") for f in changed},
        },
    )
    return case


def _snapshot(case: Case) -> dict[str, Any]:
    return {"name": case.applicant_name, "phone": case.applicant_phone, "address": case.applicant_address}


def _corrected(
    case: Case, reason: str, *, name: str | None, phone: str | None, address: str | None
) -> dict[str, Any]:
    """The snapshot with the given fields checked and applied (422 naming every wrong field)."""
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = ["请写明更正理由"]
    new = _snapshot(case)
    if name is not None:
        new["name"] = name.strip()
        if not new["name"] or len(new["name"]) > 100:
            errors["name"] = ["请填写申请人姓名或名称（100字以内）"]
    if phone is not None:
        if phone.strip():
            try:
                new["phone"] = identifiers.validate_mobile(phone)
            except Invalid as exc:
                errors["phone"] = [exc.message]
        elif case.applicant_kind == ResidentKind.PERSON:
            errors["phone"] = ["请填写联系电话"]
        else:
            new["phone"] = ""
    if address is not None:
        new["address"] = address.strip()
        if len(new["address"]) > 200:
            errors["address"] = ["地址不能超过200字"]
    if errors:
        code = "reason_required" if "reason" in errors and len(errors) == 1 else "invalid"
        raise Invalid.of_fields(errors, code=code)
    return new


@retry_atomic
def case_resident_supplement(*, actor: Actor, number: str, materials: list[dict[str, Any]]) -> Case:
    """补正材料已提交: the resident hands in the corrected materials online. The case stays
    ``correction_needed``; the window checks them and runs ``supplement`` (→ accepted)."""
    resident = self_service_resident(actor)
    case = (
        Case.objects.select_for_update(of=("self",))
        .filter(number=number, applicant=resident)
        .order_by("pk")
        .first()
    )
    if case is None:
        raise NotFound(f"办件 {number} 不存在", code="not_found")
    if case.state != State.CORRECTION_NEEDED:
        raise Conflict(
            f"办件当前状态为「{State(case.state).label}」，无需补正",
            code="invalid_transition",
            details={"state": case.state, "action": "resident_supplement"},
        )
    known = {m.code: m.name for m in case.item_version.materials.all()}
    codes = [str(m.get("code")) for m in materials if m.get("provided")]
    unknown = sorted(set(codes) - set(known))
    if unknown or not codes:
        raise Invalid(
            "请上传需补正的材料" if not codes else f"未知的材料编码：{'、'.join(unknown)}",
            code="unknown_material" if unknown else "invalid",
            details={"materials": unknown or ["必填"]},
        )
    append_event(
        case,
        actor=actor,
        staff=None,
        role=RESIDENT_ROLE,
        action="resident_supplement",
        state_from=case.state,
        state_to=case.state,
        note="补正材料已提交：" + "、".join(known[c] for c in codes),
        data={"materials": [{"code": c, "name": known[c]} for c in codes]},
    )
    return case
