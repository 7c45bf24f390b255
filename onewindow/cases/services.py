"""Every write to a case: intake at the window and the transitions of the state machine.

Each function is one transaction, takes the acting user, and appends one timeline event per state
change in that same transaction. Concurrent transitions on one case: the row's ``version`` is checked
in the UPDATE, so exactly one wins and the other gets ``conflict``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import F
from django.utils import timezone

from onewindow.cases.models import (
    Case,
    CaseCounter,
    CaseEvent,
    CaseReview,
    Channel,
    Delivery,
    ReviewState,
    State,
)
from onewindow.cases.workflow import TRANSITIONS, acting_role, may_act
from onewindow.catalog.models import (
    ExtensionRule,
    FieldKind,
    Item,
    ItemType,
    ItemVersion,
    VersionStatus,
)
from onewindow.core import signals
from onewindow.core.counters import next_value
from onewindow.core.errors import Conflict, Forbidden, Invalid, NotFound
from onewindow.core.locking import retry_atomic
from onewindow.org import access
from onewindow.org.models import (
    Centre,
    Department,
    Level,
    Resident,
    ResidentKind,
    Role,
    Staff,
    Window,
    WindowKind,
)
from onewindow.privacy import identifiers
from onewindow.privacy.crypto import blind_index
from onewindow.worktime.calendar import WorkCalendar

MAX_EXTENSION_DAYS = 10  # 行政许可法 art. 42: extendable by 10 working days (15 for 联办件, by item)
NOTICE_DAYS = 5  # 行政许可法 art. 32 (4): the one-time notice is due within 5 working days of receipt
NOTICE_WARN_DAYS = 3  # warn on the 3rd working day after receipt
DEEMED_NOTE = "逾期未告知，依法自收到材料之日起受理"
# 不予受理 and 不予许可 are told in writing with their legal basis (行政许可法 art. 32, 38).
BASIS_REQUIRED = frozenset({"reject", "deny"})


def local_today() -> dt.date:
    return timezone.localdate()


def received_date(case: Case) -> dt.date:
    """The day the materials were received, in the server's time zone."""
    return timezone.localtime(case.received_at).date()


def notice_due(case: Case, cal: WorkCalendar | None = None) -> dt.date:
    """The last day for the window check's notice (5th working day after receipt)."""
    return (cal or WorkCalendar()).add_workdays(received_date(case), NOTICE_DAYS)


# --- helpers -------------------------------------------------------------------------------------


def _actor_context(actor: Any) -> tuple[Any, list[str]]:
    staff = access.staff_of(actor)
    if staff is None:
        if not getattr(actor, "is_authenticated", False):
            from onewindow.core.errors import Unauthenticated

            raise Unauthenticated()
        raise Forbidden("该账号未关联工作人员信息", code="no_staff_profile")
    return staff, staff.role_list


RESIDENT_ROLE = "resident"  # the role recorded on events a resident causes online (not a staff role)


def _is_self_service(actor: Any, channel: str) -> bool:
    """An online application by a logged-in user without a staff profile (a portal resident)."""
    return (
        channel == Channel.ONLINE
        and bool(getattr(actor, "is_authenticated", False))
        and access.staff_of(actor) is None
    )


def _self_service_resident(actor: Any) -> Resident:
    """The real-name record bound to a resident's portal account (``portal.ResidentAccount``,
    reverse one-to-one ``resident_account``); refused without an account or a real-name binding."""
    account = getattr(actor, "resident_account", None)
    if account is None:
        raise Forbidden("该账号未关联工作人员信息", code="no_staff_profile")
    resident = getattr(account, "resident", None)
    if resident is None:
        raise Forbidden("请先完成实名认证（绑定居民身份证号）再网上申请", code="real_name_required")
    return resident  # type: ignore[no-any-return]


def _acting_role(roles: list[str], allowed: frozenset[str] | set[str]) -> str:
    for r in roles:
        if r in allowed:
            return r
    return roles[0] if roles else ""


def _next_number(centre: Centre, today: dt.date) -> str:
    prefix = centre.jurisdiction.county().code[:6] + today.strftime("%Y%m%d")
    return f"{prefix}{next_value(CaseCounter, prefix=prefix):05d}"


