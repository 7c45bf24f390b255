"""Background work of the org app (huey)."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from onewindow.org.models import WorkerHeartbeat


@db_task()
def heartbeat(name: str = "worker") -> str:
    """Record that the worker is alive; used by the health page and the worker test."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(name=name, defaults={"at": now})
    return now.isoformat()


@db_periodic_task(crontab(minute="*"))
def heartbeat_every_minute() -> None:
    heartbeat.call_local("periodic")
