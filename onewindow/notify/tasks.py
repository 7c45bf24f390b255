"""Background work of notify: deliver one recorded notice (retried), and each minute the reminders the
apps registered (``core.notices.register_reminders``)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from onewindow.core import notices
from onewindow.notify.delivery import deliver
from onewindow.notify.models import Notification, NotificationState


@db_task(retries=5, retry_delay=30)
def deliver_notification(pk: int) -> None:
    n = Notification.objects.filter(
        pk=pk, state__in=[NotificationState.QUEUED, NotificationState.FAILED]
    ).first()
    if n is not None:
        deliver(n)


@db_periodic_task(crontab(minute="*"))
def send_reminders() -> dict[str, int]:
    """Every minute: deliver the queued reminders of every app that registered some (case supervision
    reminders, appointment reminders)."""
    return {name: send() for name, send in notices.reminders().items()}
