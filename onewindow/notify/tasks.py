from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from onewindow.notify.models import Notification, NotificationState


@db_task(retries=5, retry_delay=30)
def deliver_notification(pk: int) -> None:
    from onewindow.notify.services import deliver

    n = Notification.objects.filter(
        pk=pk, state__in=[NotificationState.QUEUED, NotificationState.FAILED]
    ).first()
    if n is not None:
        deliver(n)


@db_periodic_task(crontab(minute="*"))
def send_reminders() -> dict[str, int]:
    """Every minute: deliver queued case supervision reminders and appointment reminders."""
    from onewindow.notify.reminders import appointment_reminders_send, case_reminders_send

    return {"cases": case_reminders_send(), "appointments": appointment_reminders_send()}
