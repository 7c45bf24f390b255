"""Writes of the resident portal: one-time codes, accounts, real-name binding (online applications:
``applications.py``).

Settings (read with ``getattr``): ``PORTAL_OTP_TTL_SECONDS`` (300), ``PORTAL_OTP_MAX_ATTEMPTS`` (5),
``PORTAL_OTP_LOCK_SECONDS`` (900), ``PORTAL_OTP_RESEND_SECONDS`` (60), ``PORTAL_OTP_DAILY_LIMIT`` (10),
``PORTAL_OTP_PER_IP_PER_HOUR`` (20), ``PORTAL_OTP_CODE_MAX_ATTEMPTS`` (10).

Wrong codes lock the pair (number, client address), not the number: ``PORTAL_OTP_MAX_ATTEMPTS`` wrong
codes from one address lock that number there for ``PORTAL_OTP_LOCK_SECONDS``, doubling with each
further lock of the pair within a day, so someone elsewhere cannot lock a resident out. Against guessing
from many addresses a code dies after ``PORTAL_OTP_CODE_MAX_ATTEMPTS`` wrong tries in all.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from onewindow.core import otp, throttle
from onewindow.core.actor import Actor
from onewindow.core.audit import record
from onewindow.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, Unauthenticated
from onewindow.core.otp import TooManyAttempts
from onewindow.core.ratelimit import check_rate
from onewindow.notify.services import notify
from onewindow.org.access import Perm, require_perm
from onewindow.org.models import Jurisdiction, Resident, ResidentKind
from onewindow.org.selectors import resident_get
from onewindow.portal.models import OtpChallenge, ResidentAccount
from onewindow.privacy import identifiers
from onewindow.privacy.crypto import blind_index
from onewindow.privacy.masking import mask_phone


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def otp_ttl() -> int:
    return _setting("PORTAL_OTP_TTL_SECONDS", 300)


# --- one-time codes (the shared rules: onewindow.core.otp) ----------------------------------------

PAIRS = otp.PairLock("otp")


def _pair_keys(index: str, client: str) -> tuple[str, str, str]:
    return PAIRS.keys(index, client)


def _pair_locked(index: str, client: str, *, then: str) -> None:
    """Raise ``otp_locked`` while the pair (number, address) is locked."""
    PAIRS.refuse_if_locked(index, client, then=then)


def _pair_failure(index: str, client: str) -> int:
    """Count a wrong code from this address; lock the pair at the limit. Returns seconds locked (0)."""
    return PAIRS.failure(
        index,
        client,
        limit=_setting("PORTAL_OTP_MAX_ATTEMPTS", 5),
        lock_seconds=_setting("PORTAL_OTP_LOCK_SECONDS", 900),
    )[1]


def request_client(request: Any) -> str:
    """The client address a request comes from (behind nginx already the real one; see security)."""
    return str(request.META.get("REMOTE_ADDR", "") or "")


def otp_rate_check(request: Any) -> None:
    """At most ``PORTAL_OTP_PER_IP_PER_HOUR`` (20) code requests per client address and hour, so the
    SMS gateway cannot be turned against many numbers from one place (``rate_limited``, 429)."""
    check_rate(request, "portal_otp", limit=_setting("PORTAL_OTP_PER_IP_PER_HOUR", 20), per_seconds=3600)


def otp_send(*, phone: str, client: str = "") -> OtpChallenge:
    """Send a 6-digit code by SMS (through ``notify``); 5 minutes valid. Refused while the number is
    locked for this client address, within the resend interval, or beyond the daily limit."""
    phone = identifiers.validate_mobile(phone)
    index = blind_index(phone)
    _pair_locked(index, client, then="再试")
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        OtpChallenge.objects.get_or_create(phone_index=index)
        ch = OtpChallenge.objects.select_for_update(of=("self",)).get(phone_index=index)
        code = otp.issue(
            ch,
            key=index,
            ttl=otp_ttl(),
            resend=_setting("PORTAL_OTP_RESEND_SECONDS", 60),
            daily_limit=_setting("PORTAL_OTP_DAILY_LIMIT", 10),
            now=now,
            today=today,
        )
        ch.attempts = 0
        ch.locked_until = None
        ch.save()
        notify("otp", channel="sms", to=phone, context={"code": code, "minutes": otp_ttl() // 60})
    return ch


def _check_code(phone: str, code: str, client: str = "") -> str:
    """Consume a correct code (single use) and return the phone's blind index; otherwise record the
    wrong attempt (committed, so a rollback cannot erase it) and raise. Locks are per (number, client
    address): wrong codes from elsewhere never lock the resident out."""
    index = blind_index(phone)
    now = timezone.now()
    code = (code or "").strip()
    error: DomainError | None = None
    try:
        _pair_locked(index, client, then="重新获取")
    except TooManyAttempts as exc:
        error = exc
    with transaction.atomic():
        ch = (
            OtpChallenge.objects.select_for_update(of=("self",))
            .filter(phone_index=index)
            .order_by("pk")
            .first()
        )
        if error is not None:
            pass
        elif ch is None or not ch.code_hash:
            error = Invalid("请先获取验证码", code="otp_invalid", details={"code": ["请先获取验证码"]})
        elif otp.expired(ch.expires_at, now):
            ch.code_hash = ""
            ch.save(update_fields=["code_hash"])
            error = Invalid(
                "验证码已过期，请重新获取", code="otp_expired", details={"code": ["验证码已过期"]}
            )
        elif not otp.code_matches(ch.code_hash, index, code):
            ch.attempts += 1  # wrong tries on this code from everywhere
            limit = _setting("PORTAL_OTP_MAX_ATTEMPTS", 5)
            locked = _pair_failure(index, client)
            left = limit - throttle.count(_pair_keys(index, client)[1])
            if ch.attempts >= max(limit, _setting("PORTAL_OTP_CODE_MAX_ATTEMPTS", 10)):
                ch.code_hash = ""  # too many guesses at this code in all: it dies (no lock)
            if locked:
                error = PAIRS.locked_error(limit, locked)
            elif not ch.code_hash:
                error = Invalid(
                    "验证码错误次数过多已失效，请重新获取",
                    code="otp_expired",
                    details={"code": ["验证码已失效"]},
                )
            else:
                error = Invalid(
                    f"验证码不正确，还可以再试 {left} 次",
                    code="otp_invalid",
                    details={"code": ["验证码不正确"], "attempts_left": left},
                )
            ch.save(update_fields=["attempts", "code_hash"])
        else:
            ch.code_hash = ""
            ch.attempts = 0
            ch.save(update_fields=["code_hash", "attempts"])
    if error is not None:
        if error.code == "otp_locked":
            record("portal.otp_locked", result="denied", details={"phone": mask_phone(phone)})
        raise error
    return index


def otp_login(*, phone: str, code: str, client: str = "") -> tuple[ResidentAccount, bool]:
    """Verify the code; return the account (created on first log-in = sign-up) and whether it is new."""
    phone = identifiers.validate_mobile(phone)
    index = _check_code(phone, code, client)
    with transaction.atomic():
        account = ResidentAccount.objects.select_related("user", "resident").filter(phone_index=index).first()
        if account is not None:
            _audit_login(account, new=False)
            return account, False
        user = get_user_model().objects.create_user(username=f"r-{uuid.uuid4().hex[:16]}", password=None)
        account = ResidentAccount.objects.create(user=user, phone=phone, phone_index=index)
    _audit_login(account, new=True)
    return account, True


def _audit_login(account: ResidentAccount, *, new: bool) -> None:
    record("portal.login", user=account.user, obj=f"resident_account:{account.pk}", details={"new": new})


def account_of(user: Any) -> ResidentAccount | None:
    """The resident account of a logged-in user (None for staff and anonymous users)."""
    if not getattr(user, "is_authenticated", False):
        return None
    account = getattr(user, "resident_account", None)
    return account if isinstance(account, ResidentAccount) else None


def require_account(user: Any) -> ResidentAccount:
    if not getattr(user, "is_authenticated", False):
        raise Unauthenticated("请先用手机号登录")
    account = account_of(user)
    if account is None:
        raise Forbidden("工作人员账号不能使用群众办事功能", code="not_a_resident")
    return account


# --- real-name binding ---------------------------------------------------------------------------


@transaction.atomic
def account_bind_real_name(
    *, account: ResidentAccount, name: str, id_number: str, jurisdiction: str
) -> ResidentAccount:
    """Bind the account to a person (居民身份证号, validated, encrypted, blind-indexed).

    Binding rule: an existing record of that ID number is taken over only when the name matches AND
    its phone is this account's phone AND that phone was verified by the resident (an SMS code:
    ``Resident.phone_verified_at``, set by a portal sign-up that created the record or by a portal
    contact change). A phone typed by staff (at an intake, or by a staff contact update) is never
    trusted: a record without a resident-verified phone, or with another phone, is refused
    (``real_name_mismatch``) and the person verifies at a window. A new record gets the account's
    phone, verified by the log-in code. One person, one account (``id_already_bound``).
    """
    account = ResidentAccount.objects.select_for_update(of=("self",)).get(pk=account.pk)
    if account.resident_id:
        raise Conflict("本账号已完成实名认证", code="already_bound")
    name = (name or "").strip()
    if not name or len(name) > 50:
        raise Invalid("请填写与身份证一致的姓名", code="invalid", details={"name": ["必填"]})
    number = identifiers.validate_id_number(id_number)
    place = Jurisdiction.objects.filter(code=(jurisdiction or "").strip()).first()
    if place is None:
        raise Invalid("请选择居住地", code="invalid", details={"jurisdiction": ["必选"]})
    resident = (
        Resident.objects.select_for_update(of=("self",))
        .filter(id_index=blind_index(number))
        .order_by("pk")
        .first()
    )
    if resident is not None:
        if ResidentAccount.objects.filter(resident=resident).exists():
            raise Conflict("该身份证号已绑定其他账号，如有疑问请到窗口核验", code="id_already_bound")
        if (
            resident.name != name
            or resident.phone_verified_at is None
            or not resident.phone
            or resident.phone != account.phone
        ):
            raise Forbidden(
                "姓名或登记的手机号与该身份证号的已有记录不一致，请携带身份证到窗口核验",
                code="real_name_mismatch",
            )
    else:
        resident = Resident(
            kind=ResidentKind.PERSON,
            name=name,
            id_number=number,
            phone=account.phone,
            phone_verified_at=timezone.now(),  # the account's phone, proved by the log-in code
            jurisdiction=place,
            created_by=account.user,
        )
        resident.save()
    account.resident = resident
    account.verified_at = timezone.now()
    account.save(update_fields=["resident", "verified_at"])
    return account


def window_bind_account(
    *, actor: Actor, resident_pk: int, phone: str, code: str, reason: str, client: str = ""
) -> ResidentAccount:
    """窗口核验: the person is at a window with their ID card; staff whose jurisdiction covers the
    resident bind the person's portal account (the one logged in with ``phone``) to the record. The
    SMS code sent to that phone (``otp_send``) and read out by the person proves they hold it; the
    phone becomes the record's resident-verified phone. With a reason, audited
    (``portal.window_bind``). This is how a record whose phone was only typed by staff gets bound."""
    require_perm(actor, Perm.RESIDENT_CREATE)
    resident_get(actor=actor, pk=resident_pk)  # outside the actor's jurisdiction: 404
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("请写明核验事由", code="reason_required", details={"reason": ["必填"]})
    phone = identifiers.validate_mobile(phone)
    index = blind_index(phone)
    account = ResidentAccount.objects.filter(phone_index=index).first()
    if account is None:
        raise NotFound("该手机号尚未在网上注册，请群众先用手机号登录一次", code="unknown_account")
    _check_code(phone, code, client)  # outside the write transaction: a wrong attempt stays counted
    with transaction.atomic():
        account = ResidentAccount.objects.select_for_update(of=("self",)).get(pk=account.pk)
        resident = Resident.objects.select_for_update(of=("self",)).get(pk=resident_pk)
        if account.resident_id is not None and account.resident_id != resident.pk:
            raise Conflict("该账号已绑定其他实名信息", code="already_bound")
        if ResidentAccount.objects.filter(resident=resident).exclude(pk=account.pk).exists():
            raise Conflict("该群众已绑定其他账号，如需更换请先解除", code="id_already_bound")
        before = mask_phone(resident.phone)
        resident.phone = phone
        resident.phone_verified_at = timezone.now()
        resident.save(update_fields=["phone", "phone_verified_at", "id_index"])
        account.resident = resident
        account.verified_at = timezone.now()
        account.save(update_fields=["resident", "verified_at"])
        record(
            "portal.window_bind",
            user=actor.user,
            obj=f"resident:{resident.pk}",
            details={
                "account": account.pk,
                "reason": reason[:200],
                "phone_before": before,
                "phone_after": mask_phone(phone),
            },
        )
    return account


def resident_contact_change(
    *, account: ResidentAccount, phone: str, code: str, address: str | None = None, client: str = ""
) -> ResidentAccount:
    """The resident changes the contact phone (and address) of their own record: the NEW phone is
    proved by the SMS code sent to it (``otp_send(phone=new)``), then it becomes the record's phone,
    verified, and the account's log-in phone. Earlier cases keep their own applicant snapshot."""
    if account.resident_id is None:
        raise Forbidden("请先完成实名认证", code="real_name_required")
    new_phone = identifiers.validate_mobile(phone)
    index = blind_index(new_phone)
    if index != account.phone_index and ResidentAccount.objects.filter(phone_index=index).exists():
        raise Conflict("该手机号已注册其他账号", code="phone_in_use")
    if address is not None:
        address = address.strip()
        if len(address) > 200:
            raise Invalid("地址不能超过200字", code="invalid", details={"address": ["过长"]})
    # the code went to the NEW phone: the resident holds it (checked outside the write transaction,
    # so a wrong attempt stays counted)
    _check_code(new_phone, code, client)
    with transaction.atomic():
        account = ResidentAccount.objects.select_for_update(of=("self",)).get(pk=account.pk)
        resident = Resident.objects.select_for_update(of=("self",)).get(pk=account.resident_id or 0)
        before = mask_phone(resident.phone)
        resident.phone = new_phone
        resident.phone_verified_at = timezone.now()
        fields = ["phone", "phone_verified_at", "id_index"]
        if address is not None:
            resident.address = address
            fields.append("address")
        resident.save(update_fields=fields)
        if ResidentAccount.objects.filter(phone_index=index).exclude(pk=account.pk).exists():
            raise Conflict("该手机号已注册其他账号", code="phone_in_use")
        account.phone, account.phone_index = new_phone, index
        account.save(update_fields=["phone", "phone_index"])
        record(
            "portal.contact_change",
            user=account.user,
            obj=f"resident:{resident.pk}",
            details={
                "phone_before": before,
                "phone_after": mask_phone(new_phone),
                "address": address is not None,
            },
        )
    return account
