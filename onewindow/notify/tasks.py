from __future__ import annotations

from huey.contrib.djhuey import db_task

from onewindow.notify.models import Notification, NotificationState


@db_task(retries=5, retry_delay=30)
def deliver_notification(pk: int) -> None:
    from onewindow.notify.services import deliver

    n = Notification.objects.filter(pk=pk).exclude(state=NotificationState.SENT).first()
    if n is not None:
        deliver(n)
