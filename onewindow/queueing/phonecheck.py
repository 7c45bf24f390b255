"""SMS codes that prove a booker holds the mobile number of an anonymous booking (预约短信验证).

The same rules as the portal's log-in codes, kept here because queueing sits below the portal: a
6-digit code by SMS (the ``otp`` notice), valid ``BOOKING_CODE_TTL_SECONDS`` (300), single use, at most
one per ``BOOKING_CODE_RESEND_SECONDS`` (60) and ``BOOKING_CODE_DAILY_LIMIT`` (10) per number, and
``BOOKING_CODE_PER_IP_PER_HOUR`` (20) per client address. Wrong codes lock the pair (number, address)
after ``BOOKING_CODE_MAX_ATTEMPTS`` (5) for ``BOOKING_CODE_LOCK_SECONDS`` (900), doubling with each
further lock that day, so nobody elsewhere can lock a resident out; a code dies after
``BOOKING_CODE_MAX_TOTAL`` (10) wrong tries from anywhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from onewindow.core import throttle
from onewindow.core.errors import DomainError, Invalid
from onewindow.notify.services import notify
from onewindow.privacy import identifiers
from onewindow.privacy.crypto import blind_index
from onewindow.queueing.models import BookingPhone

DAY = 24 * 3600


class CodeLocked(DomainError):
    status = 429
    code = "otp_locked"
    default_message = "验证码错误次数过多，请稍后再试"


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def ttl() -> int:
    return _setting("BOOKING_CODE_TTL_SECONDS", 300)


def _hash(index: str, code: str) -> str:
    key = settings.SECRET_KEY.encode("utf-8")
    return hmac.new(key, f"booking:{index}:{code}".encode(), hashlib.sha256).hexdigest()


def _keys(index: str, client: str) -> tuple[str, str, str]:
    d = throttle.digest(index, client or "unknown")
    return f"bk:lock:{d}", f"bk:fail:{d}", f"bk:locks:{d}"


def _refuse_if_locked(index: str, client: str) -> None:
    left = throttle.locked_for(_keys(index, client)[0])
    if left:
        raise CodeLocked(
            f"验证码错误次数过多，请 {throttle.wait_text(left)}后重新获取",
            details={"retry_after": left},
        )


def phone_row(index: str) -> BookingPhone:
    """The number's row, locked (``select_for_update``) for the rest of the transaction."""
    try:
        with transaction.atomic():
            BookingPhone.objects.get_or_create(phone_index=index)
    except IntegrityError:
        pass
    return BookingPhone.objects.select_for_update(of=("self",)).get(phone_index=index)


def code_send(*, phone: str, client: str = "") -> BookingPhone:
    """Send a booking code to ``phone`` by SMS."""
    phone = identifiers.validate_mobile(phone)
    index = blind_index(phone)
    _refuse_if_locked(index, client)
    throttle_key = f"bk:send:{client or 'unknown'}:{int(timezone.now().timestamp() // 3600)}"
    if throttle.hit(throttle_key, 3605) > _setting("BOOKING_CODE_PER_IP_PER_HOUR", 20):
        raise CodeLocked("获取验证码过于频繁，请稍后再试", code="rate_limited")
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        row = phone_row(index)
        resend = _setting("BOOKING_CODE_RESEND_SECONDS", 60)
        if row.sent_at and (now - row.sent_at).total_seconds() < resend:
            wait = resend - int((now - row.sent_at).total_seconds())
            raise CodeLocked(
                f"验证码已发送，请 {wait} 秒后再重新获取", code="otp_too_soon", details={"retry_after": wait}
            )
        if row.sends_day != today:
            row.sends_day, row.sends_today = today, 0
        if row.sends_today >= _setting("BOOKING_CODE_DAILY_LIMIT", 10):
            raise CodeLocked("今天获取验证码的次数已达上限，请明天再试", code="otp_daily_limit")
        code = f"{secrets.randbelow(1_000_000):06d}"
        row.code_hash = _hash(index, code)
        row.sent_at = now
        row.expires_at = now + dt.timedelta(seconds=ttl())
        row.sends_today += 1
        row.save()
        throttle.reset(f"bk:total:{index}")
        notify("otp", channel="sms", to=phone, context={"code": code, "minutes": ttl() // 60})
    return row


def code_consume(row: BookingPhone, *, code: str, client: str = "") -> None:
    """Check ``code`` against the locked ``row`` and use it up (the caller's transaction: a booking that
    fails afterwards leaves the code usable). Wrong tries are counted outside the database, so the
    rollback of the failed booking does not erase them."""
    index = row.phone_index
    _refuse_if_locked(index, client)
    code = (code or "").strip()
    if not code:
        raise Invalid(
            "请先验证手机号：点击“获取验证码”，填写短信中的6位验证码",
            code="phone_not_verified",
            details={"sms_code": ["必填"]},
        )
    now = timezone.now()
    if not row.code_hash:
        raise Invalid("请先获取验证码", code="otp_invalid", details={"sms_code": ["请先获取验证码"]})
    if row.expires_at is None or row.expires_at <= now:
        raise Invalid("验证码已过期，请重新获取", code="otp_expired", details={"sms_code": ["验证码已过期"]})
    limit = _setting("BOOKING_CODE_MAX_ATTEMPTS", 5)
    total_key, max_total = f"bk:total:{index}", max(limit, _setting("BOOKING_CODE_MAX_TOTAL", 10))
    dead = Invalid(
        "验证码错误次数过多已失效，请重新获取", code="otp_expired", details={"sms_code": ["验证码已失效"]}
    )
    if throttle.count(total_key) >= max_total:
        raise dead
    if code.isdigit() and hmac.compare_digest(row.code_hash, _hash(index, code)):
        row.code_hash = ""
        row.save(update_fields=["code_hash"])
        return
    lock_key, fail_key, locks_key = _keys(index, client)
    failures = throttle.hit(fail_key, DAY)
    total = throttle.hit(total_key, ttl() + 5)
    if failures >= limit:
        locks = throttle.hit(locks_key, DAY)
        seconds = min(_setting("BOOKING_CODE_LOCK_SECONDS", 900) * 2 ** min(locks - 1, 16), DAY)
        throttle.lock(lock_key, seconds)
        throttle.reset(fail_key)
        raise CodeLocked(
            f"验证码连续输错{limit}次，请 {throttle.wait_text(seconds)}后重新获取",
            details={"retry_after": seconds},
        )
    if total >= max_total:
        raise dead
    raise Invalid(
        f"验证码不正确，还可以再试 {limit - failures} 次",
        code="otp_invalid",
        details={"sms_code": ["验证码不正确"], "attempts_left": limit - failures},
    )
