"""The queue's answer to the ``visits`` extension point (:mod:`onewindow.core.visits`): the tickets
served at a window, for the feedback app's rating pad (一次一评). Installed by ``QueueingConfig.ready()``.
"""

from __future__ import annotations

from typing import Any

from onewindow.core.actor import Actor
from onewindow.core.clock import local_today
from onewindow.org import access
from onewindow.queueing.models import Ticket, TicketState


class TicketVisits:
    def last_served(self, actor: Actor, *, exclude: Any) -> Ticket | None:
        """The ticket ``actor`` finished most recently today, not among ``exclude`` (already rated)."""
        return (
            Ticket.objects.filter(called_by=actor.user, day=local_today(), state=TicketState.DONE)
            .exclude(pk__in=exclude)
            .select_related("centre", "window")
            .order_by("-finished_at", "-pk")
            .first()
        )

    def lock_in_scope(self, actor: Actor, pk: Any) -> Ticket:
        return access.get_in_scope_or_404(
            actor,
            Ticket.objects.select_for_update(of=("self",)).select_related("centre"),
            "centre__jurisdiction__path",
            pk=pk,
        )

    def is_finished(self, visit: Any) -> bool:
        return bool(visit.state == TicketState.DONE)
