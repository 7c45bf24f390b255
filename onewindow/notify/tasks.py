"""Background work of notify: deliver the recorded notices in batches (``delivery.deliver_due``), asked for
a moment after a commit that recorded one (``services.kick``) and every minute; and each minute the
reminders the apps registered (``core.notices.register_reminders``)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from onewindow.core import notices
from onewindow.notify import delivery
from onewindow.notify.models import Notification, NotificationState

log = logging.getLogger("onewindow.notify")


@db_task()
def deliver_pending() -> dict[str, int]:
    """Deliver every notice due now, in batches; after a failure, ask again ``RETRY_SECONDS`` later."""
    done = delivery.deliver_due()
    if done["failed"] and not HUEY.immediate:
        try:
            deliver_pending.schedule(delay=delivery.RETRY_SECONDS)
        except Exception:  # the broker is down: the minutely sweep retries
            log.warning("notify: could not enqueue the retry", exc_info=True)
    return done


@db_periodic_task(crontab(minute="*"))
def deliver_pending_sweep() -> dict[str, int]:
    """Every minute: deliver what is due even if every request for a batch was lost (a dead process,
    the broker down), retries whose wait is over, and notices a dead worker had claimed."""
    return deliver_pending.call_local()  # type: ignore[no-any-return]


@db_task(retries=5, retry_delay=30)
def deliver_notification(pk: int) -> None:
    """Deliver one notice now. ``notify`` no longer enqueues this (it leaves delivery to the batches of
    ``deliver_pending``); kept so that tasks queued by the previous release still run after an upgrade."""
    n = Notification.objects.filter(
        pk=pk, state__in=[NotificationState.QUEUED, NotificationState.FAILED]
    ).first()
    if n is not None:
        delivery.deliver(n)


@db_periodic_task(crontab(minute="*"))
def send_reminders() -> dict[str, int]:
    """Every minute: deliver the queued reminders of every app that registered some (case supervision
    reminders, appointment reminders)."""
    return {name: send() for name, send in notices.reminders().items()}
