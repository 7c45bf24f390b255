"""Send a notice: record it, then let the worker deliver it after the transaction commits.

``notify(template, channel=..., to=..., context=...)`` never blocks the request and never fails it: the
row is written in the caller's transaction and delivery runs in the worker (huey). Templates are
Chinese text with ``{name}`` placeholders (``TEMPLATES``). Backends: ``console`` (default, logs the
text), more in ``backends.py``; ``NOTIFY_BACKENDS`` maps a channel to a backend name.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from onewindow.notify.models import Notification, NotificationState

log = logging.getLogger("onewindow.notify")

TEMPLATES: dict[str, tuple[str, str]] = {
    "otp": ("登录验证码", "【一窗通办】您的验证码为 {code}，{minutes} 分钟内有效。请勿告诉他人。"),
}


def render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    subject, body = TEMPLATES[template]
    return subject.format(**context), body.format(**context)


def notify(
    template: str,
    *,
    channel: str = "sms",
    to: str = "",
    context: dict[str, Any] | None = None,
    resident: Any = None,
    user: Any = None,
    case_number: str = "",
) -> Notification:
    subject, body = render(template, context or {})
    n = Notification.objects.create(
        channel=channel,
        template=template,
        recipient=to,
        resident=resident,
        user=user,
        case_number=case_number,
        subject=subject,
        body=body,
    )
    if channel != "inbox":
        from onewindow.notify.tasks import deliver_notification

        transaction.on_commit(lambda: deliver_notification(n.pk))
    else:
        Notification.objects.filter(pk=n.pk).update(state=NotificationState.SENT, sent_at=timezone.now())
    return n


def backend_for(channel: str) -> str:
    backends: dict[str, str] = getattr(settings, "NOTIFY_BACKENDS", {})
    return backends.get(channel, "console")


def deliver(n: Notification) -> None:
    """Deliver one notice with its channel's backend; record the outcome."""
    name = backend_for(n.channel)
    try:
        if name == "console":
            log.info("[%s → %s] %s", n.channel, n.recipient, n.body)
        else:
            from onewindow.notify import backends

            backends.send(name, n)
    except Exception as exc:  # a backend failure is recorded, retried by the task
        Notification.objects.filter(pk=n.pk).update(
            attempts=n.attempts + 1, error=str(exc)[:500], state=NotificationState.FAILED
        )
        raise
    Notification.objects.filter(pk=n.pk).update(
        attempts=n.attempts + 1, state=NotificationState.SENT, sent_at=timezone.now(), error=""
    )
