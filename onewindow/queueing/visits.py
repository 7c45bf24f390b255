"""The queue's answer to the ``visits`` extension point (:mod:`onewindow.core.visits`): the tickets
served at a window, for the feedback app's rating pad (一次一评), and the ticket a case is taken in for
(为此号受理, the cases workbench). Installed by ``QueueingConfig.ready()``.
"""

from __future__ import annotations

from typing import Any

from onewindow.core.actor import Actor
from onewindow.core.clock import local_today
from onewindow.core.errors import NotFound
from onewindow.queueing import services
from onewindow.queueing.models import Appointment, Ticket, TicketState

INTAKE_STATES = (TicketState.CALLED, TicketState.SERVING)


class TicketVisits:
    def is_finished(self, visit: Any) -> bool:
        return bool(visit.state == TicketState.DONE)

    def last_served_at(self, window: int, *, exclude: Any) -> Ticket | None:
        """The ticket finished most recently today at ``window``, not among ``exclude``."""
        return (
            Ticket.objects.filter(window=window, day=local_today(), state=TicketState.DONE)
            .exclude(pk__in=exclude)
            .select_related("centre", "window")
            .order_by("-finished_at", "-pk")
            .first()
        )

    def lock_at_window(self, window: int, pk: Any) -> Ticket:
        t = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("centre")
            .filter(pk=pk, window=window, day=local_today())
            .first()
        )
        if t is None:
            raise NotFound("排队号不存在", code="not_found")
        return t

    def intake_facts(self, actor: Actor, pk: Any) -> dict[str, Any]:
        staff = actor.staff
        t = Ticket.objects.filter(
            pk=pk, centre=staff.centre_id if staff else None, state__in=INTAKE_STATES
        ).first()
        if t is None:
            raise NotFound("排队号不存在或未在叫号中", code="not_found")
        booking = Appointment.objects.filter(ticket=t).first()
        return {
            "pk": t.pk,
            "number": t.number,
            "window": t.window_id,
            "name": booking.name if booking else "",
            "phone": booking.phone if booking else "",
        }

    def link_case(self, actor: Actor, pk: Any, case_number: str) -> None:
        services.ticket_link_case(actor=actor, ticket=int(pk), case_number=case_number)
