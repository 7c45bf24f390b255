"""One-time SMS codes (验证码), domain-free: what the portal's log-in codes and the queue's booking
codes share.

Here: the 6-digit code, its hash (an HMAC under ``SECRET_KEY``, so only the hash is stored), expiry,
the resend interval and daily limit of a code row (:func:`issue`), and the count of wrong codes per
pair (number, client address) with locks that double with each further lock that day
(:class:`PairLock`), so wrong codes from elsewhere never lock a resident out. In the apps: their own
row (``portal.OtpChallenge``, ``queueing.BookingPhone``), their settings, the field their error details
name, and what a used-up code means to them.

Users: ``portal.services`` (``otp_send``, ``_check_code``; key prefix ``otp``) and
``queueing.phonecheck`` (``code_send``, ``code_consume``; key prefix ``bk``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from onewindow.core import throttle
from onewindow.core.errors import DomainError

DAY = 24 * 3600
MAX_DOUBLINGS = 16


class TooManyAttempts(DomainError, status=429, code="otp_locked", message="尝试次数过多，请稍后再试"):
    """429: too many codes asked or tried; wait and try again."""


def new_code() -> str:
    """A fresh 6-digit code (cryptographically random)."""
    return f"{secrets.randbelow(1_000_000):06d}"


def code_hash(key: str, code: str) -> str:
    """The stored form of ``code`` for ``key`` (the number's blind index, with the app's own prefix)."""
    secret = settings.SECRET_KEY.encode("utf-8")
    return hmac.new(secret, f"{key}:{code}".encode(), hashlib.sha256).hexdigest()


def code_matches(stored: str, key: str, code: str) -> bool:
    """Whether ``code`` is the code whose hash is ``stored`` (constant time; digits only)."""
    return bool(stored) and code.isdigit() and hmac.compare_digest(stored, code_hash(key, code))


def expired(expires_at: dt.datetime | None, now: dt.datetime) -> bool:
    return expires_at is None or expires_at <= now


def issue(
    row: Any, *, key: str, ttl: int, resend: int, daily_limit: int, now: dt.datetime, today: dt.date
) -> str:
    """Put a new code on ``row`` (``code_hash``, ``sent_at``, ``expires_at``, ``sends_day``,
    ``sends_today``) and return it in clear, to be sent; the caller saves the row (locked).

    Refused (429) within ``resend`` seconds of the last code (``otp_too_soon``, with ``retry_after``)
    and beyond ``daily_limit`` codes a day (``otp_daily_limit``)."""
    if row.sent_at and (now - row.sent_at).total_seconds() < resend:
        wait = resend - int((now - row.sent_at).total_seconds())
        raise TooManyAttempts(
            f"验证码已发送，请 {wait} 秒后再重新获取", code="otp_too_soon", details={"retry_after": wait}
        )
    if row.sends_day != today:
        row.sends_day, row.sends_today = today, 0
    if row.sends_today >= daily_limit:
        raise TooManyAttempts("今天获取验证码的次数已达上限，请明天再试", code="otp_daily_limit")
    code = new_code()
    row.code_hash = code_hash(key, code)
    row.sent_at = now
    row.expires_at = now + dt.timedelta(seconds=ttl)
    row.sends_today += 1
    return code


@dataclass(frozen=True)
class PairLock:
    """Wrong codes counted per (number, client address) in the cache, under ``prefix``: at ``limit``
    wrong codes within a day the pair is locked for ``lock_seconds``, doubling with each further lock
    that day (at most a day). Counted outside the database, so a rolled-back request still counts."""

    prefix: str

    def keys(self, index: str, client: str) -> tuple[str, str, str]:
        """The (lock, failures, locks) keys of the pair."""
        d = throttle.digest(index, client or "unknown")
        return f"{self.prefix}:lock:{d}", f"{self.prefix}:fail:{d}", f"{self.prefix}:locks:{d}"

    def refuse_if_locked(self, index: str, client: str, *, then: str) -> None:
        """Raise ``otp_locked`` (with ``retry_after``) while the pair is locked; ``then`` ends the message."""
        left = throttle.locked_for(self.keys(index, client)[0])
        if left:
            raise TooManyAttempts(
                f"验证码错误次数过多，请 {throttle.wait_text(left)}后{then}",
                code="otp_locked",
                details={"retry_after": left},
            )

    def failure(self, index: str, client: str, *, limit: int, lock_seconds: int) -> tuple[int, int]:
        """Count one wrong code of the pair: ``(failures so far, seconds locked now or 0)``."""
        lock_key, fail_key, locks_key = self.keys(index, client)
        failures = throttle.hit(fail_key, DAY)
        if failures < limit:
            return failures, 0
        locks = throttle.hit(locks_key, DAY)
        seconds = min(lock_seconds * 2 ** min(locks - 1, MAX_DOUBLINGS), DAY)
        throttle.lock(lock_key, seconds)
        throttle.reset(fail_key)
        return failures, seconds

    @staticmethod
    def locked_error(limit: int, seconds: int) -> TooManyAttempts:
        """The error of the wrong code that locked the pair."""
        return TooManyAttempts(
            f"验证码连续输错{limit}次，请 {throttle.wait_text(seconds)}后重新获取",
            code="otp_locked",
            details={"retry_after": seconds},
        )
