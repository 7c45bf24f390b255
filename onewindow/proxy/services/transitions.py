"""The proxy request's state machine: one transition table and a short dispatcher.

Each row of :data:`TRANSITIONS` names the states it leaves from, the state it leads to, who may take
it (the roles, and the authority: whose request or queue it is, :func:`own_request_or_queue`), whether
the entrustment must still cover it, and a small handler doing what is particular to the step.
:func:`proxy_request_action` looks the row up, checks role, state and authority, locks the request,
runs the handler and appends the event to the request's trail (sending ``proxy_event``).

- ``submit`` / ``supplement``: the agent passes the request to the township clerk's pre-review queue;
- ``prereview_return``: ONE notice of everything missing (a second one only by the centre head);
- ``forward``: to the centre one level up (三级代理);
- ``prereview_pass``: the real case is taken in at the reviewing centre through
  ``cases.services.case_intake`` + ``case_transition(accept)``, the same services as the window;
- ``collect_result`` (代为取件, the case is ``ready``); ``hand_over`` (the case is delivered with
  ``deliver to=agent signed_by=<resident>``); ``follow_up`` (回访); ``withdraw``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.cases.models import State as CaseState
from onewindow.catalog.models import ItemVersion
from onewindow.core.actor import Actor
from onewindow.core.clock import local_today
from onewindow.core.errors import Conflict, Forbidden, Invalid
from onewindow.core.followups import follow_up_heard_send
from onewindow.core.locking import retry_atomic
from onewindow.notify.services import notify
from onewindow.org.actors import actor_of
from onewindow.org.models import Centre, ResidentKind, Role, Staff
from onewindow.proxy.models import FollowUp, FollowUpMethod, ProxyRequest, RequestState
from onewindow.proxy.services.common import (
    WINDOW_ROLES,
    attachment_for,
    follow_up_days,
    item_name,
    published_version,
    record,
    staff_required,
)
from onewindow.proxy.services.entrustments import check_entrustment
from onewindow.proxy.services.requests import clean_materials, link_attachments, proxy_request_get
from onewindow.worktime.calendar import WorkCalendar


@dataclass
class ActionInput:
    """What the caller gave with the action (each handler reads its own fields)."""

    note: str = ""
    materials: list[dict[str, Any]] | None = None
    missing: list[dict[str, Any]] | None = None
    signed_by: str = ""
    method: str = ""
    outcome: str = ""
    satisfied: bool | None = None
    override_reason: str = ""
    receipt_file: str | None = None


@dataclass
class Step:
    """One transition under way: the locked request and what the handler adds to the event."""

    actor: Actor
    staff: Staff
    req: ProxyRequest
    action: str
    state_from: str
    now: dt.datetime
    version: ItemVersion
    given: ActionInput
    data: dict[str, Any] = field(default_factory=dict)


Authority = Callable[[Actor, ProxyRequest, "Transition"], Forbidden | None]


def own_request_or_queue(actor: Actor, req: ProxyRequest, row: Transition) -> Forbidden | None:
    """Whose request or queue it is (the roles are checked before): an agent acts on their own
    requests only; window staff on requests in their centre's pre-review queue. 回访 (follow_up) is
    either: by the agent who served, or by the window that took the request in."""
    as_window = bool(row.roles & WINDOW_ROLES & actor.roles)
    if as_window and (actor.staff is None or actor.staff.centre_id != req.review_centre_id):
        return Forbidden("该代办申请不在本中心的预审队列中", code="not_your_queue")
    if not as_window and req.agent_id != actor.user_id:
        return Forbidden("这不是您受理的代办申请", code="not_your_request")
    return None


@dataclass(frozen=True)
class Transition:
    """One row of the table: from which states, to which state, who may (roles, then the authority
    predicate), whether the entrustment must still cover the step, and its handler."""

    sources: frozenset[str]
    to: str
    roles: frozenset[str]
    label: str
    handler: Callable[[Step], None]
    authority: Authority = own_request_or_queue
    entrustment_required: bool = False


# --- handlers ------------------------------------------------------------------------------------


def _submit(step: Step) -> None:
    req = step.req
    if step.given.materials:
        checklist, _m, atts = clean_materials(step.actor, step.version, step.given.materials, req.materials)
        req.materials = checklist
        link_attachments(req, atts)
        step.data["materials"] = [m.get("code") for m in step.given.materials]
    if step.state_from == RequestState.DRAFT:
        req.submitted_at = step.now
    step.action = "supplement" if step.state_from == RequestState.RETURNED else "submit"


def _flagged(step: Step) -> dict[str, dict[str, Any]]:
    """The required materials not provided plus those the clerk flags (with a reason)."""
    req = step.req
    _checklist, required_missing = case_services.check_materials(step.version, req.materials)
    flagged = {m["code"]: m for m in required_missing}
    names = {m["code"]: m["name"] for m in req.materials}
    for m in step.given.missing or []:
        code = str(m.get("code") or "")
        if code not in names:
            raise Invalid(f"未知的材料编码：{code}", code="unknown_material", details={"missing": [code]})
        reason = str(m.get("reason") or "").strip() or "材料不符合要求"
        flagged[code] = {"code": code, "name": names[code], "reason": reason}
    return flagged


def _prereview_return(step: Step) -> None:
    req = step.req
    flagged = _flagged(step)
    if not flagged:
        raise Invalid("材料齐全，无需退回补正", code="materials_complete")
    if req.return_count >= 1:
        override = step.given.override_reason.strip()
        if not step.actor.has_role(Role.CENTRE_HEAD) or not override:
            raise Conflict(
                "一次性告知已出具，不得再次退回补正；确需再次告知的，须由中心负责人批准并写明理由",
                code="second_notice_refused",
                details={"missing": list(flagged.values())},
            )
        step.data["override_reason"] = override
    notice = {
        "kind": "correction",
        "missing": list(flagged.values()),
        "issued_at": step.now.isoformat(),
        "centre": req.review_centre.name,
        "by": step.staff.name,
        "note": step.given.note.strip(),
    }
    req.notice = notice
    req.return_count += 1
    step.data["missing"] = notice["missing"]
    notify(
        "proxy_returned",
        channel="inbox",
        user=req.agent,
        context={"number": req.number, "count": len(notice["missing"])},
    )


def _forward(step: Step) -> None:
    req = step.req
    upper_j = req.review_centre.jurisdiction.parent
    upper = (
        Centre.objects.filter(jurisdiction=upper_j, is_active=True).order_by("code").first()
        if upper_j is not None
        else None
    )
    if upper is None:
        raise Conflict("已是最高层级，无法再转上级", code="no_upper_level")
    step.data.update(from_centre=req.review_centre.code, to_centre=upper.code)
    req.review_centre = upper


def _prereview_pass(step: Step) -> None:
    req = step.req
    _checklist, required_missing = case_services.check_materials(step.version, req.materials)
    if required_missing:
        raise Invalid(
            "仍有必需材料未提交，请退回补正（一次性告知）",
            code="materials_missing",
            details={"missing": required_missing},
        )
    resident = req.resident
    applicant = {
        "kind": resident.kind,
        "name": resident.name,
        "id_number": resident.id_number,
        "credit_code": resident.id_number if resident.kind == ResidentKind.ENTERPRISE else None,
        "phone": resident.phone,
        "address": resident.address,
    }
    case = case_services.case_intake(
        actor=step.actor,
        item=req.item.code,
        centre=req.review_centre.code,
        applicant=applicant,
        materials=[
            {"code": m["code"], "provided": m["provided"], "note": m.get("note", "")} for m in req.materials
        ],
        form=req.form_data,
        channel="proxy",
        submitted_by=(actor_of(req.agent), _last_submitted(req) or step.now),
    )
    case = case_services.case_transition(
        actor=step.actor,
        number=case.number,
        action="accept",
        note=step.given.note,
    )
    req.case = case
    req.passed_at = step.now
    step.data.update(case=case.number, centre=req.review_centre.code)


def _last_submitted(req: ProxyRequest) -> dt.datetime | None:
    """When the agent last sent the request for pre-review (submit or supplement)."""
    events = req.events.filter(action__in=["submit", "supplement"]).order_by("-seq")
    return events.values_list("at", flat=True).first() or req.submitted_at


def _collect_result(step: Step) -> None:
    req = step.req
    if req.case is None or req.case.state != CaseState.READY:
        raise Conflict("办理结果尚未出件，不能代为取件", code="result_not_ready")
    req.collected_at = step.now


def _hand_over(step: Step) -> None:
    req, given = step.req, step.given
    signer = given.signed_by.strip()
    if not signer:
        raise Invalid("请填写签收群众姓名", code="invalid", details={"signed_by": ["必填"]})
    if given.receipt_file:
        att = attachment_for(step.actor, str(given.receipt_file), "receipt_file")
        att.request = req
        att.material_code = "__receipt__"
        att.save(update_fields=["request", "material_code"])
        req.receipt = att.file
    assert req.case is not None
    case_services.case_transition(
        actor=step.actor,
        number=req.case.number,
        action="deliver",
        to="agent",
        signed_by=signer,
        note=given.note,
    )
    req.handed_over_at = step.now
    req.signed_by = signer[:50]
    FollowUp.objects.create(request=req, due=WorkCalendar().add_workdays(local_today(), follow_up_days()))
    step.data["signed_by"] = signer
    if req.resident.phone:
        notify(
            "proxy_handed_over",
            channel="sms",
            to=req.resident.phone,
            resident=req.resident,
            case_number=req.case.number,
            context={"item": item_name(req.item), "signed_by": signer},
        )


def _follow_up(step: Step) -> None:
    req, given = step.req, step.given
    if given.method not in FollowUpMethod.values:
        raise Invalid("请选择回访方式：call / visit", code="invalid", details={"method": ["必填"]})
    if not given.outcome.strip():
        raise Invalid("请填写回访结果", code="invalid", details={"outcome": ["必填"]})
    FollowUp.objects.filter(request=req).update(
        method=given.method,
        outcome=given.outcome.strip()[:2000],
        satisfied=given.satisfied,
        done_at=step.now,
        done_by=step.actor.user,
    )
    step.data.update(method=given.method, satisfied=given.satisfied)
    if given.satisfied is not None and req.case is not None:
        # the resident's word on the agent's service counts as a rating (好差评, channel visit):
        # the feedback app answers this extension point
        follow_up_heard_send(
            case=req.case,
            agent=req.agent,
            satisfied=bool(given.satisfied),
            comment=given.outcome,
            now=step.now,
        )


def _withdraw(step: Step) -> None:
    """Nothing particular: the request leaves the flow."""


# --- the table -----------------------------------------------------------------------------------

AGENT = frozenset({Role.AGENT})
IN_PREREVIEW = frozenset({RequestState.SUBMITTED, RequestState.FORWARDED})
S = RequestState


def _by_agent(
    sources: set[str],
    to: str,
    label: str,
    handler: Callable[[Step], None],
    entrustment_required: bool = False,
) -> Transition:
    """A step the village agent takes on their own request."""
    return Transition(
        frozenset(sources), to, AGENT, label, handler, entrustment_required=entrustment_required
    )


def _prereview(to: str, label: str, handler: Callable[[Step], None]) -> Transition:
    """A decision of the centre's pre-review queue: window staff, on a submitted or forwarded request."""
    return Transition(IN_PREREVIEW, to, WINDOW_ROLES, label, handler)


