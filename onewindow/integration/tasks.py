from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from onewindow.integration import services


@db_task()
def deliver_webhooks() -> int:
    """Deliver due webhook deliveries (enqueued when an event commits)."""
    total = 0
    while True:
        n = services.deliver_due(limit=100)
        total += n
        if n < 100:
            return total


@db_periodic_task(crontab(minute="*"))
def webhook_scan() -> int:
    """Every minute: retries whose backoff is over, and deliveries of workers that died (lease over)."""
    return deliver_webhooks.call_local()  # type: ignore[no-any-return]


@db_periodic_task(crontab(hour="3", minute="17"))
def outbox_purge() -> int:
    """Daily: forget delivered events past ``OUTBOX_RETENTION_DAYS``."""
    return services.outbox_purge()
