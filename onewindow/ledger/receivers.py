"""Signal receivers: append one row to the ledger's event log (``log.append``) in the event's own
transaction — no rollup row is touched on the request path; the worker folds (``fold.py``). On
PostgreSQL a timeline entry's row is appended by a trigger in the entry's own INSERT
(``casetrigger``); the receiver only asks for the fold.

After the commit, :func:`kick` asks the worker to fold ``LEDGER_FOLD_SECONDS`` later, at most once per
that interval per process (a missed kick only waits for the minutely sweep)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver

from onewindow.core import signals
from onewindow.core.debounce import Debounced
from onewindow.ledger import casetrigger, log, rollup, tasks

logger = logging.getLogger(__name__)
# after a commit that logged an event: a fold LEDGER_FOLD_SECONDS later, at most once per interval
kick = Debounced(
    tasks.ledger_fold, lambda: int(settings.LEDGER_FOLD_SECONDS), logger, "ledger: could not enqueue the fold"
)


def _logged(kind: str, object_id: int) -> None:
    log.append(kind, object_id)
    transaction.on_commit(kick)


@receiver(signals.case_event_recorded, dispatch_uid="ledger_case_event")
def on_case_event(sender: Any, case: Any, event: Any, **kwargs: Any) -> None:
    if event.seq == 1 or event.action in rollup.COUNTED_ACTIONS:
        if casetrigger.active():  # the INSERT of the entry logged it (``casetrigger``)
            transaction.on_commit(kick)
        else:
            _logged("case", event.pk)


@receiver(signals.ticket_event, dispatch_uid="ledger_ticket_event")
def on_ticket_event(sender: Any, ticket: Any, action: str = "", **kwargs: Any) -> None:
    _logged("ticket", ticket.pk)


@receiver(signals.rating_changed, dispatch_uid="ledger_rating_changed")
def on_rating_changed(sender: Any, rating: Any, action: str = "", **kwargs: Any) -> None:
    _logged("rating", rating.pk)


@receiver(signals.complaint_event, dispatch_uid="ledger_complaint_event")
def on_complaint_event(sender: Any, complaint: Any, action: str = "", **kwargs: Any) -> None:
    _logged("complaint", complaint.pk)


@receiver(signals.proxy_event, dispatch_uid="ledger_proxy_event")
def on_proxy_event(sender: Any, request: Any = None, action: str = "", **kwargs: Any) -> None:
    if request is None:  # a handoff batch event (``batch=``): no request counts change
        return
    _logged("proxy", request.pk)
