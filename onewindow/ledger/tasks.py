"""Background work of the ledger (huey): folding the event log into the rollups (``fold.py``)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from onewindow.ledger import fold


@db_task()
def ledger_fold() -> int:
    """Fold the logged events (enqueued a few seconds after a commit that logged one; idempotent)."""
    return fold.fold()


@db_periodic_task(crontab(minute="*"))
def ledger_fold_sweep() -> int:
    """Every minute: fold whatever is left (an enqueue lost with a dead process, a restart)."""
    return fold.fold()
