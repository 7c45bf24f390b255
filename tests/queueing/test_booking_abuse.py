"""Anonymous booking under real conditions: a verified phone (SMS code) or a staff session, and a limit
of open bookings per phone. (All 56 of a day's slots were once booked anonymously in 1.4 s.)"""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test import Client

from onewindow.org.actors import actor_of
from onewindow.privacy.consent import NOTICE_VERSION
from onewindow.queueing.models import Appointment, BookingPhone
from tests.portal.resident_helpers import PHONE_A, last_code, sign_up

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 9, 28, 9, 0, tzinfo=TZ)  # Monday
API = "/api/v1/appointments"
BODY = {
    "centre": "C-A",
    "date": "2026-09-29",
    "category": "comprehensive",
    "name": "巴特尔",
    "phone": PHONE_A,
}


@pytest.fixture
def now() -> Any:
    with mock.patch("onewindow.queueing.services.local_now", return_value=NOW) as m:
        yield m


def post(client: Client, url: str, body: dict[str, Any], **extra: Any) -> Any:
    return client.post(url, body, content_type="application/json", **extra)


def code_for(client: Client, phone: str = PHONE_A, **extra: Any) -> str:
    BookingPhone.objects.update(sent_at=None)  # past the resend interval
    r = post(client, f"{API}/phone-code", {"phone": phone}, **extra)
    assert r.status_code == 200, r.content
    return last_code(phone)


def test_anonymous_burst_books_nothing(client: Client, world: Any, now: Any) -> None:
    slots = client.get("/api/v1/centres/C-A/slots", {"date": "2026-09-29"}).json()
    codes = {
        post(client, API, {**BODY, "start": s["start"], "phone": f"1390000{i:04d}"}).json()["error"]["code"]
        for i, s in enumerate(slots)
        for _ in range(s["capacity"])
    }
    assert codes == {"phone_not_verified"}
    assert not Appointment.objects.exists()


def test_wrong_codes_lock_only_that_address(client: Client, world: Any, now: Any) -> None:
    code = code_for(client)
    wrong = "000000" if code != "000000" else "111111"
    attacker = Client(REMOTE_ADDR="198.51.100.66")
    answers = [post(attacker, API, {**BODY, "start": "09:00", "sms_code": wrong}) for _ in range(5)]
    assert [a.status_code for a in answers] == [422, 422, 422, 422, 429]
    assert answers[0].json()["error"]["code"] == "otp_invalid"
    assert answers[-1].json()["error"]["code"] == "otp_locked"
    r = post(attacker, API, {**BODY, "start": "09:00", "sms_code": code})
    assert r.status_code == 429  # even the right code, from there
    r = post(client, API, {**BODY, "start": "09:00", "sms_code": code})
    assert r.status_code == 201, r.content  # the resident, elsewhere, books with her code
    r = post(client, API, {**BODY, "start": "09:30", "sms_code": code})
    assert r.status_code == 422 and r.json()["error"]["code"] == "otp_invalid"  # single use


def test_open_bookings_per_phone_are_limited(client: Client, world: Any, now: Any, settings: Any) -> None:
    settings.APPOINTMENT_MAX_OPEN_PER_PHONE = 2
    ids = []
    for start in ("09:00", "09:30"):
        r = post(client, API, {**BODY, "start": start, "sms_code": code_for(client)})
        assert r.status_code == 201, r.content
        ids.append(r.json())
    code = code_for(client)
    r = post(client, API, {**BODY, "start": "10:00", "sms_code": code})
    assert r.status_code == 409 and r.json()["error"]["code"] == "booking_limit"
    assert r.json()["error"]["details"] == {"open": 2, "limit": 2}
    # the refused booking did not use up the code; cancelling one booking frees a place
    r = post(client, f"{API}/{ids[0]['id']}/cancel", {"code": ids[0]["code"]})
    assert r.status_code == 200
    r = post(client, API, {**BODY, "start": "10:00", "sms_code": code})
    assert r.status_code == 201, r.content
    assert Appointment.objects.filter(state="booked").count() == 2


def test_the_booking_page_refuses_an_unverified_phone(client: Client, world: Any, now: Any) -> None:
    form = {**BODY, "start": "09:00", "consent": NOTICE_VERSION}
    form.pop("centre")
    r = client.post("/queue/book/C-A/", form)
    assert r.status_code == 422 and "请先验证手机号" in r.content.decode()
    assert 'name="sms_code"' in r.content.decode()
    r = client.post("/queue/book/C-A/", {**form, "sms_code": "12345"})
    assert r.status_code == 422 and "验证码" in r.content.decode()
    assert not Appointment.objects.exists()


def test_staff_sessions_and_tokens_book_without_a_code(world: Any, now: Any, login: Any) -> None:
    from onewindow.api.tokens import token_create

    agent = login("agent")
    page = agent.get("/queue/book/C-A/").content.decode()
    assert 'name="sms_code"' not in page
    for start in ("09:00", "09:30", "10:00"):  # no per-phone limit for staff bookings
        assert post(agent, API, {**BODY, "start": start}).status_code == 201
    _row, key = token_create(username="clerk")
    r = post(Client(), API, {**BODY, "start": "10:30"}, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.status_code == 201, r.content
    r = post(Client(), API, {**BODY, "start": "10:30"}, HTTP_AUTHORIZATION="Bearer ow_junk")
    assert r.status_code == 422 and r.json()["error"]["code"] == "phone_not_verified"


def test_a_logged_in_resident_books_her_own_number_without_a_code(
    client: Client, world: Any, now: Any
) -> None:
    account = sign_up(PHONE_A)
    client.force_login(account.user)
    r = post(client, API, {**BODY, "start": "09:00"})
    assert r.status_code == 201, r.content
    r = post(client, API, {**BODY, "start": "09:30", "phone": "13700000001"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "phone_not_verified"


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="concurrency is proven on PostgreSQL")
def test_per_phone_limit_holds_under_concurrent_bookings(transactional_db: Any, settings: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from onewindow.core.errors import Conflict
    from onewindow.queueing import appointments as ap
    from tests.factories import build_world

    build_world()
    settings.APPOINTMENT_MAX_OPEN_PER_PHONE = 2
    user = sign_up(PHONE_A).user  # her own number: no code, but the limit applies
    starts = [dt.time(9, 0), dt.time(9, 30), dt.time(10, 0), dt.time(10, 30), dt.time(11, 0)] * 2

    def try_book(i: int) -> str:
        try:
            ap.appointment_book(
                centre="C-A",
                date=dt.date(2026, 9, 29),
                start=starts[i],
                category="comprehensive",
                name="巴特尔",
                phone=PHONE_A,
                actor=actor_of(user),
            )
            return "ok"
        except Conflict as exc:
            return exc.code
        finally:
            connection.close()

    with (
        mock.patch("onewindow.queueing.services.local_now", return_value=NOW),
        ThreadPoolExecutor(max_workers=10) as pool,
    ):
        results = list(pool.map(try_book, range(10)))
    assert results.count("ok") == 2 and results.count("booking_limit") == 8
    assert Appointment.objects.count() == 2