TRANSITIONS: dict[str, Transition] = {
    "submit": _by_agent({S.DRAFT, S.RETURNED}, S.SUBMITTED, "报送预审", _submit, entrustment_required=True),
    "supplement": _by_agent({S.RETURNED}, S.SUBMITTED, "补正后报送", _submit, entrustment_required=True),
    "prereview_pass": _prereview(S.PASSED, "预审通过并受理", _prereview_pass),
    "prereview_return": _prereview(S.RETURNED, "退回补正（一次性告知）", _prereview_return),
    "forward": _prereview(S.FORWARDED, "转上级预审", _forward),
    "collect_result": _by_agent(
        {S.PASSED}, S.COLLECTED, "代为取件", _collect_result, entrustment_required=True
    ),
    "hand_over": _by_agent({S.COLLECTED}, S.HANDED_OVER, "送达群众签收", _hand_over),
    "follow_up": Transition(frozenset({S.HANDED_OVER}), S.CLOSED, AGENT | WINDOW_ROLES, "回访", _follow_up),
    "withdraw": _by_agent({S.DRAFT, S.RETURNED, S.SUBMITTED, S.FORWARDED}, S.WITHDRAWN, "撤回", _withdraw),
}
ACTION_LABELS = {k: t.label for k, t in TRANSITIONS.items()} | {
    "created": "登记受理",
    "returned_notice": "一次性告知",
}


