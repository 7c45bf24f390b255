"""Development pages, only with ``DEBUG`` or demo mode on and never with production settings
(``core.devmode.dev_pages``): 404 otherwise, as if they did not exist.

``/dev/outbox/``: the latest notices (SMS, e-mail, inbox) as the console backend would send them — the
recipient in full, the text and the time, newest first, queued ones too (a code shows before the worker
delivered it); the table refreshes itself every two seconds (htmx).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from onewindow.core.devmode import dev_pages
from onewindow.notify.models import Notification, NotificationState

OUTBOX_SIZE = 50
CHANNELS = {"sms": "短信", "email": "电子邮件", "inbox": "站内信", "webhook": "推送"}


@dataclass(frozen=True)
class OutboxRow:
    channel: str
    recipient: str
    subject: str
    body: str
    created_at: dt.datetime
    state: str
    pending: bool


def outbox_rows(limit: int = OUTBOX_SIZE) -> list[OutboxRow]:
    """The latest notices, newest first, whatever their delivery state."""
    rows = []
    notices = Notification.objects.select_related("user").order_by("-created_at", "-pk")[:limit]
    for n in notices:
        recipient = n.recipient or (n.user.get_username() if n.user else "")
        rows.append(
            OutboxRow(
                channel=CHANNELS.get(n.channel, n.channel),
                recipient=recipient,
                subject=n.subject,
                body=n.body,
                created_at=n.created_at,
                state=str(NotificationState(n.state).label)
                if n.state in NotificationState.values
                else n.state,
                pending=n.state in (NotificationState.QUEUED, NotificationState.FAILED),
            )
        )
    return rows


@never_cache
@require_safe
def outbox(request: HttpRequest) -> HttpResponse:
    if not dev_pages():
        raise Http404("no such page")
    return render(request, "devtools/outbox.html", {"rows": outbox_rows()})
