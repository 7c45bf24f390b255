"""Window statistics (窗口统计): waiting and serving times per category, window and clerk, per day."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from statistics import mean
from typing import Any

from onewindow.core.actor import Actor
from onewindow.core.errors import NotFound
from onewindow.org import access
from onewindow.org.models import Centre
from onewindow.queueing.models import Ticket, TicketState


def _minutes(a: dt.datetime | None, b: dt.datetime | None) -> float | None:
    if a is None or b is None or b < a:
        return None
    return (b - a).total_seconds() / 60


def _summary(tickets: list[Ticket]) -> dict[str, Any]:
    waits = [w for t in tickets if (w := _minutes(t.issued_at, t.called_at)) is not None]
    serves = [s for t in tickets if (s := _minutes(t.serve_started_at, t.finished_at)) is not None]
    return {
        "issued": len(tickets),
        "served": sum(1 for t in tickets if t.state == TicketState.DONE),
        "skipped": sum(1 for t in tickets if t.state == TicketState.SKIPPED),
        "waiting_now": sum(1 for t in tickets if t.state == TicketState.WAITING),
        "avg_wait_minutes": round(mean(waits), 1) if waits else None,
        "max_wait_minutes": round(max(waits), 1) if waits else None,
        "avg_serve_minutes": round(mean(serves), 1) if serves else None,
    }


def queue_stats(centre: Centre, day: dt.date) -> dict[str, Any]:
    tickets = list(
        Ticket.objects.filter(centre=centre, day=day)
        .select_related("window", "called_by__staff")
        .order_by("seq")
    )
    by_cat: dict[str, list[Ticket]] = defaultdict(list)
    by_window: dict[str, list[Ticket]] = defaultdict(list)
    by_clerk: dict[str, list[Ticket]] = defaultdict(list)
    for t in tickets:
        by_cat[t.category].append(t)
        if t.window is not None:
            by_window[f"{t.window.number}号窗口"].append(t)
        if t.called_by is not None:
            staff = getattr(t.called_by, "staff", None)
            by_clerk[staff.name if staff else t.called_by.get_username()].append(t)
    return {
        "centre": centre.code,
        "date": day.isoformat(),
        "total": _summary(tickets),
        "by_category": {k: _summary(v) for k, v in sorted(by_cat.items())},
        "by_window": {k: _summary(v) for k, v in sorted(by_window.items())},
        "by_clerk": {k: _summary(v) for k, v in sorted(by_clerk.items())},
    }


def queue_stats_for(*, actor: Actor, code: str, day: dt.date) -> dict[str, Any]:
    """:func:`queue_stats` of the centre ``code`` within the actor's jurisdiction (404 otherwise)."""
    centre = access.scope(actor, Centre.objects.filter(code=code)).first()
    if centre is None:
        raise NotFound(f"服务中心 {code} 不存在", code="unknown_centre")
    return queue_stats(centre, day)