def actions_for(req: ProxyRequest, actor: Actor) -> list[str]:
    """The actions the actor may take on the request now (``supplement`` is shown as ``submit``)."""
    if actor.staff is None:
        return []
    return [
        name
        for name, row in TRANSITIONS.items()
        if name != "supplement"
        and req.state in row.sources
        and actor.has_any_role(row.roles)
        and row.authority(actor, req, row) is None
    ]


# --- the dispatcher ------------------------------------------------------------------------------


@retry_atomic
def proxy_request_action(
    *,
    actor: Actor,
    pk: int,
    action: str,
    note: str = "",
    materials: list[dict[str, Any]] | None = None,
    missing: list[dict[str, Any]] | None = None,
    signed_by: str = "",
    method: str = "",
    outcome: str = "",
    satisfied: bool | None = None,
    override_reason: str = "",
    receipt_file: str | None = None,
) -> ProxyRequest:
    """Take ``action`` on the request: check role, state and authority, lock, run the row's handler,
    append the event. The keywords after ``action`` are read by the handlers that need them."""
    staff = staff_required(actor)
    req = proxy_request_get(actor=actor, pk=pk)
    row = TRANSITIONS.get(action)
    if row is None:
        raise Invalid(f"未知的操作 {action}", code="unknown_action", details={"action": sorted(TRANSITIONS)})
    if not actor.has_any_role(row.roles):
        raise Forbidden(f"您的岗位不能执行「{row.label}」", code="forbidden")
    req = (
        ProxyRequest.objects.select_for_update(of=("self",))
        .select_related("case", "review_centre__jurisdiction")
        .get(pk=req.pk)
    )
    if req.state not in row.sources:
        raise Conflict(
            f"代办申请当前状态为「{RequestState(req.state).label}」，不能执行「{row.label}」",
            code="invalid_transition",
            details={"state": req.state, "action": action},
        )
    refused = row.authority(actor, req, row)
    if refused is not None:
        raise refused
    given = ActionInput(
        note, materials, missing, signed_by, method, outcome, satisfied, override_reason, receipt_file
    )
    step = Step(actor, staff, req, action, req.state, timezone.now(), published_version(req.item), given)
    if row.entrustment_required:
        check_entrustment(req.entrustment, actor=actor, item=req.item)
    row.handler(step)
    req.state = row.to
    req.version += 1
    req.save()
    record(
        req,
        actor=actor,
        action=step.action,
        state_from=step.state_from,
        note=(note or outcome).strip(),
        data=step.data,
    )
    return req


@retry_atomic
def proxy_request_window_intake(*, actor: Actor, pk: int, item: str, centre: str) -> Case:
    """``POST /api/v1/cases`` with ``agent_request``: the competent window takes in a proxy request.

    The same step as ``prereview_pass`` (the case is created by ``case_intake`` with channel proxy and
    accepted), reached through the generic intake endpoint; the body's item and centre must be the
    request's, so a request cannot be taken in as another item or at another centre.
    """
    req = proxy_request_get(actor=actor, pk=pk)
    mismatch: dict[str, list[str]] = {}
    if req.item.code != item:
        mismatch["item"] = [f"代办申请的事项为 {req.item.code}"]
    if req.review_centre is None or req.review_centre.code != centre:
        where = req.review_centre.code if req.review_centre is not None else "（未指定）"
        mismatch["centre"] = [f"代办申请的预审中心为 {where}"]
    if mismatch:
        raise Invalid("办件信息与代办申请不一致", code="agent_request_mismatch", details=mismatch)
    req = proxy_request_action(actor=actor, pk=pk, action="prereview_pass")
    assert req.case is not None
    return req.case
