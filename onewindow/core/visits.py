"""Extension point ``visits``: the window visits the queue has served (its tickets), for the rating pad.

- Publisher: this module (core, domain-free).
- Answerer: ``queueing`` — ``QueueingConfig.ready()`` installs ``queueing.visits.TicketVisits()``.
- Callers: ``feedback`` (一次一评 on the window pad: the visitor rates the visit just served) and
  ``cases`` (为此号受理: the workbench opened from the called ticket, and the case linked to it).

A visit is the queue's own row (a ``queueing.Ticket``); the caller reads ``pk``, ``centre``,
``window``, ``called_by`` and ``case_number`` from it and never changes it. The provider answers:

- ``is_finished(visit)`` → whether its service at the window has ended;
- ``last_served_at(window, exclude=...)`` → the visit finished most recently today at the window
  ``window`` (its id) not among ``exclude``, or ``None`` (the locked rating pad of one window);
- ``lock_at_window(window, pk)`` → the visit ``pk`` of today at the window ``window``, row-locked
  (``NotFound`` for another window's visit: a window's pad rates only its own visits);
- ``intake_facts(actor, pk)`` → what the visit knows of the person, for the workbench:
  ``{"pk", "number", "window", "name", "phone"}`` (``""`` when unknown), for a visit called or served at the
  actor's centre (``NotFound`` otherwise);
- ``link_case(actor, pk, case_number)`` → records the case taken in for the visit (the visit now
  being served), in the caller's transaction.
"""

from __future__ import annotations

from typing import Any, Protocol

from onewindow.core.actor import Actor
from onewindow.core.slots import Slot


class VisitProvider(Protocol):
    def is_finished(self, visit: Any) -> bool: ...

    def last_served_at(self, window: int, *, exclude: Any) -> Any: ...

    def lock_at_window(self, window: int, pk: Any) -> Any: ...

    def intake_facts(self, actor: Actor, pk: Any) -> dict[str, Any]: ...

    def link_case(self, actor: Actor, pk: Any, case_number: str) -> None: ...


_provider: Slot[VisitProvider] = Slot("visit provider", "queueing")
install = _provider.install  # called once by the app that keeps the queue (``queueing``)
provider = _provider.get
