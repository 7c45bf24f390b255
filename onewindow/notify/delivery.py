"""Deliver the recorded notices with their channel's backends and record the outcome (the worker).

:func:`deliver_due` delivers in batches: it *claims* up to ``BATCH`` due notices in one short
transaction (state ``sending``; on PostgreSQL ``FOR UPDATE SKIP LOCKED``, so two workers never take the
same one), commits, sends each with its backend — no transaction is open while a gateway answers —, then
records every success in ONE ``UPDATE`` (a commit that need not wait for the disk, ``lazy_update``) and
each failure in one of its own. Due: a queued notice; a failed one ``RETRY_SECONDS`` after its failure,
at most ``MAX_ATTEMPTS`` attempts in all; a ``sending`` one whose worker died (claimed ``STALE_SECONDS``
ago: delivered again, at least once). :func:`deliver` sends one notice (``tasks.deliver_notification``).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from onewindow.core.devmode import demo_mode
from onewindow.core.durability import lazy_commit, lazy_update
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


BATCH = 200  # notices claimed per transaction
MAX_ATTEMPTS = 6  # the first attempt and five retries (as huey's retries=5 gave one notice)
RETRY_SECONDS = 30  # a failed notice is tried again no sooner than this after its failure
STALE_SECONDS = 300  # a claim this old was left by a worker that died: the notice is due again


def _send(n: Notification) -> None:
    """Hand one notice to its channel's backend; raises when the backend fails."""
    name = backend_for(n.channel)
    if name == "console":
        log.info("%s", console_line(n))
    else:
        backends.send(name, n)


def _record_failure(n: Notification, exc: Exception) -> None:
    Notification.objects.filter(pk=n.pk).update(
        attempts=n.attempts + 1,
        error=str(exc)[:500],
        state=NotificationState.FAILED,
        claimed_at=timezone.now(),  # the retry waits RETRY_SECONDS from here
    )


def _record_sent(pks: list[int]) -> None:
    # sent: a crash in the next moment loses only this state (the notice is sent again), never the notice
    lazy_update(
        Notification.objects.filter(pk__in=pks),
        attempts=F("attempts") + 1,
        state=NotificationState.SENT,
        sent_at=timezone.now(),
        error="",
    )


def deliver(n: Notification) -> None:
    """Deliver one notice with its channel's backend; record the outcome (a failure is raised too)."""
    try:
        _send(n)
    except Exception as exc:  # a backend failure is recorded, retried
        _record_failure(n, exc)
        raise
    _record_sent([n.pk])


def due(now: dt.datetime) -> Q:
    """The notices the worker should deliver now (all inside the ``notification_undelivered`` index)."""
    retry = Q(claimed_at__lte=now - dt.timedelta(seconds=RETRY_SECONDS)) | Q(claimed_at__isnull=True)
    return (
        Q(state=NotificationState.QUEUED)
        | (Q(state=NotificationState.FAILED, attempts__lt=MAX_ATTEMPTS) & retry)
        | Q(state=NotificationState.SENDING, claimed_at__lte=now - dt.timedelta(seconds=STALE_SECONDS))
    )


def claim(limit: int = BATCH) -> list[Notification]:
    """Take up to ``limit`` due notices, oldest first, for this worker alone (state ``sending``), in one
    short transaction; on SQLite its ``BEGIN IMMEDIATE`` keeps a second worker out until it commits."""
    now = timezone.now()
    with lazy_commit():  # lost in a crash: the notices are due again, nothing is lost
        rows = list(
            Notification.objects.select_for_update(skip_locked=True).filter(due(now)).order_by("pk")[:limit]
        )
        if rows:
            Notification.objects.filter(pk__in=[n.pk for n in rows]).update(
                state=NotificationState.SENDING, claimed_at=now
            )
    return rows


def _release(rows: list[Notification]) -> None:
    """Give back claimed notices this worker will not send before its claim could go stale."""
    Notification.objects.filter(pk__in=[n.pk for n in rows], state=NotificationState.SENDING).update(
        state=NotificationState.QUEUED, claimed_at=None
    )


def send_claimed(rows: list[Notification]) -> tuple[int, int]:
    """Send the claimed notices; record the successes in one statement. Returns ``(sent, failed)``."""
    started = time.monotonic()
    sent: list[int] = []
    failed = 0
    for i, n in enumerate(rows):
        if time.monotonic() - started > STALE_SECONDS / 2:  # a slow gateway: never past the claim
            _release(rows[i:])
            break
        try:
            _send(n)
        except Exception as exc:  # recorded; due again RETRY_SECONDS later
            log.warning("notify: %s not sent (attempt %d): %s", n, n.attempts + 1, exc)
            _record_failure(n, exc)
            failed += 1
        else:
            sent.append(n.pk)
    if sent:
        _record_sent(sent)
    return len(sent), failed


def deliver_due(limit: int = BATCH) -> dict[str, int]:
    """Deliver every due notice, ``limit`` per claim, until a claim comes back short."""
    total = {"sent": 0, "failed": 0}
    while True:
        rows = claim(limit)
        sent, failed = send_claimed(rows)
        total["sent"] += sent
        total["failed"] += failed
        if len(rows) < limit:
            return total
