"""Extension point ``visits``: the window visits the queue has served (its tickets), for the rating pad.

- Publisher: this module (core, domain-free).
- Answerer: ``queueing`` — ``QueueingConfig.ready()`` installs ``queueing.visits.TicketVisits()``.
- Caller: ``feedback`` (一次一评 on the window pad: the visitor rates the visit just served).

A visit is the queue's own row (a ``queueing.Ticket``); the caller reads ``pk``, ``centre``,
``window``, ``called_by`` and ``case_number`` from it and never changes it. The provider answers:

- ``last_served(actor, exclude=...)`` → the visit the actor finished most recently today whose id is
  not in ``exclude`` (ids, or a ``values`` queryset of them), or ``None``;
- ``lock_in_scope(actor, pk)`` → the visit ``pk``, row-locked for the caller's transaction, within the
  actor's jurisdiction (``NotFound`` otherwise);
- ``is_finished(visit)`` → whether its service at the window has ended.
"""

from __future__ import annotations

from typing import Any, Protocol

from onewindow.core.actor import Actor
from onewindow.core.slots import Slot


class VisitProvider(Protocol):
    def last_served(self, actor: Actor, *, exclude: Any) -> Any: ...

    def lock_in_scope(self, actor: Actor, pk: Any) -> Any: ...

    def is_finished(self, visit: Any) -> bool: ...


_provider: Slot[VisitProvider] = Slot("visit provider", "queueing")
install = _provider.install  # called once by the app that keeps the queue (``queueing``)
provider = _provider.get
