"""Background work of the security app (huey): linking new audit entries into the hash chain."""

from __future__ import annotations

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from onewindow.security import audit


@db_task()
def audit_chain() -> int:
    """Link the committed, unchained audit entries (:func:`onewindow.security.audit.chain`)."""
    return audit.chain()


@db_periodic_task(crontab(minute="*"))
def audit_chain_every_few_seconds() -> None:
    """Huey's periodic tasks run once a minute: schedule a chaining run every ``AUDIT_CHAIN_SECONDS``
    within the minute (a run with nothing pending is one short query)."""
    step = max(1, int(settings.AUDIT_CHAIN_SECONDS))
    for delay in range(0, 60, step):
        audit_chain.schedule(delay=delay)