def _append_event(
    case: Case,
    *,
    actor: Any,
    staff: Any,
    role: str,
    action: str,
    state_from: str,
    state_to: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    window: Window | None = None,
    at: dt.datetime | None = None,
) -> CaseEvent:
    last = CaseEvent.objects.filter(case=case).order_by("-seq").values("seq", "hash").first()
    event = CaseEvent(
        case=case,
        seq=(last["seq"] + 1) if last else 1,
        at=at or timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_name=staff.name if staff else "",
        role=role,
        centre=staff.centre if staff and staff.centre_id else case.centre,
        window=window,
        action=action,
        state_from=state_from,
        state_to=state_to,
        note=note,
        data=data or {},
        prev_hash=last["hash"] if last else "",
    )
    event.hash = event.compute_hash()
    event.save()
    signals.case_event_recorded.send(sender=Case, case=case, event=event)
    return event


def compute_deadline(case: Case, cal: WorkCalendar | None = None) -> dt.date | None:
    """The deadline; also sets ``case.deadline_provisional`` (a year counted provisionally)."""
    if case.accept_date is None:
        case.deadline_provisional = False
        return None
    cal = cal or WorkCalendar()
    info = cal.deadline_info(case.accept_date, case.promised_days + case.extended_days + case.paused_days)
    case.deadline_provisional = info.provisional
    return info.date


