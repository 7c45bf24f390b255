"""Every write of the feedback app: 好差评, rectification, appeal, default ratings, complaints, notices.

Which cases can be rated: a case whose service has ended for the applicant — ``delivered`` (result
handed over) or ``not_accepted`` (refused at the window, also a service people rate). Anything still
open is refused with 409 ``not_ratable``.

Every change sends ``onewindow.core.signals.rating_changed`` / ``complaint_event`` inside its transaction.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from onewindow.cases.checkguard import progress_lookup
from onewindow.cases.models import Case, CaseEvent, State
from onewindow.core import audit, signals, visits
from onewindow.core.counters import next_value
from onewindow.core.errors import Conflict, Forbidden, Invalid, NotFound
from onewindow.core.locking import retry_atomic
from onewindow.feedback.models import (
    OFFLINE_INDICATORS,
    ONLINE_INDICATORS,
    AppealState,
    Complaint,
    ComplaintCategory,
    ComplaintCounter,
    ComplaintSource,
    ComplaintState,
    ComplaintStep,
    Level,
    Notice,
    NoticeKind,
    Rating,
    RatingAppeal,
    RatingChannel,
    Rectification,
    RectOutcome,
    RectState,
)
from onewindow.files.services import store_upload
from onewindow.notify.services import notify
from onewindow.org import access
from onewindow.org.access import Perm
from onewindow.org.models import Centre, Jurisdiction, Role, Staff
from onewindow.privacy.masking import mask_id_number, mask_phone
from onewindow.worktime.calendar import WorkCalendar

RATABLE_STATES = frozenset({State.DELIVERED, State.NOT_ACCEPTED})
PUBLIC_CHANNELS = frozenset({RatingChannel.ONLINE, RatingChannel.SMS, RatingChannel.WINDOW})
LEVEL_MESSAGE = "评价等级应为1（非常不满意）到5（非常满意）之间的整数"


def local_today() -> dt.date:
    return timezone.localdate()


def rectify_days() -> int:
    return int(getattr(settings, "RATING_RECTIFY_DAYS", 15))


def default_days() -> int:
    return int(getattr(settings, "RATING_DEFAULT_DAYS", 7))


def _audit(action: str, *, user: Any, obj: str, details: dict[str, Any] | None = None) -> None:
    audit.record(action, user=user, obj=obj, details=details)


# --- ratings -------------------------------------------------------------------------------------


def validate_level(level: Any, field: str = "level") -> int:
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 5:
        raise Invalid(LEVEL_MESSAGE, code="invalid_level", details={field: [LEVEL_MESSAGE]})
    return level


def indicator_names(channel: str) -> dict[str, str]:
    """The standard indicators of a channel: offline (window) or online (everything else)."""
    return OFFLINE_INDICATORS if channel == RatingChannel.WINDOW else ONLINE_INDICATORS


def validate_indicators(indicators: dict[str, Any] | None, channel: str) -> dict[str, int]:
    names = indicator_names(channel)
    out: dict[str, int] = {}
    errors: dict[str, list[str]] = {}
    for key, value in (indicators or {}).items():
        if key not in names:
            errors[f"indicators.{key}"] = [f"未知的评价指标，可选：{'、'.join(names)}"]
        elif isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            errors[f"indicators.{key}"] = [f"{names[key]}的评价应为1到5"]
        else:
            out[key] = value
    if errors:
        raise Invalid("分项评价填写有误", code="invalid_indicators", details=errors)
    return out


def _agent_of(case: Case) -> Any:
    """The village agent who handled the case (a rating of a proxy case rates the agent's service too)."""
    event = (
        CaseEvent.objects.filter(case=case, role="agent", actor__isnull=False)
        .select_related("actor")
        .order_by("seq")
        .first()
    )
    return event.actor if event is not None else None


def _handler_of(case: Case) -> Any:
    """The staff member who accepted the case at the window (the first timeline actor)."""
    event = (
        CaseEvent.objects.filter(case=case, actor__isnull=False)
        .select_related("actor")
        .order_by("seq")
        .first()
    )
    return event.actor if event is not None else None


def _open_rectification(rating: Rating) -> Rectification:
    today = timezone.localdate(rating.created_at)
    deadline = WorkCalendar().add_workdays(today, rectify_days())
    rect = Rectification.objects.create(
        rating=rating, centre=rating.centre, opened_on=today, deadline=deadline
    )
    heads = Staff.objects.filter(centre=rating.centre, roles__role=Role.CENTRE_HEAD).select_related("user")
    for head in heads:
        notify(
            "rating_bad",
            channel="inbox",
            user=head.user,
            case_number=rating.case.number if rating.case is not None else "",
            context={
                "centre": rating.centre.name,
                "level": str(Level(rating.level).label),
                "deadline": f"{deadline:%Y-%m-%d}",
            },
        )
    return rect


def _send(rating: Rating, action: str) -> None:
    signals.rating_changed.send(sender=Rating, rating=rating, action=action)


def _supersede_default(case: Case, now: dt.datetime) -> None:
    """A real rating arriving after the default makes the default void (it no longer counts)."""
    for default in (
        Rating.objects.select_for_update(of=("self",))
        .filter(case=case, channel=RatingChannel.DEFAULT, voided=False)
        .order_by("pk")
    ):
        default.voided = True
        default.voided_at = now
        default.void_reason = "群众已作出评价，默认评价失效"
        default.save(update_fields=["voided", "voided_at", "void_reason"])
        _send(default, "voided")


@retry_atomic
def rating_submit(
    *,
    number: str,
    check: str,
    level: Any,
    comment: str = "",
    channel: str = RatingChannel.ONLINE,
    indicators: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> Rating:
    """一事一评: the applicant (proved by the progress check code: 实名) rates a finished case."""
    level = validate_level(level)
    if channel not in PUBLIC_CHANNELS:
        raise Invalid(
            "评价渠道有误", code="invalid_channel", details={"channel": ["可选：online、sms、window"]}
        )
    scores = validate_indicators(indicators, channel)
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise Invalid("评价意见不能超过500字", code="invalid", details={"comment": ["不能超过500字"]})
    found = progress_lookup(number, check)
    now = now or timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related("centre").get(pk=found.pk)
        if case.state not in RATABLE_STATES:
            raise Conflict("办件办结（送达）后才能评价", code="not_ratable", details={"state": case.state})
        if Rating.objects.filter(case=case, channel=channel).exists():
            raise Conflict("该办件已通过此渠道评价过，每个渠道只能评价一次", code="already_rated")
        _supersede_default(case, now)
        try:
            with transaction.atomic():
                rating = Rating.objects.create(
                    case=case,
                    centre=case.centre,
                    item_id=case.item_id,
                    level=level,
                    channel=channel,
                    indicators=scores,
                    comment=comment,
                    real_name=True,
                    created_at=now,
                    agent=_agent_of(case),
                    staff_user=_handler_of(case),
                )
        except IntegrityError:
            raise Conflict("该办件已通过此渠道评价过，每个渠道只能评价一次", code="already_rated") from None
        _send(rating, "created")
        if rating.is_bad:
            _open_rectification(rating)
    return rating


def rating_record_follow_up(
    *,
    case: Case,
    agent: Any,
    satisfied: bool,
    comment: str = "",
    now: dt.datetime | None = None,
) -> Rating:
    """回访评价: the proxy follow-up (回访) records whether the resident was satisfied with the agent.

    A rating of the agent's service (``agent`` set, channel ``visit``): 满意 → 4, 不满意 → 2 (a 差评,
    rectified like any other). One per case: a second follow-up of the same case returns the first
    rating. Counts like every rating (``rating_changed``), so agent satisfaction reaches the ledger.
    Runs inside the caller's transaction.
    """
    now = now or timezone.now()
    existing = Rating.objects.filter(case=case, channel=RatingChannel.VISIT).first()
    if existing is not None:
        return existing
    _supersede_default(case, now)
    text = (comment or "").strip()[:500]
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                case=case,
                centre_id=case.centre_id,
                item_id=case.item_id,
                level=Level.SATISFIED if satisfied else Level.DISSATISFIED,
                channel=RatingChannel.VISIT,
                comment=text,
                real_name=True,
                created_at=now,
                agent=agent,
            )
    except IntegrityError:  # a concurrent follow-up recorded it first
        return Rating.objects.get(case=case, channel=RatingChannel.VISIT)
    _send(rating, "created")
    if rating.is_bad:
        _open_rectification(rating)
    return rating


def last_served_ticket(actor: Any) -> Any:
    """The ticket the actor finished most recently today and nobody has rated yet (the window pad)."""
    rated = Rating.objects.filter(ticket__isnull=False).values("ticket_id")
    return visits.provider().last_served(actor, exclude=rated)


@retry_atomic
def rating_submit_ticket(
    *,
    actor: Any,
    ticket: int,
    level: Any,
    indicators: dict[str, Any] | None = None,
    comment: str = "",
    now: dt.datetime | None = None,
) -> Rating:
    """一次一评 on the window pad: the visitor rates the ticket just served at this window."""
    level = validate_level(level)
    scores = validate_indicators(indicators, RatingChannel.WINDOW)
    staff = access.staff_of(actor)
    if staff is None:
        raise Forbidden("您的账号未关联工作人员信息", code="no_staff_profile")
    now = now or timezone.now()
    with transaction.atomic():
        t = visits.provider().lock_in_scope(actor, ticket)
        if not visits.provider().is_finished(t):
            raise Conflict("该号办理结束后才能评价", code="not_ratable")
        if Rating.objects.filter(ticket=t).exists():
            raise Conflict("该号已评价过", code="already_rated")
        case = Case.objects.filter(number=t.case_number).first() if t.case_number else None
        if case is not None and Rating.objects.filter(case=case, channel=RatingChannel.WINDOW).exists():
            case = None  # the case already has its window rating: this one rates the visit only
        try:
            with transaction.atomic():
                rating = Rating.objects.create(
                    case=case,
                    ticket=t,
                    centre=t.centre,
                    item_id=case.item_id if case is not None else None,
                    level=level,
                    channel=RatingChannel.WINDOW,
                    indicators=scores,
                    comment=(comment or "").strip()[:500],
                    real_name=False,
                    created_at=now,
                    staff_user=t.called_by,
                )
        except IntegrityError:
            raise Conflict("该号已评价过", code="already_rated") from None
        _send(rating, "created")
        if rating.is_bad:
            _open_rectification(rating)
    return rating


def rating_apply_defaults(*, now: dt.datetime | None = None) -> int:
    """基本满意 (3, is_default) for cases delivered ≥ RATING_DEFAULT_DAYS natural days ago and unrated.

    Idempotent: the unique (case, channel) constraint claims each case once, however often it runs.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=default_days())
    qs = (
        Case.objects.filter(state=State.DELIVERED, delivered_at__lte=cutoff, ratings__isnull=True)
        .only("pk", "centre_id", "item_id")
        .order_by("pk")
    )
    created = 0
    for case in qs.iterator():
        try:
            with transaction.atomic():
                if Rating.objects.filter(case_id=case.pk).exists():
                    continue
                rating = Rating.objects.create(
                    case_id=case.pk,
                    centre_id=case.centre_id,
                    item_id=case.item_id,
                    level=Level.BASIC,
                    channel=RatingChannel.DEFAULT,
                    is_default=True,
                    created_at=now,
                    comment="逾期未评价，系统默认基本满意",
                )
                _send(rating, "defaulted")
                created += 1
        except IntegrityError:  # a concurrent run claimed it
            continue
    return created


# --- rectification -------------------------------------------------------------------------------

RECT_PATH = "centre__jurisdiction__path"


def rectification_get_for_user(user: Any, pk: int, *, lock: bool = False) -> Rectification:
    access.require_perm(user, Perm.FEEDBACK_VIEW)
    qs = Rectification.objects.select_related("rating", "rating__case", "rating__item", "centre")
    if lock:
        qs = qs.select_for_update(of=("self",))
    return access.get_in_scope_or_404(user, qs, RECT_PATH, pk=pk)


def _required(text: str, field: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise Invalid(message, code="invalid", details={field: [message]})
    return text


def rectification_callback(*, actor: Any, pk: int, note: str) -> Rectification:
    """回访核实: the handling centre has called the rater back and verified the complaint."""
    access.require_perm(actor, Perm.FEEDBACK_HANDLE)
    note = _required(note, "note", "请填写回访核实情况")
    with transaction.atomic():
        rect = rectification_get_for_user(actor, pk, lock=True)
        if rect.state != RectState.CALLBACK:
            raise Conflict("当前状态不能登记回访", code="invalid_transition", details={"state": rect.state})
        rect.state = RectState.RECTIFYING
        rect.callback_at = timezone.now()
        rect.callback_by = actor
        rect.callback_note = note
        rect.save(update_fields=["state", "callback_at", "callback_by", "callback_note"])
        _send(rect.rating, "callback")
    return rect


def rectification_close(
    *, actor: Any, pk: int, outcome: str, note: str, public_note: str, now: dt.datetime | None = None
) -> Rectification:
    """Rectified, or explained (the request had no legal basis): closes the rectification."""
    access.require_perm(actor, Perm.FEEDBACK_HANDLE)
    if outcome not in RectOutcome.values:
        raise Invalid(
            "请选择整改或解释说明", code="invalid", details={"outcome": ["可选：rectified、explained"]}
        )
    note = _required(note, "note", "请填写整改措施或解释说明")
    public_note = _required(public_note, "public_note", "请填写对外公开的说明（不含个人信息）")
    with transaction.atomic():
        rect = rectification_get_for_user(actor, pk, lock=True)
        if rect.state == RectState.CALLBACK:
            raise Conflict("请先回访核实，再整改或解释", code="callback_first")
        if rect.state != RectState.RECTIFYING:
            raise Conflict("该整改已办结", code="invalid_transition", details={"state": rect.state})
        rect.state = RectState.CLOSED
        rect.outcome = outcome
        rect.outcome_note = note
        rect.public_note = scrub(public_note)
        rect.closed_at = now or timezone.now()
        rect.closed_by = actor
        rect.save(update_fields=["state", "outcome", "outcome_note", "public_note", "closed_at", "closed_by"])
        _send(rect.rating, "rectified")
    return rect


@retry_atomic
def rectification_rate_fix(*, number: str, check: str, level: Any) -> Rectification:
    """The rater scores the fix once the rectification is closed."""
    level = validate_level(level)
    case = progress_lookup(number, check)
    with transaction.atomic():
        rect = (
            Rectification.objects.select_for_update(of=("self",))
            .select_related("rating")
            .filter(rating__case=case, rating__voided=False)
            .order_by("-pk")
            .first()
        )
        if rect is None:
            raise NotFound("该办件没有需要评价的整改", code="not_found")
        if rect.state != RectState.CLOSED:
            raise Conflict("整改办结后才能评价整改结果", code="not_ratable")
        if rect.fix_level is not None:
            raise Conflict("整改结果已评价过", code="already_rated")
        rect.fix_level = level
        rect.fix_rated_at = timezone.now()
        rect.save(update_fields=["fix_level", "fix_rated_at"])
        _send(rect.rating, "fix_rated")
    return rect


def rectification_warning(rect: Rectification, today: dt.date, cal: WorkCalendar | None = None) -> str:
    """none / yellow (≤ 1 working day left) / red (past the deadline, or closed after it)."""
    if rect.state == RectState.VOIDED:
        return "none"
    if rect.state == RectState.CLOSED:
        assert rect.closed_at is not None
        return "red" if timezone.localdate(rect.closed_at) > rect.deadline else "none"
    if today > rect.deadline:
        return "red"
    if (cal or WorkCalendar()).workdays_between(today, rect.deadline) <= 1:
        return "yellow"
    return "none"


# --- appeal (申诉复核) ------------------------------------------------------------------------------


def rating_appeal(*, actor: Any, rating: int, reason: str) -> RatingAppeal:
    access.require_perm(actor, Perm.FEEDBACK_APPEAL)
    reason = _required(reason, "reason", "请填写申诉理由")
    with transaction.atomic():
        r = access.get_in_scope_or_404(
            actor, Rating.objects.select_for_update(of=("self",)), "centre__jurisdiction__path", pk=rating
        )
        if r.voided:
            raise Conflict("该评价已作废", code="already_voided")
        if RatingAppeal.objects.filter(rating=r, state=AppealState.PENDING).exists():
            raise Conflict("该评价已有待复核的申诉", code="appeal_pending")
        appeal = RatingAppeal.objects.create(rating=r, reason=reason, filed_by=actor, filed_at=timezone.now())
        _send(r, "appealed")
        _audit("feedback.rating_appeal", user=actor, obj=f"rating:{r.pk}", details={"appeal": appeal.pk})
    return appeal


def rating_appeal_decide(*, actor: Any, appeal: int, decision: str, note: str) -> RatingAppeal:
    """A supervisor's recorded decision: ``void`` the rating (it leaves every rate) or ``keep`` it."""
    access.require_perm(actor, Perm.FEEDBACK_DECIDE)
    if decision not in ("void", "keep"):
        raise Invalid("请选择作废或维持", code="invalid", details={"decision": ["可选：void、keep"]})
    note = _required(note, "note", "请填写复核决定及理由")
    now = timezone.now()
    with transaction.atomic():
        a = access.get_in_scope_or_404(
            actor,
            RatingAppeal.objects.select_for_update(of=("self",)).select_related("rating"),
            "rating__centre__jurisdiction__path",
            pk=appeal,
        )
        if a.state != AppealState.PENDING:
            raise Conflict("该申诉已复核", code="invalid_transition")
        a.state = AppealState.VOIDED if decision == "void" else AppealState.REJECTED
        a.decision = note
        a.decided_by = actor
        a.decided_at = now
        a.save(update_fields=["state", "decision", "decided_by", "decided_at"])
        rating = Rating.objects.select_for_update(of=("self",)).get(pk=a.rating_id)
        if decision == "void":
            rating.voided = True
            rating.voided_at = now
            rating.void_reason = note
            rating.save(update_fields=["voided", "voided_at", "void_reason"])
            Rectification.objects.filter(rating=rating).exclude(state=RectState.CLOSED).update(
                state=RectState.VOIDED
            )
            _send(rating, "voided")
        _audit(
            "feedback.appeal_decide",
            user=actor,
            obj=f"rating:{rating.pk}",
            details={"appeal": a.pk, "decision": decision},
        )
    return a


# --- complaints, suggestions, 民情信息 -------------------------------------------------------------

COMPLAINT_STEP_DAYS = {
    ComplaintState.COLLECTED: 1,
    ComplaintState.REPORTED: 1,
    ComplaintState.ASSIGNED: 2,
    ComplaintState.HANDLING: 10,
    ComplaintState.ANSWERED: 3,
}
STAFF_SOURCES = frozenset({ComplaintSource.WINDOW, ComplaintSource.PHONE, ComplaintSource.BOX})
COMPLAINT_NOT_FOUND = "未找到该事项，请核对编号和查询码"

_PHONE_RE = re.compile(r"1\d{10}")
_ID_RE = re.compile(r"\d{17}[\dXx]|\d{15}")


def scrub(text: str) -> str:
    """Mask ID numbers and mobile numbers left in a text meant for publication."""
    text = _ID_RE.sub(lambda m: mask_id_number(m.group(0)), text)
    return _PHONE_RE.sub(lambda m: mask_phone(m.group(0)), text)


def step_days(state: str) -> int:
    overrides: dict[str, int] = getattr(settings, "COMPLAINT_STEP_DAYS", {})
    if state in overrides:
        return int(overrides[state])
    return COMPLAINT_STEP_DAYS.get(ComplaintState(state), 3)


def _staff_name(user: Any) -> str:
    staff = access.staff_of(user)
    return staff.name if staff else (getattr(user, "get_username", lambda: "")() or "")


def _open_step(c: Complaint, state: str, owner: Any, owner_name: str, now: dt.datetime) -> None:
    deadline = WorkCalendar().add_workdays(timezone.localdate(now), step_days(state))
    c.state = state
    c.owner = owner
    c.step_deadline = deadline
    ComplaintStep.objects.create(
        complaint=c, state=state, owner=owner, owner_name=owner_name, deadline=deadline, started_at=now
    )


def _root_jurisdiction() -> Jurisdiction:
    root = Jurisdiction.objects.filter(parent__isnull=True).order_by("path").first()
    if root is None:
        raise Invalid("系统尚未配置行政区域", code="no_jurisdiction")
    return root


def complaint_submit(
    *,
    category: str,
    content: str,
    contact: str = "",
    centre: str | None = None,
    jurisdiction: str | None = None,
    source: str = ComplaintSource.ONLINE,
    actor: Any = None,
) -> Complaint:
    """Record a complaint / suggestion / 民情信息 (收集). Window, phone and box intake need a staff actor."""
    errors: dict[str, list[str]] = {}
    content = (content or "").strip()
    if not content:
        errors["content"] = ["请填写内容"]
    elif len(content) > 2000:
        errors["content"] = ["内容不能超过2000字"]
    if category not in ComplaintCategory.values:
        errors["category"] = ["可选：" + "、".join(ComplaintCategory.values)]
    if source not in ComplaintSource.values:
        errors["source"] = ["可选：" + "、".join(ComplaintSource.values)]
    contact = (contact or "").strip()
    if len(contact) > 100:
        errors["contact"] = ["联系方式不能超过100字"]
    if errors:
        message = "请填写投诉、建议的内容" if "content" in errors else "填写的内容有误"
        raise Invalid(message, code="empty_content" if "content" in errors else "invalid", details=errors)
    if source in STAFF_SOURCES:
        access.require_perm(actor, Perm.COMPLAINT_RECORD)
    c_obj: Centre | None = None
    if centre:
        c_obj = Centre.objects.select_related("jurisdiction").filter(code=centre, is_active=True).first()
        if c_obj is None:
            raise Invalid("未知的服务中心", code="unknown_centre", details={"centre": ["未找到该中心"]})
    j_obj: Jurisdiction | None = None
    if jurisdiction:
        j_obj = Jurisdiction.objects.filter(code=jurisdiction).first()
        if j_obj is None:
            raise Invalid("未知的行政区域", code="unknown_jurisdiction", details={"jurisdiction": ["未找到"]})
    if c_obj is None and actor is not None and source in STAFF_SOURCES:
        staff = access.staff_of(actor)
        c_obj = staff.centre if staff is not None else None
    j_final = j_obj or (c_obj.jurisdiction if c_obj is not None else None) or _root_jurisdiction()
    now = timezone.now()
    with transaction.atomic():
        prefix = "TS" + timezone.localdate(now).strftime("%Y%m%d")
        seq = next_value(ComplaintCounter, prefix=prefix)
        c = Complaint(
            number=f"{prefix}{seq:04d}",
            check_code=f"{secrets.randbelow(1_000_000):06d}",
            category=category,
            source=source,
            content=content,
            contact=contact,
            centre=c_obj,
            jurisdiction=j_final,
            recorded_by=actor if source in STAFF_SOURCES else None,
            created_at=now,
            step_deadline=now.date(),
        )
        owner = actor if source in STAFF_SOURCES else None
        where = c_obj.name if c_obj is not None else j_final.name
        owner_name = _staff_name(actor) if owner is not None else f"{where}值班人员"
        c.state = ComplaintState.COLLECTED
        c.step_deadline = WorkCalendar().add_workdays(timezone.localdate(now), step_days(c.state))
        c.owner = owner
        c.save()
        ComplaintStep.objects.create(
            complaint=c,
            state=c.state,
            owner=owner,
            owner_name=owner_name,
            deadline=c.step_deadline,
            started_at=now,
            actor=actor if owner is not None else None,
            note=f"来源：{ComplaintSource(source).label}",
        )
        signals.complaint_event.send(sender=Complaint, complaint=c, action="created")
    return c


def complaint_get_for_user(user: Any, number: str, *, lock: bool = False) -> Complaint:
    access.require_perm(user, Perm.FEEDBACK_VIEW)
    qs = Complaint.objects.select_related("centre", "jurisdiction", "owner")
    if lock:
        qs = qs.select_for_update(of=("self",))
    return access.get_in_scope_or_404(user, qs, "jurisdiction__path", number=number)


def complaint_follow(number: str, check: str) -> Complaint:
    """The complainant's view: number + check code; a wrong code is the same 404 as an unknown number."""
    c = Complaint.objects.select_related("centre").filter(number=(number or "").strip()).first()
    if c is None or not secrets.compare_digest(c.check_code.encode(), (check or "").strip().encode()):
        raise NotFound(COMPLAINT_NOT_FOUND, code="not_found")
    return c


# action → (from state, to state, permission of the actor, whether note is required)
COMPLAINT_ACTIONS: dict[str, tuple[str, str, str, bool]] = {
    "report": (ComplaintState.COLLECTED, ComplaintState.REPORTED, Perm.FEEDBACK_HANDLE, False),
    "assign": (ComplaintState.REPORTED, ComplaintState.ASSIGNED, Perm.FEEDBACK_APPEAL, False),
    "start": (ComplaintState.ASSIGNED, ComplaintState.HANDLING, Perm.FEEDBACK_HANDLE, False),
    "answer": (ComplaintState.HANDLING, ComplaintState.ANSWERED, Perm.FEEDBACK_HANDLE, True),
    "close": (ComplaintState.ANSWERED, ComplaintState.CLOSED, Perm.FEEDBACK_APPEAL, False),
}
COMPLAINT_ACTION_LABELS = {
    "report": "报送",
    "assign": "交办",
    "start": "开始办理",
    "answer": "反馈答复",
    "close": "办结公示",
}


def _may(actor: Any, perm: str) -> bool:
    # supervisors decide / assign at county level as well as centre heads
    return access.has_perm(actor, perm) or (
        perm == Perm.FEEDBACK_APPEAL and access.has_perm(actor, Perm.FEEDBACK_DECIDE)
    )


def complaint_act(
    *,
    actor: Any,
    number: str,
    action: str,
    note: str = "",
    to: str | None = None,
    public_summary: str = "",
) -> Complaint:
    if action not in COMPLAINT_ACTIONS:
        raise Invalid("未知的操作", code="invalid_action", details={"action": list(COMPLAINT_ACTIONS)})
    source, target, perm, note_required = COMPLAINT_ACTIONS[action]
    if not _may(actor, perm):
        raise Forbidden("您的岗位不能执行此操作")
    note = (note or "").strip()
    if note_required and not note:
        raise Invalid("请填写答复内容", code="invalid", details={"note": ["请填写答复内容"]})
    now = timezone.now()
    with transaction.atomic():
        c = complaint_get_for_user(actor, number, lock=True)
        if c.state != source:
            raise Conflict(
                f"当前环节为「{ComplaintState(c.state).label}」，不能{COMPLAINT_ACTION_LABELS[action]}",
                code="invalid_transition",
                details={"state": c.state},
            )
        owner: Any = None
        owner_name = ""
        if action == "assign":
            username = (to or "").strip()
            target_staff = (
                access.scope(actor, Staff.objects.select_related("user"))
                .filter(user__username=username)
                .first()
                if username
                else None
            )
            if target_staff is None:
                raise Invalid("请选择本辖区内的承办人", code="invalid", details={"to": ["未找到该承办人"]})
            owner, owner_name = target_staff.user, target_staff.name
        elif action in ("start", "answer"):
            if (
                action == "start"
                and c.owner_id not in (None, actor.pk)
                and not _may(actor, Perm.FEEDBACK_APPEAL)
            ):
                raise Forbidden("只有承办人可以开始办理")
            owner, owner_name = (
                (actor, _staff_name(actor)) if action == "start" else (None, "中心负责人（审核公示）")
            )
        elif action == "report":
            owner, owner_name = None, "中心负责人（交办）"
        if action == "answer":
            c.answer = note
        if action == "close":
            summary = (public_summary or "").strip()
            if not summary:
                raise Invalid(
                    "请填写公示摘要（不含个人信息）", code="invalid", details={"public_summary": ["请填写"]}
                )
            c.public_summary = scrub(summary)
            c.closed_at = now
        ComplaintStep.objects.filter(complaint=c, finished_at__isnull=True).update(
            finished_at=now, actor=actor, note=note
        )
        if target == ComplaintState.CLOSED:
            c.state = target
            c.owner = None
            ComplaintStep.objects.create(
                complaint=c,
                state=target,
                owner_name="已公示",
                started_at=now,
                finished_at=now,
                actor=actor,
            )
        else:
            _open_step(c, target, owner, owner_name, now)
        c.save()
        signals.complaint_event.send(sender=Complaint, complaint=c, action=action)
        if action == "answer" and c.contact and _PHONE_RE.fullmatch(c.contact):
            notify("complaint_answered", to=c.contact, context={"number": c.number})
    return c


def complaint_overdue(c: Complaint, today: dt.date) -> bool:
    return c.state != ComplaintState.CLOSED and today > c.step_deadline


# --- 三务公开 notice board -------------------------------------------------------------------------


def notice_post(
    *, actor: Any, centre: str, kind: str, title: str, body: str = "", files: list[Any] | None = None
) -> Notice:
    access.require_perm(actor, Perm.NOTICE_POST)
    errors: dict[str, list[str]] = {}
    if kind not in NoticeKind.values:
        errors["kind"] = ["请选择党务、政务或财务公开"]
    title = (title or "").strip()
    if not title:
        errors["title"] = ["请填写标题"]
    if errors:
        raise Invalid("公告填写有误", code="invalid", details=errors)
    c = access.get_in_scope_or_404(actor, Centre.objects.all(), code=centre)
    with transaction.atomic():
        stored = [store_upload(f, user=actor, field="attachments") for f in (files or [])]
        n = Notice.objects.create(
            centre=c,
            kind=kind,
            title=title,
            body=(body or "").strip(),
            posted_by=actor,
            posted_at=timezone.now(),
        )
        if stored:
            n.attachments.add(*stored)
    return n


def notice_withdraw(*, actor: Any, pk: int) -> Notice:
    access.require_perm(actor, Perm.NOTICE_POST)
    n = access.get_in_scope_or_404(actor, Notice.objects.all(), "centre__jurisdiction__path", pk=pk)
    Notice.objects.filter(pk=n.pk).update(withdrawn=True)
    n.withdrawn = True
    return n
