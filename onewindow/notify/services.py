"""Send a notice: record it, then let the worker deliver it after the transaction commits.

``notify(template, channel=..., to=..., context=...)`` never blocks the request and never fails it: the
row is written in the caller's transaction and delivery runs in the worker (huey), in batches: after the
commit :func:`kick` asks for one ``NOTIFY_BATCH_SECONDS`` later, at most once per that interval per
process (the batch delivers every notice committed before it runs; a lost request only waits for the
minutely sweep). Huey in immediate mode (tests, debugging) delivers at once. Templates are
Chinese text with ``{name}`` placeholders, registered by the app that owns the event
(``core.notices.register_texts``; notify's own in ``TEMPLATES``). Delivery: ``delivery.py``
(``console`` backend by default, more in ``backends.py``; ``NOTIFY_BACKENDS`` maps a channel to a
backend name).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from onewindow.core import notices
from onewindow.core.debounce import Debounced
from onewindow.notify.delivery import backend_for, deliver
from onewindow.notify.models import Notification, NotificationState, NotifyPreference
from onewindow.notify.tasks import deliver_pending

log = logging.getLogger("onewindow.notify")

# notify's own texts; every other app registers the texts of its events (``core.notices``)
TEMPLATES: dict[str, tuple[str, str]] = {
    "otp": ("登录验证码", "【一窗通办】您的验证码为 {code}，{minutes} 分钟内有效。请勿告诉他人。"),
}


class _Context(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        log.warning("notify: template placeholder {%s} has no value", key)
        return ""


def render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    subject, body = notices.text(template)
    ctx = _Context(context)
    return subject.format_map(ctx), body.format_map(ctx)


def channel_allowed(resident: Any, channel: str, template: str = "") -> bool:
    """The resident's preference (``NotifyPreference``); no preference row means every channel on."""
    if resident is None or template == "otp" or getattr(resident, "unreferenced", False):
        return True  # no preference row can point at a resident created by this very write
    pref = NotifyPreference.objects.filter(resident=resident).first()
    return pref is None or pref.allows(channel)


_debounced = Debounced(
    deliver_pending,
    lambda: int(settings.NOTIFY_BATCH_SECONDS),
    log,
    "notify: could not enqueue the delivery",
)


def kick() -> None:
    """Ask the worker for a batch a moment from now, unless this process did in the last moment."""
    if HUEY.immediate:  # no consumer would run a scheduled task: deliver now, in this process
        deliver_pending.call_local()
        return
    _debounced()


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
    allowed = channel_allowed(resident, channel, template)
    n = Notification.objects.create(
        channel=channel,
        template=template,
        recipient=to,
        resident=resident,
        user=user,
        case_number=case_number,
        subject=subject,
        body=body,
        **({} if allowed else {"state": NotificationState.SKIPPED}),
    )
    if not allowed:
        return n
    if channel != "inbox":
        # robust: a broker outage must not turn a committed request into an error page
        transaction.on_commit(kick, robust=True)
    else:
        Notification.objects.filter(pk=n.pk).update(state=NotificationState.SENT, sent_at=timezone.now())
    return n


__all__ = ["TEMPLATES", "backend_for", "channel_allowed", "deliver", "kick", "notify", "render"]
