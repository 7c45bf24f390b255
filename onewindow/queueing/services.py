"""Issuing, calling and handling queue tickets.

Numbers never repeat within a centre/day/category: a counter row is incremented atomically (an UPDATE
with ``F() + 1`` takes the row lock) inside the ticket's transaction. Calling claims a ticket with a
conditional UPDATE (``state = 'waiting'``), so two windows can never get the same ticket.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from onewindow.core import signals
from onewindow.core.actor import Actor
from onewindow.core.counters import next_value
from onewindow.core.errors import Conflict, Forbidden, Invalid, NotFound
from onewindow.core.locking import retry_atomic
from onewindow.org import access, schedule
from onewindow.org.models import Centre, Role, Window, WindowKind
from onewindow.queueing import order
from onewindow.queueing.models import Priority, Ticket, TicketCounter, TicketState

FIXED_PREFIXES = {"comprehensive": "A", "proxy": "D", "consult": "Z"}
DOMAIN_LETTERS = "BCEFGHJKLMNPQRSTUVWXY"


def local_now() -> dt.datetime:
    return timezone.localtime()


def centre_categories(centre: Centre) -> dict[str, str]:
    """Category → number prefix for the categories this centre serves (from its active windows)."""
    cats: dict[str, str] = {}
    domains: set[str] = set()
    for w in centre.windows.filter(is_active=True):
        if w.kind in (WindowKind.COMPREHENSIVE, WindowKind.PROXY, WindowKind.CONSULT):
            cats[w.kind] = FIXED_PREFIXES[w.kind]
        elif w.kind == WindowKind.DOMAIN:
            domains.update(w.domains or [])
    for i, code in enumerate(sorted(domains)):
        cats[code] = DOMAIN_LETTERS[i % len(DOMAIN_LETTERS)]
    return cats


def window_categories(window: Window) -> list[str]:
    if window.kind == WindowKind.DOMAIN:
        return list(window.domains or [])
    if window.kind == WindowKind.COMPREHENSIVE:
        # 无差别全科受理: a comprehensive window serves every category of its centre
        return list(centre_categories(window.centre))
    if window.kind in (WindowKind.PROXY, WindowKind.CONSULT):
        return [window.kind]
    return []


def centre_is_open(centre: Centre, now: dt.datetime) -> bool:
    """Open at ``now`` on the official calendar (holidays, 调休 days, each session's weekdays)."""
    return schedule.open_period(centre, now) is not None


@dataclass(frozen=True)
class HallStatus:
    """What the kiosk can do right now: issue for the open session, for the next one later today (lunch
    break, before opening), or nothing after the day's last session (with when it opens again)."""

    open: bool
    period: schedule.Period | None  # the session the next ticket is for
    can_issue: bool
    message: str


def hall_status(centre: Centre, now: dt.datetime | None = None) -> HallStatus:
    now = now or local_now()
    current = schedule.open_period(centre, now)
    if current is not None:
        return HallStatus(True, current, True, f"正在办理，{current.end:%H:%M} 截止取号")
    upcoming = schedule.next_period(centre, now)
    if upcoming is None:
        return HallStatus(False, None, False, "近期暂无开放时段，请预约或拨打咨询电话")
    text = schedule.opens_text(upcoming, now)
    if upcoming.date == now.date():  # lunch break or before opening: a number for that session
        return HallStatus(False, upcoming, True, f"{text}，现在可取号，开始后按取号先后优先叫号")
    return HallStatus(False, upcoming, False, f"当前不在服务中心开放时间内，{text}，可预约办理")


def waiting_before(ticket: Ticket) -> int:
    """ "前面还有 N 人": the ticket's place in the call order (:mod:`onewindow.queueing.order`)."""
    return order.waiting_before(ticket)


@retry_atomic
def ticket_issue(
    *,
    centre: str,
    category: str,
    priority: str = "",
    actor: Actor | None = None,
    day: dt.date | None = None,
) -> Ticket:
    """Take a number (kiosk, window or API). Public: no login needed.

    The centre's sessions on the official calendar decide: a number for the session that is open, or
    for the next one later the same day (lunch break, before opening: the ticket is for
    that session's day and, issued before the walk-ins, is called first when it opens). ``day`` (an
    appointment's own date at check-in) skips the hours check: the slot already proved that session.
    """
    centre_obj = (
        Centre.objects.filter(code=centre, is_active=True)
        .prefetch_related("hours", "holiday_duties", "windows")
        .first()
    )
    if centre_obj is None:
        raise Invalid(f"服务中心 {centre} 不存在", code="unknown_centre", details={"centre": ["未知"]})
    cats = centre_categories(centre_obj)
    if category not in cats:
        raise Invalid(
            f"本中心不办理该类业务，可选：{'、'.join(cats) or '无'}",
            code="category_not_served",
            details={"category": sorted(cats)},
        )
    if priority not in Priority.values:
        raise Invalid("优先类型无效", code="invalid", details={"priority": [p for p in Priority.values if p]})
    now = local_now()
    status: HallStatus | None = None
    if day is None:
        day = now.date()
        if settings.QUEUE_ENFORCE_HOURS:
            status = hall_status(centre_obj, now)
            if not status.can_issue or status.period is None:
                raise Invalid(
                    status.message, code="centre_closed", details={"opens": _opens_detail(status, now)}
                )
            day = status.period.date
    seq = next_value(TicketCounter, centre=centre_obj, day=day, category=category)
    prefix = cats[category]
    ticket = Ticket.objects.create(
        centre=centre_obj,
        day=day,
        category=category,
        seq=seq,
        number=f"{prefix}{seq:03d}",
        priority=priority,
        issued_at=timezone.now(),
    )
    # not stored: what the slip says when the number is for a session that has not started yet
    ticket.opens_at = None  # type: ignore[attr-defined]
    ticket.opens_text = ""  # type: ignore[attr-defined]
    if status is not None and not status.open and status.period is not None:
        ticket.opens_at = status.period.starts_at(now.tzinfo)  # type: ignore[attr-defined]
        ticket.opens_text = schedule.opens_text(status.period, now)  # type: ignore[attr-defined]
    signals.ticket_event.send(sender=Ticket, ticket=ticket, action="issued")
    return ticket


def _opens_detail(status: HallStatus, now: dt.datetime) -> list[str]:
    return [status.period.starts_at(now.tzinfo).isoformat()] if status.period else []


def _staffed_window(actor: Actor, window_id: int) -> Window:
    staff = actor.staff
    if staff is None:
        raise Forbidden("请使用工作人员账号")
    window = Window.objects.select_related("centre").filter(pk=window_id, is_active=True).first()
    if window is None or not access.in_scope(actor, window.centre.jurisdiction):
        raise NotFound("窗口不存在", code="not_found")
    if staff.centre_id != window.centre_id or not staff.has_role(Role.CLERK, Role.CENTRE_HEAD):
        raise Forbidden("您不在该窗口所属中心值守，不能在此窗口叫号", code="not_your_window")
    return window


PendingCall = Literal["refuse", "skip", "keep"]


def pending_call(window: Window, day: dt.date) -> Ticket | None:
    """The ticket at ``window`` not yet finished — called and not served (``called``), or being served
    (``serving``) — if any."""
    return (
        Ticket.objects.filter(
            centre=window.centre_id,
            day=day,
            window=window,
            state__in=[TicketState.CALLED, TicketState.SERVING],
        )
        .order_by("-called_at")
        .first()
    )


def pending_question(ticket: Ticket) -> str:
    """What calling the next number does to ``ticket`` (the console asks this before it calls)."""
    if ticket.state == TicketState.SERVING:
        return f"{ticket.number} 号正在办理。叫下一位将把 {ticket.number} 号记为办结"
    return f"{ticket.number} 号已叫号，尚未开始办理。叫下一位将把 {ticket.number} 号记为过号"


@retry_atomic
def ticket_call_next(*, actor: Actor, window: int, pending: PendingCall = "keep") -> Ticket:
    """Call the next ticket to ``window`` (waiting → called); 404 ``queue_empty`` when nobody waits.

    The next ticket is the first of :func:`order.queue_for` (the priority rule). While a ticket called
    to this window has not been served (still ``called``): ``pending="refuse"`` (the console without
    its confirm field) answers 409 ``call_pending`` naming it; ``"skip"`` (confirmed) records it as 过号
    and calls the next; ``"keep"`` (the default, the API's contract) leaves it called. A ticket still being
    served (``serving``) is pending too: refused the same way, and confirmed it is finished (办结 — the
    window's rating pad then asks for its rating) rather than skipped."""
    w = _staffed_window(actor, window)
    cats = window_categories(w)
    day = local_now().date()
    for _attempt in range(10):
        with transaction.atomic():
            line = order.queue_for(w.centre_id, day, cats, w.pk)
            if not line:  # said before asking about the pending one: nothing would be called
                raise NotFound("当前没有等候的号", code="queue_empty")
            waiting = pending_call(w, day) if pending != "keep" else None
            if waiting is not None and pending == "refuse":
                raise Conflict(
                    f"{pending_question(waiting)}，请确认",
                    code="call_pending",
                    details={"pending": waiting.number, "state": waiting.state},
                )
            now = timezone.now()
            claimed = Ticket.objects.filter(pk=line[0]["pk"], state=TicketState.WAITING).update(
                state=TicketState.CALLED, window=w, called_at=now, announced_at=now, called_by=actor.user
            )
            if claimed:
                if waiting is not None:
                    done = "finish" if waiting.state == TicketState.SERVING else "skip"
                    ticket_act(actor=actor, ticket=waiting.pk, action=done)
                called = Ticket.objects.select_related("window", "centre").get(pk=line[0]["pk"])
                signals.ticket_event.send(sender=Ticket, ticket=called, action="called")
                return called
    raise Conflict("叫号冲突，请重试", code="conflict")


# --- the ticket's state machine: a transition table ------------------------------------------------
#
# waiting --call (ticket_call_next: claimed by a conditional UPDATE)--> called
# called --recall--> called · called --skip (过号)--> skipped · skipped --requeue--> waiting
# called/serving/waiting --transfer--> waiting · called --serve--> serving · called/serving --finish--> done
#
# Who may: the staff of the ticket's centre (anyone else gets the same 404 as an unknown ticket); a row
# naming ``roles`` further limits it to those roles.


@dataclass(frozen=True)
class TicketArgs:
    """What the caller gave with the action."""

    actor: Actor
    to: str | None
    case_number: str
    window: int | None
    now: dt.datetime


@dataclass(frozen=True)
class TicketTransition:
    sources: frozenset[str]  # the states the ticket must be in
    target: str  # the state it moves to
    handler: Callable[[Ticket, TicketArgs], None]  # the row's own changes (may refuse)
    roles: frozenset[str] | None = None  # None: anyone on the centre's staff


def _recall(t: Ticket, args: TicketArgs) -> None:
    t.recall_count += 1
    t.announced_at = args.now


def _skip(t: Ticket, args: TicketArgs) -> None:
    t.skip_count += 1


def _requeue(t: Ticket, args: TicketArgs) -> None:
    if t.skip_count > 1:
        raise Conflict("过号后只能恢复一次，请重新取号", code="requeue_limit")
    t.window = None
    t.issued_at = args.now  # back in line at the end of its category


def _transfer(t: Ticket, args: TicketArgs) -> None:
    cats = centre_categories(t.centre)
    target: Window | None = None
    if args.window is not None:
        target = Window.objects.filter(pk=args.window, centre=t.centre, is_active=True).first()
        if target is None:
            raise Invalid("目标窗口不存在", code="invalid", details={"window": ["无效"]})
    elif args.to not in cats:
        raise Invalid("请选择转入的业务类别或窗口", code="invalid", details={"to": sorted(cats)})
    if args.to in cats:
        t.category = args.to  # the number stays: the resident keeps the slip in hand
    t.target_window = target
    t.window, t.called_at = None, None
    t.issued_at = args.now


def _serve(t: Ticket, args: TicketArgs) -> None:
    t.serve_started_at = args.now


def _finish(t: Ticket, args: TicketArgs) -> None:
    t.finished_at = args.now
    if not t.serve_started_at:
        t.serve_started_at = t.called_at
    if args.case_number.strip():  # blank keeps the case linked from the workbench (为此号受理)
        t.case_number = args.case_number.strip()[:32]


_S = TicketState
TICKET_ACTIONS: dict[str, TicketTransition] = {
    "recall": TicketTransition(frozenset({_S.CALLED}), _S.CALLED, _recall),
    "skip": TicketTransition(frozenset({_S.CALLED}), _S.SKIPPED, _skip),
    "requeue": TicketTransition(frozenset({_S.SKIPPED}), _S.WAITING, _requeue),
    "transfer": TicketTransition(frozenset({_S.CALLED, _S.SERVING, _S.WAITING}), _S.WAITING, _transfer),
    "serve": TicketTransition(frozenset({_S.CALLED}), _S.SERVING, _serve),
    "finish": TicketTransition(frozenset({_S.SERVING, _S.CALLED}), _S.DONE, _finish),
}


@retry_atomic
def ticket_act(
    *,
    actor: Actor,
    ticket: int,
    action: str,
    to: str | None = None,
    case_number: str = "",
    window: int | None = None,
) -> Ticket:
    """Perform ``action`` (a row of :data:`TICKET_ACTIONS`) on ``ticket``, locked for the transaction."""
    t = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("centre", "window")
        .filter(pk=ticket)
        .first()
    )
    if t is None or actor.staff is None or actor.staff.centre_id != t.centre_id:
        raise NotFound("排队号不存在", code="not_found")
    row = TICKET_ACTIONS.get(action)
    if row is None:
        raise Invalid(
            f"未知的操作 {action}", code="unknown_action", details={"action": sorted(TICKET_ACTIONS)}
        )
    if row.roles is not None and not actor.has_any_role(row.roles):
        raise Forbidden("您的岗位不能执行此操作")
    if t.state not in row.sources:
        raise Conflict(
            f"该号当前为「{TicketState(t.state).label}」，不能执行此操作", code="invalid_transition"
        )
    row.handler(t, TicketArgs(actor, to, case_number, window, timezone.now()))
    t.state = row.target
    t.save()
    signals.ticket_event.send(sender=Ticket, ticket=t, action=action)
    return t


