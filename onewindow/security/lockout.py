"""Login lockout by (account, address) with growing delays (django-axes handler).

An account is locked only for the address its failures came from, so an attacker elsewhere cannot
lock a clerk out at her own window. After ``LOGIN_FAILURE_LIMIT`` (5) failures from one address the
pair is locked for ``LOGIN_LOCKOUT_MINUTES`` (15); every further failure from that address (also one
refused during the lock) doubles the delay, up to ``LOGIN_LOCKOUT_MAX_MINUTES`` (1440). Failures are
remembered for ``AXES_COOLOFF_TIME`` (at least a day) after the last one; a successful login from the
address, ``onewindow unlock USER`` or the security admin's unlock clears them.
``LOGIN_LOCKOUT_MINUTES=0`` keeps the old behaviour of a lock that only the security admin lifts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def delay_for(failures: int) -> dt.timedelta | None:
    """How long ``failures`` failures from one address lock the account there (None: until unlocked)."""
    limit = int(settings.AXES_FAILURE_LIMIT)
    if failures < limit:
        return dt.timedelta(0)
    base = int(settings.LOGIN_LOCKOUT_MINUTES)
    if base <= 0:
        return None
    cap = max(base, int(settings.LOGIN_LOCKOUT_MAX_MINUTES))
    return dt.timedelta(minutes=min(base * 2 ** min(failures - limit, 30), cap))


def remaining(failures: int, last: dt.datetime | None, now: dt.datetime | None = None) -> dt.timedelta | None:
    """Time left on a lock after ``failures`` failures, the last at ``last`` (None: until unlocked)."""
    delay = delay_for(failures)
    if delay is None:
        return None
    if last is None or not delay:
        return dt.timedelta(0)
    return max(dt.timedelta(0), last + delay - (now or timezone.now()))


def _pair_state(attempts: Any) -> tuple[int, dt.datetime | None]:
    agg = attempts.aggregate(n=Sum("failures_since_start"), last=Max("attempt_time"))
    return int(agg["n"] or 0), agg["last"]


class GrowingLockoutHandler(AxesDatabaseHandler):
    """axes' database handler whose lock lasts :func:`delay_for` the failures, not the whole memory."""

    def lock_left(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> dt.timedelta | None:
        worst: dt.timedelta | None = dt.timedelta(0)
        for attempts in self.get_user_attempts(request, credentials):
            left = remaining(*_pair_state(attempts))
            if left is None:
                return None
            worst = max(worst, left) if worst is not None else worst
        return worst

    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        if not settings.AXES_LOCK_OUT_AT_FAILURE:
            return False
        if self.get_failures(request, credentials) < get_failure_limit(request, credentials):
            return False
        left = self.lock_left(request, credentials)
        return left is None or left > dt.timedelta(0)


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """The lockout page, naming the time left for this account from this address."""
    left = GrowingLockoutHandler().lock_left(request, credentials)
    context = {
        "username": get_client_username(request, credentials) or "",
        "wait": None if left is None else f"{max(1, int(left.total_seconds() + 59) // 60)} 分钟",
    }
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=429)


def active_locks(username: str | None = None) -> list[dict[str, Any]]:
    """Pairs (account, address) locked now: ``{username, ip_address, failures, left}``."""
    qs = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    if username is not None:
        qs = qs.filter(username=username)
    now = timezone.now()
    out = []
    for a in qs.order_by("username", "ip_address"):
        left = remaining(a.failures_since_start, a.attempt_time, now)
        if left is None or left > dt.timedelta(0):
            out.append(
                {
                    "username": a.username,
                    "ip_address": a.ip_address,
                    "failures": a.failures_since_start,
                    "left": left,
                }
            )
    return out
