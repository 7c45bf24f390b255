"""Deliver one recorded notice with its channel's backend and record the outcome (called by the worker)."""

from __future__ import annotations

import logging
import os

from django.conf import settings
from django.utils import timezone

from onewindow.notify import backends
from onewindow.notify.models import Notification, NotificationState

log = logging.getLogger("onewindow.notify")


def backend_for(channel: str) -> str:
    """``NOTIFY_BACKENDS`` (setting: a dict; or env var ``sms=sms_http,email=email``); default console."""
    mapping: dict[str, str] | None = settings.NOTIFY_BACKENDS
    if mapping is None:
        raw = os.environ.get("NOTIFY_BACKENDS", "")
        mapping = dict(
            (k.strip(), v.strip())
            for k, _, v in (p.partition("=") for p in raw.split(","))
            if k.strip() and v.strip()
        )
    return mapping.get(channel, "console")


def deliver(n: Notification) -> None:
    """Deliver one notice with its channel's backend; record the outcome."""
    name = backend_for(n.channel)
    try:
        if name == "console":
            log.info("[%s → %s] %s", n.channel, n.recipient, n.body)
        else:
            backends.send(name, n)
    except Exception as exc:  # a backend failure is recorded, retried by the task
        Notification.objects.filter(pk=n.pk).update(
            attempts=n.attempts + 1, error=str(exc)[:500], state=NotificationState.FAILED
        )
        raise
    Notification.objects.filter(pk=n.pk).update(
        attempts=n.attempts + 1, state=NotificationState.SENT, sent_at=timezone.now(), error=""
    )