@retry_atomic
def ticket_link_case(*, actor: Actor, ticket: int, case_number: str) -> Ticket:
    """为此号受理: the case taken in for the resident of ``ticket`` is linked to it (the first case of a
    visit stays its case; the number is kept on the ticket) and a ticket still ``called`` is now served.
    Only the staff of the ticket's centre; a ticket not called yet, or 过号, is refused."""
    t = Ticket.objects.select_for_update(of=("self",)).filter(pk=ticket).first()
    if t is None or actor.staff is None or actor.staff.centre_id != t.centre_id:
        raise NotFound("排队号不存在", code="not_found")
    if t.state not in (TicketState.CALLED, TicketState.SERVING, TicketState.DONE):
        raise Conflict(f"该号当前为「{TicketState(t.state).label}」，不能关联办件", code="invalid_transition")
    if t.state == TicketState.CALLED:
        t = ticket_act(actor=actor, ticket=t.pk, action="serve")
    if not t.case_number:
        t.case_number = case_number.strip()[:32]
        t.save(update_fields=["case_number"])
    return t


def board(centre: Centre, *, recent: int = 6) -> dict[str, Any]:
    """What the display board shows: current calls, the last few, waiting counts. No personal data.

    ``now`` is the server's local time (with its offset): the board's clock runs from it, never from the
    TV box's own clock or time zone."""
    local = local_now()
    day = local.date()
    qs = Ticket.objects.filter(centre=centre, day=day)
    calls = list(
        qs.filter(announced_at__isnull=False, window__isnull=False)
        .select_related("window")
        .order_by("-announced_at")[: recent + 4]
    )

    def row(t: Ticket) -> dict[str, Any]:
        assert t.window is not None
        return {
            "number": t.number,
            "window": t.window.number,
            "window_name": t.window.name,
            "text": f"请 {t.number} 号到 {t.window.number} 号窗口办理",
            "announced_at": t.announced_at.isoformat() if t.announced_at else None,
            "state": t.state,
        }

    current = [row(t) for t in calls if t.state == TicketState.CALLED]
    status = hall_status(centre, local)
    waiting: dict[str, int] = {}
    for cat in centre_categories(centre):
        waiting[cat] = qs.filter(category=cat, state=TicketState.WAITING).count()
    return {
        "centre": centre.code,
        "centre_name": centre.name,
        "now": local.isoformat(),
        "today": day.isoformat(),
        "utc_offset_minutes": int((local.utcoffset() or dt.timedelta()).total_seconds() // 60),
        "hall": {"open": status.open, "can_issue": status.can_issue, "message": status.message},
        "current": current[:4],
        "recent": [row(t) for t in calls][:recent],
        "waiting": waiting,
    }
