"""What the queue contributes to the ledger (:mod:`onewindow.core.ledger_contrib`): its tickets.

Imported once by ``QueueingConfig.ready()``; the ledger counts tickets issued and served (and the
waiting minutes) from these rows."""

from __future__ import annotations

from onewindow.core import ledger_contrib
from onewindow.queueing.models import Ticket

ledger_contrib.register("ticket", Ticket)
