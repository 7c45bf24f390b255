"""What feedback contributes to the ledger (:mod:`onewindow.core.ledger_contrib`): ratings and
complaints.

Imported once by ``FeedbackConfig.ready()``; the ledger counts the rating levels (好差评) and the
complaints received, closed and closed late from these rows, and lists them behind its figures."""

from __future__ import annotations

from onewindow.core import ledger_contrib
from onewindow.feedback.models import Complaint, Rating

ledger_contrib.register("rating", Rating)
ledger_contrib.register("complaint", Complaint)
