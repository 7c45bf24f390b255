"""Intake (无差别全科受理): any comprehensive window takes any item; the materials check decides the
outcome — accepted, one-time notice (补正), not accepted (不予受理), or submitted for the window's check
when the application came online or through a village agent. A 即办件 is decided in the same visit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F

from onewindow.cases.models import Case, CaseCounter, Channel, State
from onewindow.cases.services.acceptance import accept, open_joint_reviews
from onewindow.cases.services.base import (
    RESIDENT_ROLE,
    acting_role_of,
    append_event,
    is_self_service,
    self_service_resident,
    staff_context,
    today,
)
from onewindow.cases.services.checks import check_materials, validate_applicant, validate_form
from onewindow.catalog.models import Item, ItemType, ItemVersion
from onewindow.catalog.selectors import published_version
from onewindow.core.actor import Actor
from onewindow.core.clock import now as clock_now
from onewindow.core.counters import next_value
from onewindow.core.errors import Forbidden, Invalid
from onewindow.core.locking import retry_atomic
from onewindow.core.prepared import PreparedFirst
from onewindow.org import access
from onewindow.org.lookups import centre_by_code
from onewindow.org.models import Centre, Level, Resident, Role, Window, WindowKind
from onewindow.privacy.crypto import blind_index

INTAKE_ROLES = frozenset({Role.CLERK, Role.CENTRE_HEAD})


@retry_atomic
def case_intake(
    *,
    actor: Actor,
    item: str,
    centre: str,
    applicant: dict[str, Any],
    materials: list[dict[str, Any]],
    form: dict[str, Any] | None = None,
    channel: str = Channel.WINDOW,
    window: int | None = None,
    reject_reason: str = "",
    reject_basis: str = "",
    submitted_by: tuple[Actor, dt.datetime] | None = None,
) -> Case:
    """无差别全科受理: any comprehensive window, any item. Outcome by the materials check.

    An application that arrives online or through a village agent (``channel`` online / proxy) is
    recorded as ``submitted``: it waits for the window's check (``accept`` / ``request_correction`` /
    ``reject``), which applies the same one-notice rule. ``submitted_by`` (proxy only): the village
    agent who submitted it and when; the timeline's ``submit`` entry is theirs, not the clerk's.
    """
    # A resident applying online for themselves (portal account, real-name bound, no staff profile).
    self_service = is_self_service(actor, channel)
    staff, roles = (None, [RESIDENT_ROLE]) if self_service else staff_context(actor)
    if channel not in Channel.values:
        raise Invalid("渠道无效", code="invalid", details={"channel": [f"应为 {'/'.join(Channel.values)}"]})
    if not self_service and not set(roles) & INTAKE_ROLES:
        raise Forbidden("只有综窗人员或中心负责人可以受理")
    item_obj, version = _published_version(item, self_service=self_service)
    centre_obj = _intake_centre(actor, centre, version, self_service=self_service)
    window_obj = _intake_window(centre_obj, window)
    if self_service:
        # It arrives at the chosen centre's comprehensive window; the applicant is the account's own
        # real-name record; the window's check decides (never a rejection by the applicant).
        reject_reason, window_obj = "", _comprehensive_window(centre_obj)
        resident, clean_applicant = self_service_resident(actor), {}
    else:
        clean_applicant = validate_applicant(applicant or {})
    cleaned_form = validate_form(version, form or {})
    checklist, missing = check_materials(version, materials or [])
    now, day = clock_now(), today()
    if not self_service:
        resident = _resident_for(clean_applicant, centre_obj, actor)
    snapshot = _applicant_snapshot(resident, clean_applicant)
    case = Case(
        number=_next_number(centre_obj, day),
        item=item_obj,
        item_version=version,
        channel=channel,
        centre=centre_obj,
        window=window_obj,
        applicant=resident,
        state=State.SUBMITTED,
        form_data=cleaned_form,
        materials=checklist,
        queue_department=version.department,
        queue_level=version.decide_level,
        received_at=now,
        state_since=now,
        promised_days=version.promised_days,
    )
    case.set_applicant_snapshot(**snapshot)
    case.timeline_head = (0, "")  # a new case: its first entry chains to nothing (no read needed)
    role = RESIDENT_ROLE if self_service else acting_role_of(roles, INTAKE_ROLES)
    ev = {"actor": actor, "staff": staff, "role": role, "window": window_obj}
    submit_ev = _submitter(submitted_by, channel) or ev
    try:
        return _record_outcome(
            case,
            ev,
            missing=missing,
            now=now,
            day=day,
            reject=(reject_reason, reject_basis),
            submit_ev=submit_ev,
        )
    finally:
        resident.unreferenced = False  # only the notices of this write skip the look-ups


def _applicant_snapshot(resident: Resident, given: dict[str, Any]) -> dict[str, Any]:
    """The case's copy of its applicant: the record's own, under what was given at the window (name,
    phone, address; nothing for an online application: the account's record is the applicant)."""
    return _record_snapshot(resident) | {k: given[k] for k in ("name", "phone", "address") if k in given}


def _comprehensive_window(centre: Centre) -> Window | None:
    """Where an online application arrives: the centre's first active comprehensive window."""
    return (
        Window.objects.filter(centre=centre, kind=WindowKind.COMPREHENSIVE, is_active=True)
        .order_by("number")
        .first()
    )


def _submitter(submitted_by: tuple[Actor, dt.datetime] | None, channel: str) -> dict[str, Any] | None:
    """The ``submit`` entry's actor for a proxy application: the village agent who sent it."""
    if submitted_by is None:
        return None
    agent, at = submitted_by
    if channel != Channel.PROXY or agent.staff is None or Role.AGENT not in agent.roles:
        raise Invalid("报送人应为代办员", code="invalid", details={"submitted_by": ["应为代办员"]})
    return {"actor": agent, "staff": agent.staff, "role": Role.AGENT, "window": None, "at": at}


def _published_version(item: str, *, self_service: bool) -> tuple[Item, ItemVersion]:
    found = published_version(item)  # the per-process catalog cache (catalog.selectors)
    if found is None:
        raise Invalid(f"事项 {item} 不存在", code="unknown_item", details={"item": ["未知"]})
    item_obj, version = found
    if version is None:
        raise Invalid(f"事项 {item} 未发布或已停用", code="item_unpublished", details={"item": ["未发布"]})
    if self_service and not version.online:
        raise Invalid(
            f"「{version.name}」暂不支持网上办理，请到窗口或找代办员办理",
            code="item_not_online",
            details={"item": ["不可网上办理"]},
        )
    return item_obj, version


def _intake_centre(actor: Actor, centre: str, version: ItemVersion, *, self_service: bool) -> Centre:
    """The accepting centre: any active one for a resident online, else one in the actor's scope; it
    must be at a level that accepts the item."""
    centre_obj = centre_by_code(centre)  # the per-process org cache (org.lookups)
    if centre_obj is not None and not (
        centre_obj.is_active if self_service else access.in_scope(actor, centre_obj.jurisdiction)
    ):
        centre_obj = None
    if centre_obj is None:
        raise Invalid(
            f"服务中心 {centre} 不存在或不在您的辖区", code="unknown_centre", details={"centre": ["未知"]}
        )
    if centre_obj.jurisdiction.level not in version.accept_levels:
        levels = "、".join(str(Level(lv).label) for lv in version.accept_levels)
        raise Invalid(
            f"本中心不能受理「{version.name}」，该事项由{levels}受理",
            code="not_accepted_here",
            details={"centre": [f"受理层级：{levels}"]},
        )
    return centre_obj


def _intake_window(centre: Centre, window: int | None) -> Window | None:
    if window is None:
        return None
    window_obj = Window.objects.filter(pk=window, centre=centre).first()
    if window_obj is None:
        raise Invalid("窗口不属于该中心", code="invalid", details={"window": ["无效"]})
    return window_obj


def _record_snapshot(resident: Resident) -> dict[str, Any]:
    """The applicant as the resident record has it (a case keeps its own copy)."""
    return {
        "kind": resident.kind,
        "name": resident.name,
        "id_number": resident.id_number,
        "phone": resident.phone or "",
        "address": resident.address or "",
    }


def _next_number(centre: Centre, day: dt.date) -> str:
    prefix = centre.jurisdiction.county().code[:6] + day.strftime("%Y%m%d")
    return f"{prefix}{next_value(CaseCounter, prefix=prefix):05d}"


# Only the resident's row (not the joined jurisdiction of Resident's default ordering): see
# onewindow.core.locking for the lock order. Compiled once per thread (onewindow.core.prepared).
_resident_locked: PreparedFirst[Resident] = PreparedFirst(
    lambda index: Resident.objects.select_for_update(of=("self",)).filter(id_index=index).order_by("pk"), 1
)


def _resident_for(applicant: dict[str, Any], centre: Centre, actor: Actor) -> Resident:
    index = blind_index(applicant["number"])
    resident = _resident_locked(index)
    if resident is None:
        resident = Resident(
            kind=applicant["kind"],
            name=applicant["name"],
            id_number=applicant["number"],
            phone=applicant["phone"],
            address=applicant["address"],
            jurisdiction=centre.jurisdiction,
            created_by=actor.recorded_user,
        )
        resident.save()
        resident.unreferenced = True  # created just now: no account or preference can point at it
    # An existing record is never changed by an intake: what was given here goes to the case's own
    # applicant snapshot; differences are shown to the clerk (applicant_differences).
    return resident


def _record_outcome(
    case: Case,
    ev: dict[str, Any],
    *,
    missing: list[dict[str, Any]],
    now: dt.datetime,
    day: dt.date,
    reject: tuple[str, str],
    submit_ev: dict[str, Any] | None = None,
) -> Case:
    """Save the new case in the state its intake leads to, with its first timeline entry (an online
    or proxy application's ``submit`` entry by ``submit_ev``: who sent it, when)."""
    reject_reason, reject_basis = reject
    if reject_reason.strip():
        if not reject_basis.strip():
            raise Invalid("不予受理须写明法律依据", code="reason_required", details={"basis": ["必填"]})
        case.state = State.NOT_ACCEPTED
        case.decision_reason = reject_reason.strip()
        case.notice = {"kind": "rejection", "reason": reject_reason.strip(), "basis": reject_basis.strip()}
        case.decided_at = now
        case.save()
        data: dict[str, Any] = {"basis": reject_basis}
        append_event(
            case, action="reject", state_from="", state_to=case.state, note=reject_reason, data=data, **ev
        )
        return case
    if case.channel in {Channel.ONLINE, Channel.PROXY}:
        case.save()
        append_event(case, action="submit", state_from="", state_to=State.SUBMITTED, **(submit_ev or ev))
        return case
    if missing:
        case.state = State.CORRECTION_NEEDED
        case.notice = {"kind": "correction", "missing": missing, "issued_at": now.isoformat()}
        case.correction_count = 1
        case.save()
        append_event(
            case,
            action="request_correction",
            state_from="",
            state_to=case.state,
            data={"missing": missing},
            **ev,
        )
        return case
    accept(case, now=now, today=day)
    case.save()
    open_joint_reviews(case)
    data = {"deadline": case.deadline.isoformat() if case.deadline else None}
    append_event(case, action="accept", state_from="", state_to=State.ACCEPTED, data=data, **ev)
    if case.item_version.type == ItemType.IMMEDIATE:
        _decide_immediately(case, ev)
    return case


def _decide_immediately(case: Case, ev: dict[str, Any]) -> None:
    """即办件: decided at the window in the same visit."""
    now = clock_now()
    Case.objects.filter(pk=case.pk).update(
        state=State.APPROVED, decided_at=now, state_since=now, version=F("version") + 1
    )
    case.state, case.decided_at = State.APPROVED, now
    case.version += 1
    append_event(
        case,
        action="approve",
        state_from=State.ACCEPTED,
        state_to=State.APPROVED,
        note="即办件当场办结",
        data={"department": case.centre.name, "centre_code": case.centre.code},
        **ev,
    )
