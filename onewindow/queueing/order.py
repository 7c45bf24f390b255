"""The order in which waiting tickets are called: one rule for calling, the console's list and the slip.

The priority rule (DOMAIN.md: priority for elderly, disabled, military, appointments) interleaves: a
priority ticket goes first only if fewer than P of the last P+N-1 calls were priority, so at most P
priority tickets are called per N normal ones (``QUEUE_PRIORITY_RATIO``, e.g. 1 per 2). Priority
tickets are taken in number order, normal ones by when they joined the line (a requeued or transferred
ticket joins at the end).

:func:`call_order` is that rule as a pure function over the waiting tickets and the recent calls;
``ticket_call_next`` calls the first of it, the window console lists it and the slip's
"前面还有 N 人" is the ticket's place in it — so what is printed is what happens, as long as nobody
else joins ahead (a later priority ticket can still move ahead of a normal one, as the rule says).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings

from onewindow.queueing.models import Ticket, TicketState

WAITING_FIELDS = ("pk", "number", "priority", "category", "seq", "issued_at", "target_window_id")


def call_order(waiting: Sequence[Any], recent: Sequence[bool], ratio: tuple[int, int]) -> list[Any]:
    """``waiting`` (tickets or rows with ``priority``, ``seq``, ``issued_at``) in the order they will be
    called, given ``recent`` (most recent call first: was it a priority ticket?) and ``ratio`` (P, N)."""
    p, n = ratio
    prio = sorted((t for t in waiting if _prio(t)), key=lambda t: _get(t, "seq"))
    normal = sorted(
        (t for t in waiting if not _prio(t)), key=lambda t: (_get(t, "issued_at"), _get(t, "seq"))
    )
    history = list(recent)
    out: list[Any] = []
    i = j = 0
    while i < len(prio) or j < len(normal):
        prio_first = sum(1 for x in history[: max(p + n - 1, 0)] if x) < p
        if i < len(prio) and (prio_first or j >= len(normal)):
            out.append(prio[i])
            i += 1
            history.insert(0, True)
        else:
            out.append(normal[j])
            j += 1
            history.insert(0, False)
    return out


def _get(t: Any, key: str) -> Any:
    return t[key] if isinstance(t, dict) else getattr(t, key)


def _prio(t: Any) -> bool:
    return bool(_get(t, "priority"))


def recent_calls(centre_id: int, day: dt.date, cats: Sequence[str]) -> list[bool]:
    """Whether each of the last P+N-1 calls (most recent first) of these categories was a priority one."""
    p, n = settings.QUEUE_PRIORITY_RATIO
    rows = (
        Ticket.objects.filter(centre=centre_id, day=day, category__in=list(cats), called_at__isnull=False)
        .order_by("-called_at")
        .values_list("priority", flat=True)[: max(p + n - 1, 0)]
    )
    return [bool(pr) for pr in rows]


def waiting_rows(
    centre_id: int, day: dt.date, cats: Sequence[str], window_id: int | None
) -> list[dict[str, Any]]:
    """The waiting tickets a window (``window_id``; ``None``: no particular window) may call: of its
    categories, not sent to another window. One query, a few columns."""
    qs = Ticket.objects.filter(centre=centre_id, day=day, category__in=list(cats), state=TicketState.WAITING)
    if window_id is None:
        qs = qs.filter(target_window__isnull=True)
    else:
        qs = qs.filter(target_window__isnull=True) | qs.filter(target_window=window_id)
    return list(qs.values(*WAITING_FIELDS))


def queue_for(
    centre_id: int, day: dt.date, cats: Sequence[str], window_id: int | None
) -> list[dict[str, Any]]:
    """The waiting tickets a window may call, in the order they will be called."""
    rows = waiting_rows(centre_id, day, cats, window_id)
    if not rows:
        return []
    return call_order(rows, recent_calls(centre_id, day, cats), settings.QUEUE_PRIORITY_RATIO)


def waiting_before(ticket: Ticket) -> int:
    """How many will be called before ``ticket`` under the priority rule (0 once it is not waiting):
    its place in the line of its category (and of its target window, if it was sent to one)."""
    if ticket.state != TicketState.WAITING:
        return 0
    line = queue_for(ticket.centre_id, ticket.day, [ticket.category], ticket.target_window_id)
    for place, row in enumerate(line):
        if row["pk"] == ticket.pk:
            return place
    return len(line)