def _validate_applicant(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    kind = data.get("kind") or ResidentKind.PERSON
    if kind not in ResidentKind.values:
        raise Invalid(
            "申请人类型应为 person 或 enterprise", code="invalid", details={"applicant.kind": ["无效"]}
        )
    name = (data.get("name") or "").strip()
    if not name:
        errors["applicant.name"] = ["请填写申请人姓名或名称"]
    if kind == ResidentKind.PERSON:
        number = identifiers.validate_id_number(data.get("id_number") or "")
    else:
        number = identifiers.validate_credit_code(data.get("credit_code") or data.get("id_number") or "")
    phone = data.get("phone") or ""
    if phone:
        phone = identifiers.validate_mobile(phone)
    elif kind == ResidentKind.PERSON:
        errors["applicant.phone"] = ["请填写联系电话"]
    if errors:
        raise Invalid(next(iter(errors.values()))[0], code="invalid", details=errors)
    return {
        "kind": kind,
        "name": name,
        "number": number,
        "phone": phone,
        "address": (data.get("address") or "").strip(),
    }


def _resident_for(applicant: dict[str, Any], centre: Centre, actor: Any) -> Resident:
    index = blind_index(applicant["number"])
    # Only the resident's row (not the joined jurisdiction of Resident's default ordering): see
    # onewindow.core.locking for the lock order.
    resident = Resident.objects.select_for_update(of=("self",)).filter(id_index=index).order_by("pk").first()
    if resident is None:
        resident = Resident(
            kind=applicant["kind"],
            name=applicant["name"],
            id_number=applicant["number"],
            phone=applicant["phone"],
            address=applicant["address"],
            jurisdiction=centre.jurisdiction,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        resident.save()
    # An existing record is never changed by an intake: what was given here goes to the case's own
    # applicant snapshot; differences are shown to the clerk (applicant_differences).
    return resident


APPLICANT_FIELDS = {"name": "姓名/名称", "phone": "联系电话", "address": "地址"}


def applicant_differences(case: Case) -> list[str]:
    """The fields in which the case's applicant (as given at intake) differs from the resident record
    (shown to the clerk as 与档案不一致; the record itself is not changed by an intake)."""
    r = case.applicant
    given = {"name": case.applicant_name, "phone": case.applicant_phone, "address": case.applicant_address}
    return [f for f in APPLICANT_FIELDS if given[f] and (getattr(r, f) or "") != given[f]]


def validate_form(version: ItemVersion, form: dict[str, Any]) -> dict[str, Any]:
    """Check the item's typed form fields; return the cleaned values."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for f in version.fields.all():
        raw = form.get(f.key)
        if raw in (None, ""):
            if f.required:
                errors[f"form.{f.key}"] = [f"请填写「{f.label}」"]
            continue
        if f.kind == FieldKind.NUMBER:
            try:
                cleaned[f.key] = float(str(raw)) if "." in str(raw) else int(str(raw))
            except (TypeError, ValueError):
                errors[f"form.{f.key}"] = [f"「{f.label}」应为数字"]
        elif f.kind == FieldKind.DATE:
            try:
                cleaned[f.key] = dt.date.fromisoformat(str(raw)).isoformat()
            except ValueError:
                errors[f"form.{f.key}"] = [f"「{f.label}」应为日期 YYYY-MM-DD"]
        elif f.kind == FieldKind.CHOICE:
            if str(raw) not in [str(c) for c in f.choices]:
                errors[f"form.{f.key}"] = [f"「{f.label}」应为以下之一：{'、'.join(map(str, f.choices))}"]
            else:
                cleaned[f.key] = str(raw)
        else:
            cleaned[f.key] = str(raw)[:2000]
    if errors:
        raise Invalid(next(iter(errors.values()))[0], code="invalid", details=errors)
    return cleaned


def check_materials(
    version: ItemVersion, given: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return (the checklist, the missing required materials with reasons)."""
    by_code = {str(m.get("code")): m for m in given}
    known = {m.code for m in version.materials.all()}
    unknown = sorted(set(by_code) - known)
    if unknown:
        raise Invalid(
            f"未知的材料编码：{'、'.join(unknown)}", code="unknown_material", details={"materials": unknown}
        )
    checklist: list[dict[str, Any]] = []
    missing: list[dict[str, Any]] = []
    for m in version.materials.all():
        g = by_code.get(m.code, {})
        provided = bool(g.get("provided"))
        note = str(g.get("note") or "")[:200]
        checklist.append(
            {
                "code": m.code,
                "name": m.name,
                "required": m.required,
                "provided": provided,
                "note": note,
                "original": m.original,
                "copies": m.copies,
            }
        )
        if m.required and not provided:
            reason = f"材料不符合要求：{note}" if note else f"未提交（需{m.form_display}）"
            missing.append({"code": m.code, "name": m.name, "reason": reason})
    return checklist, missing


# --- intake --------------------------------------------------------------------------------------


@retry_atomic
def case_intake(
    *,
    actor: Any,
    item: str,
    centre: str,
    applicant: dict[str, Any],
    materials: list[dict[str, Any]],
    form: dict[str, Any] | None = None,
    channel: str = Channel.WINDOW,
    window: int | None = None,
    reject_reason: str = "",
    reject_basis: str = "",
) -> Case:
    """无差别全科受理: any comprehensive window, any item. Outcome by the materials check.

    An application that arrives online or through a village agent (``channel`` online / proxy) is
    recorded as ``submitted``: it waits for the window's check (``accept`` / ``request_correction`` /
    ``reject``), which applies the same one-notice rule.
    """
    # A resident applying online for themselves (portal account, real-name bound, no staff profile).
    self_service = _is_self_service(actor, channel)
    if self_service:
        staff, roles = None, [RESIDENT_ROLE]
    else:
        staff, roles = _actor_context(actor)
    if channel not in Channel.values:
        raise Invalid("渠道无效", code="invalid", details={"channel": [f"应为 {'/'.join(Channel.values)}"]})
    if not self_service and not set(roles) & {Role.CLERK, Role.CENTRE_HEAD}:
        raise Forbidden("只有综窗人员或中心负责人可以受理")
    item_obj = Item.objects.filter(code=item).first()
    if item_obj is None:
        raise Invalid(f"事项 {item} 不存在", code="unknown_item", details={"item": ["未知"]})
    version = (
        ItemVersion.objects.filter(item=item_obj, status=VersionStatus.PUBLISHED)
        .select_related("department__jurisdiction")
        .first()
    )
    if version is None:
        raise Invalid(f"事项 {item} 未发布或已停用", code="item_unpublished", details={"item": ["未发布"]})
    if self_service and not version.online:
        raise Invalid(
            f"「{version.name}」暂不支持网上办理，请到窗口或找代办员办理",
            code="item_not_online",
            details={"item": ["不可网上办理"]},
        )
    centres = Centre.objects.select_related("jurisdiction")
    centre_obj = (
        centres.filter(code=centre, is_active=True).first()
        if self_service
        else access.scope(actor, centres).filter(code=centre).first()
    )
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
    window_obj = None
    if window is not None:
        window_obj = Window.objects.filter(pk=window, centre=centre_obj).first()
        if window_obj is None:
            raise Invalid("窗口不属于该中心", code="invalid", details={"window": ["无效"]})
    if self_service:
        # It arrives at the chosen centre's comprehensive window; the applicant is the account's own
        # real-name record; the window's check decides (never a rejection by the applicant).
        reject_reason = ""
        window_obj = (
            Window.objects.filter(centre=centre_obj, kind=WindowKind.COMPREHENSIVE, is_active=True)
            .order_by("number")
            .first()
        )
        resident = _self_service_resident(actor)
    else:
        clean_applicant = _validate_applicant(applicant or {})
    cleaned_form = validate_form(version, form or {})
    checklist, missing = check_materials(version, materials or [])
    now = timezone.now()
    today = local_today()
    if not self_service:
        resident = _resident_for(clean_applicant, centre_obj, actor)
        snapshot = {
            "kind": resident.kind,
            "name": clean_applicant["name"],
            "id_number": resident.id_number,
            "phone": clean_applicant["phone"],
            "address": clean_applicant["address"],
        }
    else:
        snapshot = {
            "kind": resident.kind,
            "name": resident.name,
            "id_number": resident.id_number,
            "phone": resident.phone or "",
            "address": resident.address or "",
        }
    case = Case(
        number=_next_number(centre_obj, today),
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
    role = RESIDENT_ROLE if self_service else _acting_role(roles, {Role.CLERK, Role.CENTRE_HEAD})
    ev = {"actor": actor, "staff": staff, "role": role, "window": window_obj}
    if reject_reason.strip():
        if not reject_basis.strip():
            raise Invalid("不予受理须写明法律依据", code="reason_required", details={"basis": ["必填"]})
        case.state = State.NOT_ACCEPTED
        case.decision_reason = reject_reason.strip()
        case.notice = {"kind": "rejection", "reason": reject_reason.strip(), "basis": reject_basis.strip()}
        case.decided_at = now
        case.save()
        _append_event(
            case,
            action="reject",
            state_from="",
            state_to=State.NOT_ACCEPTED,
            note=reject_reason,
            data={"basis": reject_basis},
            **ev,
        )
        return case
    if channel in {Channel.ONLINE, Channel.PROXY}:
        case.save()
        _append_event(case, action="submit", state_from="", state_to=State.SUBMITTED, **ev)
        return case
    if missing:
        case.state = State.CORRECTION_NEEDED
        case.notice = {"kind": "correction", "missing": missing, "issued_at": now.isoformat()}
        case.correction_count = 1
        case.save()
        _append_event(
            case,
            action="request_correction",
            state_from="",
            state_to=State.CORRECTION_NEEDED,
            data={"missing": missing},
            **ev,
        )
        return case
    _accept(case, now=now, today=today)
    case.save()
    _open_joint_reviews(case)
    _append_event(
        case,
        action="accept",
        state_from="",
        state_to=State.ACCEPTED,
        data={"deadline": case.deadline.isoformat() if case.deadline else None},
        **ev,
    )
    if version.type == ItemType.IMMEDIATE:
        _decide_immediately(case, ev)
    return case


def _accept(case: Case, *, now: dt.datetime, today: dt.date) -> None:
    case.state = State.ACCEPTED
    case.accepted_at = now
    case.accept_date = today
    case.deadline = compute_deadline(case)


def _last_material_arrival(case: Case, today: dt.date) -> dt.date:
    """The day the last missing material arrived: for each material the one-time notice asked for,
    the day the resident handed it in online (the latest ``resident_supplement`` after the notice
    naming it), otherwise today (handed in at the window now). Never before the notice."""
    missing = [str(m.get("code")) for m in (case.notice.get("missing") or [])]
    if not missing:
        return today
    notice = (
        case.events.filter(action__in=["request_correction", "correction_override"]).order_by("-seq").first()
    )
    online = case.events.filter(action="resident_supplement")
    if notice is not None:
        online = online.filter(seq__gt=notice.seq)
    arrived: dict[str, dt.date] = {}
    for e in online.order_by("seq"):
        for m in e.data.get("materials") or []:
            arrived[str(m.get("code"))] = timezone.localtime(e.at).date()
    # a material not handed in online arrives with this action, at the window, today
    return min(max(arrived.get(code, today) for code in missing), today)


def _deem_accepted(case: Case, *, now: dt.datetime) -> None:
    """行政许可法 art. 32: the notice period passed: accepted as of the day the materials arrived."""
    case.state = State.ACCEPTED
    case.accepted_at = now
    case.accept_date = received_date(case)
    case.deemed_accepted = True
    case.deadline = compute_deadline(case)


def joint_departments(version: ItemVersion) -> list[Department]:
    """The departments that review a 联办件 in parallel: the implementing one plus the listed ones."""
    if version.type != ItemType.JOINT:
        return []
    codes = [c for c in (version.joint_departments or []) if c != version.department.code]
    extra = list(Department.objects.filter(code__in=codes))
    missing = set(codes) - {d.code for d in extra}
    if missing:
        raise Conflict(f"联办部门不存在：{'、'.join(sorted(missing))}", code="unknown_department")
    return [version.department, *extra]


def _open_joint_reviews(case: Case) -> None:
    for dept in joint_departments(case.item_version):
        CaseReview.objects.get_or_create(case=case, department=dept, defaults={"deadline": case.deadline})


def _decide_immediately(case: Case, ev: dict[str, Any]) -> None:
    """即办件: decided at the window in the same visit."""
    now = timezone.now()
    Case.objects.filter(pk=case.pk).update(
        state=State.APPROVED, decided_at=now, state_since=now, version=F("version") + 1
    )
    case.state, case.decided_at = State.APPROVED, now
    case.version += 1
    _append_event(
        case,
        action="approve",
        state_from=State.ACCEPTED,
        state_to=State.APPROVED,
        note="即办件当场办结",
        data={"department": case.centre.name, "centre_code": case.centre.code},
        **ev,
    )


# --- transitions ---------------------------------------------------------------------------------


def case_get_for_user(user: Any, number: str, *, for_update: bool = False) -> Case:
    """The case if it is in the user's jurisdiction; otherwise 404 (existence does not leak)."""
    from onewindow.cases.selectors import case_scope

    qs = case_scope(user, Case.objects.all()).select_related(
        "item_version", "centre__jurisdiction", "queue_department__jurisdiction", "applicant"
    )
    case = qs.filter(number=number).first()
    if case is None:
        case = _case_of_own_proxy_request(user, number)
    if case is None:
        raise NotFound(f"办件 {number} 不存在", code="not_found")
    return case


def _case_of_own_proxy_request(user: Any, number: str) -> Case | None:
    """The one exception to jurisdiction scoping, for the proxy service (代为取件、送达):

    a user with the ``agent`` role reaches a case that was created from a proxy request of THEIR OWN
    (``ProxyRequest.agent == user``, through the reverse relation ``proxy_requests`` that the proxy app
    declares on Case), although the accepting centre (township/county) lies outside the agent's
    village. No other case of that centre becomes visible, and the TRANSITIONS table still decides what
    the agent may do (among agent actions only ``deliver``).
    """
    if Role.AGENT not in access.roles_of(user):
        return None
    return (
        Case.objects.select_related(
            "item_version", "centre__jurisdiction", "queue_department__jurisdiction", "applicant"
        )
        .filter(number=number, proxy_requests__agent=user)
        .first()
    )


def _refusal(staff: Any, case: Case, t: Any) -> str:
    """The Chinese message of a refused act: names the competent body for a decision."""
    if t.action in {"approve", "deny", "escalate", "suspend", "resume"}:
        return (
            f"「{t.label}」由审批部门（{case.queue_department.name}）的审批人员决定，您无权对该办件作出此操作"
        )
    if t.action in {"assign", "extend"} and Role.CENTRE_HEAD in staff.role_list:
        return f"该办件在{case.queue_department.name}的审批队列中，不属于本中心负责人督办范围"
    return f"您的角色不能对该办件执行「{t.label}」"


def _deciding_body(staff: Any, case: Case) -> dict[str, Any]:
    """Who decides, recorded on the approve/deny event: the reviewer's department, or the accepting
    centre's window for a 即办件 decided there."""
    dept_roles = {Role.REVIEWER, Role.DEPT_HEAD} & set(staff.role_list)
    if dept_roles and staff.department_id == case.queue_department_id:
        return {"department": case.queue_department.name, "department_code": case.queue_department.code}
    centre = staff.centre or case.centre
    return {"department": centre.name, "centre_code": centre.code}


@retry_atomic
def case_transition(
    *,
    actor: Any,
    number: str,
    action: str,
    note: str = "",
    reason: str = "",
    materials: list[dict[str, Any]] | None = None,
    to: str | None = None,
    signed_by: str = "",
    tracking_number: str = "",
    days: int | None = None,
    override_reason: str = "",
    assignee: Any = None,
    basis: str = "",
    approver: str = "",
) -> Case:
    """One act on a case. Who may take it is :func:`onewindow.cases.workflow.may_act` (403 otherwise);
    ``reject`` (不予受理) and ``deny`` (不予许可) need a ``reason`` and a legal ``basis`` (422)."""
    staff, roles = _actor_context(actor)
    case = case_get_for_user(actor, number)
    t = TRANSITIONS.get(action)
    if t is None:
        raise Invalid(f"未知的操作 {action}", code="unknown_action", details={"action": sorted(TRANSITIONS)})
    if not may_act(staff, case, action):
        raise Forbidden(_refusal(staff, case, t))
    if case.state not in t.sources:
        raise Conflict(
            f"办件当前状态为「{State(case.state).label}」，不能执行「{t.label}」",
            code="invalid_transition",
            details={"state": case.state, "action": action},
        )
    if t.reason_required and not (reason or "").strip():
        raise Invalid(f"「{t.label}」须写明理由", code="reason_required", details={"reason": ["必填"]})
    if action == "reject" and not basis.strip():
        basis = note  # the legal basis of 不予受理 used to travel in ``note``; still accepted
    if action in BASIS_REQUIRED and not basis.strip():
        raise Invalid(f"「{t.label}」须写明法律依据", code="reason_required", details={"basis": ["必填"]})
    joint_review: CaseReview | None = None
    if action in {"approve", "deny"} and case.item_version.type == ItemType.JOINT:
        joint_review = CaseReview.objects.filter(
            case=case, department_id=staff.department_id, state=ReviewState.PENDING
        ).first()
    now = timezone.now()
    today = local_today()
    changes: dict[str, Any] = {}
    data: dict[str, Any] = {}
    target = t.target or case.state
    if action == "accept":
        checklist, missing = check_materials(
            case.item_version, materials if materials is not None else case.materials
        )
        if missing:
            raise Invalid(
                "仍有必需材料未提交，请出具一次性告知书",
                code="materials_missing",
                details={"missing": missing},
            )
        changes.update(materials=checklist)
        if case.state == State.SUBMITTED and today > notice_due(case):
            _deem_accepted(case, now=now)  # checked after the 5 days: counts from receipt all the same
            changes["deemed_accepted"] = True
            note = (note or "").strip() or DEEMED_NOTE
            data["deemed"] = True
        else:
            _accept(case, now=now, today=today)
        changes.update(accepted_at=case.accepted_at, accept_date=case.accept_date, deadline=case.deadline)
        changes["deadline_provisional"] = case.deadline_provisional
        data["accept_date"] = case.accept_date.isoformat() if case.accept_date else None
    elif action in {"request_correction", "supplement"}:
        given = materials if materials is not None else case.materials
        if action == "supplement":
            merged = {m["code"]: dict(m) for m in case.materials}
            for m in given:
                merged.setdefault(str(m.get("code")), {}).update(
                    {k: v for k, v in m.items() if k in {"code", "provided", "note"}}
                )
            given = list(merged.values())
        checklist, missing = check_materials(case.item_version, given)
        changes["materials"] = checklist
        if action == "supplement" and not missing:
            # acceptance day = the day the last missing material arrived (online or at the window),
            # not the day the clerk records it
            _accept(case, now=now, today=_last_material_arrival(case, today))
            changes.update(accepted_at=case.accepted_at, accept_date=case.accept_date, deadline=case.deadline)
            changes["deadline_provisional"] = case.deadline_provisional
            data["accept_date"] = case.accept_date.isoformat() if case.accept_date else None
        else:
            if not missing:
                raise Invalid("材料齐全，无需补正，请直接受理", code="materials_complete")
            if case.state == State.SUBMITTED and today > notice_due(case):
                raise Conflict(
                    f"收到材料已超过{NOTICE_DAYS}个工作日未告知，依法自收到材料之日起即为受理，不能再要求补正",
                    code="notice_period_passed",
                    details={"notice_due": notice_due(case).isoformat()},
                )
            if case.correction_count >= 1:
                if Role.CENTRE_HEAD not in roles or not override_reason.strip():
                    raise Conflict(
                        "一次性告知已出具，不得再次要求补正；确需再次告知的，须由中心负责人批准并写明理由",
                        code="second_notice_refused",
                        details={"missing": missing},
                    )
                changes["correction_overrides"] = case.correction_overrides + 1
                data["override_reason"] = override_reason.strip()
            changes["correction_count"] = case.correction_count + 1
            changes["notice"] = {"kind": "correction", "missing": missing, "issued_at": now.isoformat()}
            target = State.CORRECTION_NEEDED
            action = "correction_override" if case.correction_count >= 1 else "request_correction"
            data["missing"] = missing
    elif action == "reject":
        changes.update(
            decision_reason=reason.strip(),
            decided_at=now,
            notice={"kind": "rejection", "reason": reason.strip(), "basis": basis.strip()},
        )
        data["basis"] = basis.strip()
    elif action == "assign":
        changes["assignee"] = assignee or actor
    elif action in {"approve", "deny"} and joint_review is not None:
        # 联办件: record this department's answer; the case is decided when all approved or one denied
        answer = ReviewState.APPROVED if action == "approve" else ReviewState.DENIED
        CaseReview.objects.filter(pk=joint_review.pk).update(
            state=answer, decided_at=now, reason=(reason or note).strip()
        )
        data.update(
            department=joint_review.department.name,
            department_code=joint_review.department.code,
            answer=answer,
        )
        pending = CaseReview.objects.filter(case=case, state=ReviewState.PENDING).exists()
        if answer == ReviewState.APPROVED and pending:
            target = State.IN_REVIEW
            action = "joint_approve"
        else:
            changes.update(decided_at=now, decision_reason=(reason or note).strip())
        if action == "deny":
            data["basis"] = basis.strip()
    elif action in {"approve", "deny"}:
        changes.update(decided_at=now, decision_reason=(reason or note).strip())
        data.update(_deciding_body(staff, case))
        if action == "deny":
            data["basis"] = basis.strip()
    elif action == "escalate":
        upper = _upper_department(case.queue_department)
        changes.update(
            queue_department=upper,
            queue_level=upper.jurisdiction.level,
            queue_path=upper.jurisdiction.path,
            assignee=None,
        )
        data.update(from_department=case.queue_department.name, to_department=upper.name)
    elif action == "suspend":
        changes["suspended_since"] = today
        data["reason"] = reason.strip()
    elif action == "resume":
        paused = WorkCalendar().workdays_between(case.suspended_since or today, today)
        case.paused_days += paused
        changes.update(paused_days=case.paused_days, suspended_since=None, deadline=compute_deadline(case))
        changes["deadline_provisional"] = case.deadline_provisional
        data["paused_days"] = paused
    elif action == "extend":
        if Role.CENTRE_HEAD not in roles and staff.department_id != case.queue_department_id:
            raise Forbidden("该办件不由您的部门决定，不能办理延期")
        if days is None or days < 1:
            raise Invalid("请填写延期的工作日数", code="invalid", details={"days": ["应≥1"]})
        limit = case.item_version.extension_limit
        if case.extended_days + days > limit:
            raise Invalid(
                f"延期合计不得超过{limit}个工作日（已延期{case.extended_days}日）",
                code="extension_too_long",
                details={"days": [f"最多还可延期{max(0, limit - case.extended_days)}日"]},
            )
        head = extension_approver(case, approver or "", staff)
        case.extended_days += days
        changes.update(extended_days=case.extended_days, deadline=compute_deadline(case))
        changes["deadline_provisional"] = case.deadline_provisional
        data.update(
            days=days,
            rule=case.item_version.extension_rule,
            approver=head.name,
            approver_post=head.post or "",
            approver_id=head.pk,
        )
    elif action == "ready":
        changes["ready_at"] = now
    elif action == "deliver":
        if to not in Delivery.values:
            raise Invalid("请选择送达方式：window / post / agent", code="invalid", details={"to": ["必填"]})
        if to == Delivery.POST and not tracking_number.strip():
            raise Invalid("邮寄送达须填写邮寄单号", code="invalid", details={"tracking_number": ["必填"]})
        if to != Delivery.POST and not signed_by.strip():
            raise Invalid("请填写签收人", code="invalid", details={"signed_by": ["必填"]})
        changes.update(
            delivered_at=now,
            delivery=to,
            signed_by=signed_by.strip()[:50],
            tracking_number=tracking_number.strip()[:50],
        )
        data.update(to=to, signed_by=signed_by.strip(), tracking_number=tracking_number.strip())
    elif action == "withdraw":
        changes["decided_at"] = now
    if target != case.state:
        changes["state_since"] = now
    updated = Case.objects.filter(pk=case.pk, version=case.version).update(
        state=target, version=F("version") + 1, **changes
    )
    if not updated:
        raise Conflict("办件已被他人处理，请刷新后重试", code="conflict")
    state_from = case.state
    case.refresh_from_db()
    if target == State.ACCEPTED and action in {"accept", "supplement"}:
        _open_joint_reviews(case)
    _append_event(
        case,
        actor=actor,
        staff=staff,
        role=acting_role(staff, case, t.action),
        action=action,
        state_from=state_from,
        state_to=target,
        note=(reason or note).strip(),
        data=data,
    )
    return case


@retry_atomic
def case_resident_supplement(*, actor: Any, number: str, materials: list[dict[str, Any]]) -> Case:
    """补正材料已提交: the resident hands in the corrected materials online. The case stays
    ``correction_needed``; the window checks them and runs ``supplement`` (→ accepted)."""
    resident = _self_service_resident(actor)
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
    _append_event(
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


def extension_approvers(case: Case) -> list[Staff]:
    """Who may approve extending the case (行政许可法 art. 42): the head of the deciding body.

    An ordinary item (para. 1, 本行政机关负责人): a ``dept_head`` of the deciding department. A 联办件
    (para. 2, 本级人民政府负责人): also the head of the government service centre at the deciding
    department's level (``centre_head`` of a centre in that jurisdiction)."""
    dept = case.queue_department
    heads = Staff.objects.filter(department=dept, roles__role=Role.DEPT_HEAD)
    if case.item_version.extension_rule == ExtensionRule.JOINT:
        heads = heads | Staff.objects.filter(
            centre__jurisdiction=dept.jurisdiction_id, roles__role=Role.CENTRE_HEAD
        )
    return list(heads.distinct().order_by("name"))


def extension_approver(case: Case, approver: str, actor_staff: Staff) -> Staff:
    """The approver named on the extension (a username; empty: the actor, when they qualify)."""
    allowed = extension_approvers(case)
    names = "、".join(s.name for s in allowed) or "无（请先在部门中设置部门负责人）"
    wanted = approver.strip()
    chosen = next(
        (s for s in allowed if (s.user.get_username() == wanted if wanted else s.pk == actor_staff.pk)),
        None,
    )
    if chosen is None:
        raise Invalid(
            f"延期须经决定机关负责人批准，请填写批准人（可选：{names}）",
            code="approver_required" if not wanted else "invalid_approver",
            details={"approver": [s.user.get_username() for s in allowed] or ["无"]},
        )
    return chosen


@retry_atomic
def case_deem_accepted(case_id: int, *, today: dt.date, cal: WorkCalendar | None = None) -> bool:
    """The periodic scan's half of art. 32: a submitted case whose 5-working-day notice period has
    passed is accepted as of the day of receipt. Idempotent and race-safe (conditional update)."""
    case = Case.objects.select_related("centre__jurisdiction", "queue_department__jurisdiction").get(
        pk=case_id
    )
    if case.state != State.SUBMITTED or today <= notice_due(case, cal):
        return False
    now = timezone.now()
    before = case.version
    _deem_accepted(case, now=now)
    updated = Case.objects.filter(pk=case.pk, state=State.SUBMITTED, version=before).update(
        state=State.ACCEPTED,
        accepted_at=case.accepted_at,
        accept_date=case.accept_date,
        deemed_accepted=True,
        deadline=case.deadline,
        deadline_provisional=case.deadline_provisional,
        state_since=now,
        version=F("version") + 1,
    )
    if not updated:
        return False
    case.refresh_from_db()
    _open_joint_reviews(case)
    _append_event(
        case,
        actor=None,
        staff=None,
        role="system",
        action="deemed_accept",
        state_from=State.SUBMITTED,
        state_to=State.ACCEPTED,
        note=DEEMED_NOTE,
        data={
            "received": received_date(case).isoformat(),
            "notice_due": notice_due(case, cal).isoformat(),
            "accept_date": case.accept_date.isoformat() if case.accept_date else None,
            "deadline": case.deadline.isoformat() if case.deadline else None,
        },
    )
    return True


def _upper_department(dept: Department) -> Department:
    parent = dept.jurisdiction.parent
    if parent is None:
        raise Conflict("已是最高层级，不能再上报", code="no_upper_level")
    upper = Department.objects.filter(jurisdiction=parent, short_name=dept.short_name).first()
    if upper is None:
        upper = Department.objects.filter(
            jurisdiction__path__startswith=parent.path, short_name=dept.short_name
        ).first()
    if upper is None:
        raise Conflict(f"上级没有「{dept.short_name}」部门，无法上报", code="no_upper_department")
    return upper


# --- applicant correction ------------------------------------------------------------------------

CORRECTION_ROLES = frozenset({Role.CLERK, Role.CENTRE_HEAD, Role.REVIEWER, Role.DEPT_HEAD})


@retry_atomic
def case_applicant_correct(
    *,
    actor: Any,
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
    from onewindow.cases.selectors import case_handled_by
    from onewindow.privacy.masking import mask_address, mask_name, mask_phone

    staff, roles = _actor_context(actor)
    case = case_get_for_user(actor, number, for_update=True)
    if not set(roles) & CORRECTION_ROLES or not case_handled_by(actor, case):
        raise Forbidden("只有办理该办件的工作人员可以更正申请人信息", code="not_case_handler")
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = ["请写明更正理由"]
    new = {"name": case.applicant_name, "phone": case.applicant_phone, "address": case.applicant_address}
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
        raise Invalid(next(iter(errors.values()))[0], code=code, details=errors)
    old = {"name": case.applicant_name, "phone": case.applicant_phone, "address": case.applicant_address}
    changed = [f for f in ("name", "phone", "address") if (old[f] or "") != (new[f] or "")]
    if not changed:
        raise Invalid("申请人信息没有变化", code="nothing_changed", details={"name": ["没有变化"]})
    updated = Case.objects.filter(pk=case.pk, version=case.version).update(
        applicant_name=new["name"],
        applicant_phone=new["phone"],
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
    _append_event(
        case,
        actor=actor,
        staff=staff,
        role=_acting_role(roles, CORRECTION_ROLES),
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
