"""Deliver one recorded notice with its channel's backend and record the outcome (called by the worker)."""

from __future__ import annotations

import logging
import os

from django.conf import settings
from django.utils import timezone

from onewindow.core.devmode import demo_mode
from onewindow.core.durability import lazy_update
from onewindow.notify import backends
from onewindow.notify.models import Notification, NotificationState
from onewindow.privacy.masking import mask_phone

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


CHANNEL_LABELS = {"sms": "短信", "email": "邮件", "inbox": "站内信", "webhook": "推送"}


def _mask_email(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def console_line(n: Notification) -> str:
    """The console backend's one readable log line, e.g. ``短信 → 139****9001：【一窗通办】您的验证码为 …``;
    the recipient in full only in demo mode (``core.devmode``)."""
    to = n.recipient or ""
    if not demo_mode():
        to = _mask_email(to) if "@" in to else mask_phone(to)
    text = " ".join(f"{n.subject} {n.body}".split()) if n.channel == "email" else " ".join(n.body.split())
    return f"{CHANNEL_LABELS.get(n.channel, n.channel)} → {to or '—'}：{text}"


def deliver(n: Notification) -> None:
    """Deliver one notice with its channel's backend; record the outcome."""
    name = backend_for(n.channel)
    try:
        if name == "console":
            log.info("%s", console_line(n))
        else:
            backends.send(name, n)
    except Exception as exc:  # a backend failure is recorded, retried by the task
        Notification.objects.filter(pk=n.pk).update(
            attempts=n.attempts + 1, error=str(exc)[:500], state=NotificationState.FAILED
        )
        raise
    # sent: a crash in the next moment loses only this state (the notice stays queued), never the notice
    lazy_update(
        Notification.objects.filter(pk=n.pk),
        attempts=n.attempts + 1,
        state=NotificationState.SENT,
        sent_at=timezone.now(),
        error="",
    )
