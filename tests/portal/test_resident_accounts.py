"""Resident accounts: sign-up / log-in by SMS code, lockout, real-name binding, staff pages refused."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from onewindow.core.errors import DomainError
from onewindow.notify.models import Notification
from onewindow.org.models import Resident
from onewindow.portal import services
from onewindow.portal.models import OtpChallenge, ResidentAccount
from onewindow.privacy.consent import NOTICE_VERSION as CONSENT
from onewindow.privacy.crypto import blind_index
from tests.portal.resident_helpers import ID_A, PHONE_A, PHONE_B, last_code, shows_message_not_code, sign_up

pytestmark = pytest.mark.django_db
HERE = "127.0.0.1"  # the test client's address


def test_sign_up_then_log_in_with_code_over_the_pages(world: Any, client: Client) -> None:
    r = client.get("/my/login/")
    assert r.status_code == 200 and "获取验证码" in r.content.decode()
    r = client.post("/my/login/", {"phone": PHONE_A, "action": "send", "consent": CONSENT})
    assert r.status_code == 200 and "验证码已发送到" in r.content.decode()
    sms = Notification.objects.get(template="otp", channel="sms")
    assert sms.recipient == PHONE_A and "5 分钟内有效" in sms.body
    code = last_code(PHONE_A)
    ch = OtpChallenge.objects.get()
    assert code not in ch.code_hash and len(ch.code_hash) == 64  # only a hash is kept
    r = client.post(
        "/my/login/", {"phone": PHONE_A, "code": code, "action": "verify", "next": "/my/", "consent": CONSENT}
    )
    assert r.status_code == 302 and r["Location"].startswith("/my/realname/")  # new: real-name next
    account = ResidentAccount.objects.get()
    assert account.phone == PHONE_A and account.phone_index == blind_index(PHONE_A)
    assert not account.user.has_usable_password()
    assert client.get("/my/").status_code == 200
    # The code is single-use.
    client.logout()
    r = client.post("/my/login/", {"phone": PHONE_A, "code": code, "action": "verify", "consent": CONSENT})
    assert r.status_code == 422 and shows_message_not_code(r, "otp_invalid")
    # A second log-in finds the same account.
    OtpChallenge.objects.update(sent_at=timezone.now() - dt.timedelta(minutes=2))
    services.otp_send(phone=PHONE_A)
    account2, new = services.otp_login(phone=PHONE_A, code=last_code(PHONE_A))
    assert not new and account2.pk == account.pk


def test_wrong_code_then_lockout(world: Any, client: Client) -> None:
    services.otp_send(phone=PHONE_A)
    code = last_code(PHONE_A)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(DomainError) as exc:
            services.otp_login(phone=PHONE_A, code=wrong, client=HERE)
        assert exc.value.code == "otp_invalid" and f"还可以再试 {left} 次" in exc.value.message
    with pytest.raises(DomainError) as exc:
        services.otp_login(phone=PHONE_A, code=wrong, client=HERE)
    assert exc.value.code == "otp_locked" and exc.value.status == 429
    assert "分钟后重新获取" in exc.value.message
    # Even the right code is refused while locked, and no new code is sent.
    with pytest.raises(DomainError) as exc:
        services.otp_login(phone=PHONE_A, code=code, client=HERE)
    assert exc.value.code == "otp_locked"
    r = client.post("/my/login/", {"phone": PHONE_A, "action": "send", "consent": CONSENT})
    assert r.status_code == 429 and shows_message_not_code(r, "otp_locked", "验证码错误次数过多")
    assert not ResidentAccount.objects.exists()
    from onewindow.security.models import AuditEntry

    assert AuditEntry.objects.filter(action="portal.otp_locked", result="denied").exists()
    # After the wait the number can ask for a new code again.
    OtpChallenge.objects.update(sent_at=None)
    with mock.patch("onewindow.core.throttle.time.time", return_value=time.time() + 901):
        services.otp_send(phone=PHONE_A, client=HERE)
        account, new = services.otp_login(phone=PHONE_A, code=last_code(PHONE_A), client=HERE)
    assert new and account.phone == PHONE_A


def test_wrong_codes_from_elsewhere_do_not_lock_the_resident_out(world: Any, client: Client) -> None:
    """Lockout as a weapon: the lock is per (number, address)."""
    services.otp_send(phone=PHONE_A, client="10.0.0.1")
    code = last_code(PHONE_A)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(DomainError):
            services.otp_login(phone=PHONE_A, code=wrong, client="198.51.100.66")
    with pytest.raises(DomainError) as exc:
        services.otp_login(phone=PHONE_A, code=code, client="198.51.100.66")
    assert exc.value.code == "otp_locked"
    # the resident, at home, still logs in with her code (over the page: its own address)
    r = client.post(
        "/my/login/",
        {"phone": PHONE_A, "code": code, "action": "verify", "consent": CONSENT},
        REMOTE_ADDR="10.0.0.1",
    )
    assert r.status_code == 302 and ResidentAccount.objects.count() == 1


def test_locks_of_a_pair_grow_and_a_code_dies_after_guesses_from_many_places(world: Any) -> None:
    services.otp_send(phone=PHONE_A)
    code = last_code(PHONE_A)
    wrong = "000000" if code != "000000" else "111111"
    for i in range(10):  # two tries each from five addresses: no lock anywhere, but the code dies
        with pytest.raises(DomainError) as exc:
            services.otp_login(phone=PHONE_A, code=wrong, client=f"198.51.100.{i // 2}")
    assert exc.value.code == "otp_expired"
    with pytest.raises(DomainError) as exc:
        services.otp_login(phone=PHONE_A, code=code, client="10.0.0.1")
    assert exc.value.code == "otp_invalid"  # the code is gone: ask for a new one
    # growing: the second lock of the same pair within a day is twice as long
    from onewindow.core import throttle
    from onewindow.portal.services import _pair_keys

    for expected in (900, 1800):
        OtpChallenge.objects.update(sent_at=None, attempts=0)
        services.otp_send(phone=PHONE_A)
        for _ in range(5):
            with pytest.raises(DomainError) as exc:
                services.otp_login(phone=PHONE_A, code=wrong, client="198.51.100.99")
        assert exc.value.code == "otp_locked" and exc.value.details["retry_after"] == expected
        throttle.reset(_pair_keys(blind_index(PHONE_A), "198.51.100.99")[0])  # as if the wait had passed


def test_expired_code(world: Any) -> None:
    services.otp_send(phone=PHONE_A)
    code = last_code(PHONE_A)
    OtpChallenge.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(DomainError) as exc:
        services.otp_login(phone=PHONE_A, code=code)
    assert exc.value.code == "otp_expired" and "已过期" in exc.value.message


def test_resend_interval_and_bad_phone(world: Any) -> None:
    services.otp_send(phone=PHONE_A)
    with pytest.raises(DomainError) as exc:
        services.otp_send(phone=PHONE_A)
    assert exc.value.code == "otp_too_soon"
    with pytest.raises(DomainError) as exc:
        services.otp_send(phone="1234")
    assert exc.value.code == "invalid_phone"
    with pytest.raises(DomainError) as exc:
        services.otp_login(phone=PHONE_B, code="123456")  # never sent
    assert exc.value.code == "otp_invalid"


def test_real_name_binding(world: Any, client: Client) -> None:
    account = sign_up(PHONE_A)
    client.force_login(account.user)
    r = client.post(
        "/my/realname/",
        {
            "name": "巴特尔",
            "id_number": "110105194912310021",
            "jurisdiction": "152522100201",
            "consent_sensitive": CONSENT,
        },
    )
    assert r.status_code == 422 and shows_message_not_code(r, "invalid_id_number", "身份证号")
    assert not Resident.objects.exists()
    r = client.post(
        "/my/realname/",
        {
            "name": "巴特尔",
            "id_number": ID_A.lower(),
            "jurisdiction": "152522100201",
            "consent_sensitive": CONSENT,
        },
    )
    assert r.status_code == 302
    account.refresh_from_db()
    resident = account.resident
    assert resident is not None and resident.id_number == ID_A and resident.id_index == blind_index(ID_A)
    assert resident.phone == PHONE_A and resident.jurisdiction.code == "152522100201"
    # Stored encrypted: the raw column is not the clear number.
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT id_number FROM org_resident WHERE id = %s", [resident.pk])
        assert ID_A not in cur.fetchone()[0]
    assert "1101" in client.get("/my/realname/").content.decode()  # masked display
    # Another account cannot take the same person.
    other = sign_up(PHONE_B)
    with pytest.raises(DomainError) as exc:
        services.account_bind_real_name(
            account=other, name="巴特尔", id_number=ID_A, jurisdiction="152522100201"
        )
    assert exc.value.code == "id_already_bound"


def test_existing_window_record_needs_matching_name_and_a_resident_verified_phone(world: Any) -> None:
    from django.utils import timezone

    r = Resident.objects.create(name="其木格", id_number=ID_A, phone="13800001111", jurisdiction=world["va"])
    account = sign_up(PHONE_A)

    def bind(name: str = "其木格") -> Any:
        return services.account_bind_real_name(
            account=account, name=name, id_number=ID_A, jurisdiction="152522100201"
        )

    for phone in ("13800001111", "", PHONE_A):  # another phone, none, or the same phone typed by staff
        Resident.objects.filter(pk=r.pk).update(phone=phone)
        Resident.objects.get(pk=r.pk).save()  # encrypt, keep the blind index
        with pytest.raises(DomainError) as exc:
            bind()
        assert exc.value.code == "real_name_mismatch", phone
    # the same phone, proved by the resident with an SMS code: taken over (the name must match)
    Resident.objects.filter(pk=r.pk).update(phone_verified_at=timezone.now())
    with pytest.raises(DomainError) as exc:
        bind("其木")
    assert exc.value.code == "real_name_mismatch"
    account = bind()
    assert account.resident is not None and account.resident.name == "其木格"


def test_staff_pages_refuse_residents_and_resident_pages_refuse_staff(world: Any, login: Any) -> None:
    account = sign_up(PHONE_A, "巴特尔", ID_A)
    c = Client()
    c.force_login(account.user)
    for url in ("/cases/", "/cases/new/", "/manage/catalog/"):
        r = c.get(url)
        assert r.status_code in (302, 403, 404), url
        if r.status_code == 302:
            assert "/accounts/login/" in r["Location"] or "/my/login" not in r["Location"]
    assert c.get("/cases/").status_code == 403
    r = c.get("/api/v1/cases")
    assert r.status_code in (200, 403)
    if r.status_code == 200:
        assert r.json()["count"] == 0
    assert c.get("/api/v1/me").status_code in (403, 404, 200)
    staff_client = login("clerk")
    r = staff_client.get("/my/")
    assert r.status_code == 403 and "not_a_resident" in r.content.decode()
    # anonymous: sent to the resident log-in
    r = Client().get("/my/")
    assert r.status_code == 302 and r["Location"].startswith("/my/login/?next=")


def test_code_requests_are_limited_per_client_address(world: Any, client: Client, settings: Any) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.PORTAL_OTP_PER_IP_PER_HOUR = 2
    assert (
        client.post("/my/login/", {"phone": PHONE_A, "action": "send", "consent": CONSENT}).status_code == 200
    )
    assert (
        client.post("/my/login/", {"phone": PHONE_B, "action": "send", "consent": CONSENT}).status_code == 200
    )
    r = client.post("/my/login/", {"phone": "13612345678", "action": "send", "consent": CONSENT})
    assert r.status_code == 429 and shows_message_not_code(r, "rate_limited")
    assert Notification.objects.filter(template="otp").count() == 2
    cache.clear()
