"""SMS codes that prove a booker holds the mobile number of an anonymous booking (预约短信验证).

The same rules as the portal's log-in codes, shared through :mod:`onewindow.core.otp` (code, hash,
expiry, resend and daily limits, per-pair locks); this module keeps the booking's row and settings: a
6-digit code by SMS (the ``otp`` notice), valid ``BOOKING_CODE_TTL_SECONDS`` (300), single use, at most
one per ``BOOKING_CODE_RESEND_SECONDS`` (60) and ``BOOKING_CODE_DAILY_LIMIT`` (10) per number, and
``BOOKING_CODE_PER_IP_PER_HOUR`` (20) per client address. Wrong codes lock the pair (number, address)
after ``BOOKING_CODE_MAX_ATTEMPTS`` (5) for ``BOOKING_CODE_LOCK_SECONDS`` (900), doubling with each
further lock that day, so nobody elsewhere can lock a resident out; a code dies after
``BOOKING_CODE_MAX_TOTAL`` (10) wrong tries from anywhere.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from onewindow.core import otp, throttle
from onewindow.core.errors import Invalid
from onewindow.core.otp import TooManyAttempts
from onewindow.notify.services import notify
from onewindow.privacy import identifiers
from onewindow.privacy.crypto import blind_index
from onewindow.queueing.models import BookingPhone

PAIRS = otp.PairLock("bk")


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def ttl() -> int:
    return _setting("BOOKING_CODE_TTL_SECONDS", 300)


def _key(index: str) -> str:
    return f"booking:{index}"


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
    PAIRS.refuse_if_locked(index, client, then="重新获取")
    throttle_key = f"bk:send:{client or 'unknown'}:{int(timezone.now().timestamp() // 3600)}"
    if throttle.hit(throttle_key, 3605) > _setting("BOOKING_CODE_PER_IP_PER_HOUR", 20):
        raise TooManyAttempts("获取验证码过于频繁，请稍后再试", code="rate_limited")
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        row = phone_row(index)
        code = otp.issue(
            row,
            key=_key(index),
            ttl=ttl(),
            resend=_setting("BOOKING_CODE_RESEND_SECONDS", 60),
            daily_limit=_setting("BOOKING_CODE_DAILY_LIMIT", 10),
            now=now,
            today=today,
        )
        row.save()
        throttle.reset(f"bk:total:{index}")
        notify("otp", channel="sms", to=phone, context={"code": code, "minutes": ttl() // 60})
    return row


def code_consume(row: BookingPhone, *, code: str, client: str = "") -> None:
    """Check ``code`` against the locked ``row`` and use it up (the caller's transaction: a booking that
    fails afterwards leaves the code usable). Wrong tries are counted outside the database, so the
    rollback of the failed booking does not erase them."""
    index = row.phone_index
    PAIRS.refuse_if_locked(index, client, then="重新获取")
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
    if otp.expired(row.expires_at, now):
        raise Invalid("验证码已过期，请重新获取", code="otp_expired", details={"sms_code": ["验证码已过期"]})
    limit = _setting("BOOKING_CODE_MAX_ATTEMPTS", 5)
    total_key, max_total = f"bk:total:{index}", max(limit, _setting("BOOKING_CODE_MAX_TOTAL", 10))
    dead = Invalid(
        "验证码错误次数过多已失效，请重新获取", code="otp_expired", details={"sms_code": ["验证码已失效"]}
    )
    if throttle.count(total_key) >= max_total:
        raise dead
    if otp.code_matches(row.code_hash, _key(index), code):
        row.code_hash = ""
        row.save(update_fields=["code_hash"])
        return
    failures, locked = PAIRS.failure(
        index, client, limit=limit, lock_seconds=_setting("BOOKING_CODE_LOCK_SECONDS", 900)
    )
    total = throttle.hit(total_key, ttl() + 5)
    if locked:
        raise PAIRS.locked_error(limit, locked)
    if total >= max_total:
        raise dead
    raise Invalid(
        f"验证码不正确，还可以再试 {limit - failures} 次",
        code="otp_invalid",
        details={"sms_code": ["验证码不正确"], "attempts_left": limit - failures},
    )
