from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from onewindow.queueing.appointments import mark_no_shows, queue_reminders


@db_periodic_task(crontab(minute="*/15"))
def appointments_no_show() -> int:
    return mark_no_shows()


@db_periodic_task(crontab(minute="*/15"))
def appointments_remind() -> int:
    return queue_reminders()
