"""好差评: ratings (一事一评, 一次一评, 回访, default), rectification of 差评 and appeals (申诉复核).

Which cases can be rated: a case whose service has ended for the applicant — ``delivered`` (result
handed over) or ``not_accepted`` (refused at the window, also a service people rate). Anything still
open is refused with 409 ``not_ratable``. Every change sends ``core.signals.rating_changed`` inside its
transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from onewindow.cases.checkguard import progress_lookup
from onewindow.cases.models import Case, CaseEvent, State
from onewindow.core import visits
from onewindow.core.actor import Actor
from onewindow.core.errors import Conflict, Invalid, NotFound
from onewindow.core.locking import retry_atomic
from onewindow.feedback.models import (
    BAD_LEVELS,
    OFFLINE_INDICATORS,
    ONLINE_INDICATORS,
    AppealState,
    Level,
    Rating,
    RatingAppeal,
    RatingChannel,
    Rectification,
    RectOutcome,
    RectState,
)
from onewindow.feedback.services.common import (
    audit_record,
    default_days,
    rectify_days,
    required,
    scrub,
    send_rating,
)
from onewindow.feedback.services.rater import tell_rater
from onewindow.notify.services import notify
from onewindow.org import access
from onewindow.org.access import Perm
from onewindow.org.models import Role, Staff
from onewindow.worktime.calendar import WorkCalendar

RATABLE_STATES = frozenset({State.DELIVERED, State.NOT_ACCEPTED})
PUBLIC_CHANNELS = frozenset({RatingChannel.ONLINE, RatingChannel.SMS, RatingChannel.WINDOW})
LEVEL_MESSAGE = "评价等级应为1（非常不满意）到5（非常满意）之间的整数"
REASON_MESSAGE = "请写明不满意的原因（例如哪里让您不满意），以便我们回访和整改"
RECT_PATH = "centre__jurisdiction__path"


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


def _new_rating(on_duplicate: Conflict | Callable[[], Rating], **fields: Any) -> Rating:
    """Insert a real rating (in a savepoint), announce it (``rating_changed``) and open the
    rectification of a 差评. A concurrent duplicate (the unique constraint) raises ``on_duplicate``
    when it is a ``Conflict``, else answers ``on_duplicate()``."""
    try:
        with transaction.atomic():
            rating = Rating.objects.create(**fields)
    except IntegrityError:
        if isinstance(on_duplicate, Conflict):
            raise on_duplicate from None
        return on_duplicate()
    send_rating(rating, "created")
    if rating.is_bad:
        _open_rectification(rating)
    return rating


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
        send_rating(default, "voided")


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
    found = progress_lookup(number, check)  # a wrong check is a 404 whatever else is wrong
    if level in BAD_LEVELS and not comment:
        raise Invalid(REASON_MESSAGE, code="reason_required", details={"comment": [REASON_MESSAGE]})
    now = now or timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related("centre").get(pk=found.pk)
        if case.state not in RATABLE_STATES:
            raise Conflict("办件办结（送达）后才能评价", code="not_ratable", details={"state": case.state})
        if Rating.objects.filter(case=case, channel=channel).exists():
            raise Conflict("该办件已通过此渠道评价过，每个渠道只能评价一次", code="already_rated")
        _supersede_default(case, now)
        return _new_rating(
            Conflict("该办件已通过此渠道评价过，每个渠道只能评价一次", code="already_rated"),
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
    return _new_rating(
        # a concurrent follow-up recorded it first
        lambda: Rating.objects.get(case=case, channel=RatingChannel.VISIT),
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


def rate_visit(t: Any, *, level: int, scores: dict[str, int], comment: str, now: dt.datetime) -> Rating:
    """The window rating of the visit ``t`` (locked by the caller): once, after its service ended. A
    差评 needs its reason (as every 差评 does: the call back and the rectification start from it)."""
    if not visits.provider().is_finished(t):
        raise Conflict("该号办理结束后才能评价", code="not_ratable")
    if Rating.objects.filter(ticket=t).exists():
        raise Conflict("该号已评价过", code="already_rated")
    comment = (comment or "").strip()
    if level in BAD_LEVELS and not comment:
        raise Invalid(REASON_MESSAGE, code="reason_required", details={"comment": [REASON_MESSAGE]})
    case = Case.objects.filter(number=t.case_number).first() if t.case_number else None
    if case is not None and Rating.objects.filter(case=case, channel=RatingChannel.WINDOW).exists():
        case = None  # the case already has its window rating: this one rates the visit only
    return _new_rating(
        Conflict("该号已评价过", code="already_rated"),
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
                send_rating(rating, "defaulted")
                created += 1
        except IntegrityError:  # a concurrent run claimed it
            continue
    return created


# --- rectification -------------------------------------------------------------------------------


def rectification_get_for_user(actor: Actor, pk: int, *, lock: bool = False) -> Rectification:
    access.require_perm(actor, Perm.FEEDBACK_VIEW)
    qs = Rectification.objects.select_related("rating", "rating__case", "rating__item", "centre")
    if lock:
        qs = qs.select_for_update(of=("self",))
    return access.get_in_scope_or_404(actor, qs, RECT_PATH, pk=pk)


def rectification_callback(*, actor: Actor, pk: int, note: str) -> Rectification:
    """回访核实: the handling centre has called the rater back and verified the complaint."""
    access.require_perm(actor, Perm.FEEDBACK_HANDLE)
    note = required(note, "note", "请填写回访核实情况")
    with transaction.atomic():
        rect = rectification_get_for_user(actor, pk, lock=True)
        if rect.state != RectState.CALLBACK:
            raise Conflict("当前状态不能登记回访", code="invalid_transition", details={"state": rect.state})
        rect.state = RectState.RECTIFYING
        rect.callback_at = timezone.now()
        rect.callback_by = actor.user
        rect.callback_note = note
        rect.save(update_fields=["state", "callback_at", "callback_by", "callback_note"])
        send_rating(rect.rating, "callback")
        tell_rater(rect, "rating_rectifying")
    return rect


def rectification_close(
    *, actor: Actor, pk: int, outcome: str, note: str, public_note: str, now: dt.datetime | None = None
) -> Rectification:
    """Rectified, or explained (the request had no legal basis): closes the rectification."""
    access.require_perm(actor, Perm.FEEDBACK_HANDLE)
    if outcome not in RectOutcome.values:
        raise Invalid(
            "请选择整改或解释说明", code="invalid", details={"outcome": ["可选：rectified、explained"]}
        )
    note = required(note, "note", "请填写整改措施或解释说明")
    public_note = required(public_note, "public_note", "请填写对外公开的说明（不含个人信息）")
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
        rect.closed_by = actor.user
        rect.save(update_fields=["state", "outcome", "outcome_note", "public_note", "closed_at", "closed_by"])
        send_rating(rect.rating, "rectified")
        tell_rater(rect, "rating_rectified")
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
        send_rating(rect.rating, "fix_rated")
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


def rating_appeal(*, actor: Actor, rating: int, reason: str) -> RatingAppeal:
    access.require_perm(actor, Perm.FEEDBACK_APPEAL)
    reason = required(reason, "reason", "请填写申诉理由")
    with transaction.atomic():
        r = access.get_in_scope_or_404(
            actor, Rating.objects.select_for_update(of=("self",)), "centre__jurisdiction__path", pk=rating
        )
        if r.voided:
            raise Conflict("该评价已作废", code="already_voided")
        if RatingAppeal.objects.filter(rating=r, state=AppealState.PENDING).exists():
            raise Conflict("该评价已有待复核的申诉", code="appeal_pending")
        appeal = RatingAppeal.objects.create(
            rating=r, reason=reason, filed_by=actor.user, filed_at=timezone.now()
        )
        send_rating(r, "appealed")
        audit_record(
            "feedback.rating_appeal", actor=actor, obj=f"rating:{r.pk}", details={"appeal": appeal.pk}
        )
    return appeal


def rating_appeal_decide(*, actor: Actor, appeal: int, decision: str, note: str) -> RatingAppeal:
    """A supervisor's recorded decision: ``void`` the rating (it leaves every rate) or ``keep`` it."""
    access.require_perm(actor, Perm.FEEDBACK_DECIDE)
    if decision not in ("void", "keep"):
        raise Invalid("请选择作废或维持", code="invalid", details={"decision": ["可选：void、keep"]})
    note = required(note, "note", "请填写复核决定及理由")
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
        a.decided_by = actor.user
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
            send_rating(rating, "voided")
        audit_record(
            "feedback.appeal_decide",
            actor=actor,
            obj=f"rating:{rating.pk}",
            details={"appeal": a.pk, "decision": decision},
        )
    return a
