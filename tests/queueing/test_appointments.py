from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test import Client

from onewindow.core.errors import Conflict, Invalid, NotFound
from onewindow.org.models import OpeningHours
from onewindow.queueing import appointments as ap
from onewindow.queueing.models import Appointment, SlotCounter
from tests.portal.resident_helpers import last_code
from tests.queueing.conftest import NOW, TZ, book

D = dt.date.fromisoformat


def test_slots_follow_hours_and_the_official_calendar(world: Any, settings: Any) -> None:
    settings.APPOINTMENT_SLOT_MINUTES = 60
    ca = world["centres"]["a"]
    OpeningHours.objects.create(centre=ca, session="weekend", weekdays="6", start=dt.time(9), end=dt.time(12))
    weekday = ap.slots(ca, D("2026-09-29"))  # Tuesday: 08:30–17:30 → 9 one-hour slots
    assert [s.start.strftime("%H:%M") for s in weekday][:2] == ["08:30", "09:30"] and len(weekday) == 9
    assert ap.slots(ca, D("2026-10-01")) == []  # National Day: closed
    # a Saturday inside the National Day holiday is a statutory holiday: no weekend session (issue 14)
    assert ap.slots(ca, D("2026-10-03")) == []
    saturday = ap.slots(ca, D("2026-10-17"))  # an ordinary Saturday: the weekend session only
    assert [s.session for s in saturday] == ["weekend"] * 3
    worked_saturday = ap.slots(ca, D("2026-10-10"))  # 调休: a working Saturday has the normal sessions
    assert {s.session for s in worked_saturday} == {"normal"} and len(worked_saturday) == 9


def test_booking_capacity_past_and_bad_input(world: Any, now: Any, settings: Any) -> None:
    settings.APPOINTMENT_SLOT_CAPACITY = 2
    a = book()
    book()
    assert len(a.code) == 6
    with pytest.raises(Conflict) as e:
        book()
    assert e.value.code == "slot_full"
    with pytest.raises(Invalid) as e:
        book(date=D("2026-09-28"), start=dt.time(8, 30))
    assert e.value.code == "slot_past"
    with pytest.raises(Invalid) as e:
        book(start=dt.time(20, 0))
    assert e.value.code == "invalid_slot"
    with pytest.raises(Invalid) as e:
        book(phone="123")
    assert e.value.code == "invalid_phone"
    assert Appointment.objects.count() == 2
    ap.appointment_cancel(appointment_id=a.pk, code=a.code)
    assert SlotCounter.objects.get().booked == 1
    book()  # the freed place can be booked again


def test_check_in_gives_a_priority_ticket_once(world: Any, now: Any) -> None:
    a = book()
    with pytest.raises(NotFound):
        ap.appointment_check_in(appointment_id=a.pk, code="000000" if a.code != "000000" else "111111")
    with pytest.raises(Conflict) as e:
        ap.appointment_check_in(appointment_id=a.pk, code=a.code)  # the day before: too early
    assert e.value.code == "too_early"
    now.return_value = dt.datetime(2026, 9, 29, 8, 45, tzinfo=TZ)
    ticket = ap.appointment_check_in(appointment_id=a.pk, code=a.code)
    assert ticket.priority == "appointment" and ticket.number == "A001"
    with pytest.raises(Conflict) as e:
        ap.appointment_check_in(appointment_id=a.pk, code=a.code)
    assert e.value.code == "already_checked_in"


def test_late_and_no_show(world: Any, now: Any) -> None:
    a = book()
    now.return_value = dt.datetime(2026, 9, 29, 9, 45, tzinfo=TZ)
    with pytest.raises(Conflict) as e:
        ap.appointment_check_in(appointment_id=a.pk, code=a.code)
    assert e.value.code == "appointment_late"
    assert ap.mark_no_shows(dt.datetime(2026, 9, 29, 10, 0, tzinfo=TZ)) == 1
    assert ap.mark_no_shows(dt.datetime(2026, 9, 29, 10, 0, tzinfo=TZ)) == 0
    a.refresh_from_db()
    assert a.state == "no_show"


def test_api(client: Client, world: Any, now: Any) -> None:
    r = client.get("/api/v1/centres/C-A/slots", {"date": "2026-09-29"})
    assert r.status_code == 200 and r.json()[0]["start"] == "08:30" and r.json()[0]["available"] == 4
    body = {
        "centre": "C-A",
        "date": "2026-09-29",
        "start": "09:00",
        "category": "comprehensive",
        "name": "巴特尔",
        "phone": "13912345678",
    }
    r = client.post("/api/v1/appointments", body, content_type="application/json")
    assert r.status_code == 422 and r.json()["error"]["code"] == "phone_not_verified"
    r = client.post(
        "/api/v1/appointments/phone-code", {"phone": "13912345678"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json() == {"sent": True, "expires_in": 300}
    body["sms_code"] = last_code("13912345678")
    r = client.post("/api/v1/appointments", body, content_type="application/json")
    assert r.status_code == 201, r.content
    a = r.json()
    assert "13912345678" not in r.content.decode()
    now.return_value = dt.datetime(2026, 9, 29, 8, 50, tzinfo=TZ)
    r = client.post(
        f"/api/v1/appointments/{a['id']}/check-in", {"code": a["code"]}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["priority"] == "appointment"
    r = client.post(
        f"/api/v1/appointments/{a['id']}/check-in", {"code": a["code"]}, content_type="application/json"
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_checked_in"


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="concurrency is proven on PostgreSQL")
def test_slot_capacity_under_concurrent_booking(transactional_db: Any, settings: Any) -> None:
    from tests.factories import build_world

    build_world()
    settings.APPOINTMENT_SLOT_CAPACITY = 5
    with mock.patch("onewindow.queueing.services.local_now", return_value=NOW):

        def try_book(_i: int) -> str:
            try:
                book()
                return "ok"
            except Conflict as exc:
                return exc.code
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=10) as pool:
            results = list(pool.map(try_book, range(30)))
    assert results.count("ok") == 5 and results.count("slot_full") == 25
    assert Appointment.objects.count() == 5 and SlotCounter.objects.get().booked == 5


def test_reminders_are_queued_once_for_the_next_24_hours(world: Any, now: Any) -> None:
    from onewindow.queueing.models import AppointmentReminder

    soon = book()  # 2026-09-29 09:00, within 24 h of Monday 09:00
    later = book(date=D("2026-09-30"))  # Wednesday: not yet
    assert ap.queue_reminders(NOW) == 1
    assert ap.queue_reminders(NOW) == 0
    assert list(AppointmentReminder.objects.values_list("appointment_id", flat=True)) == [soon.pk]
    assert later.pk not in AppointmentReminder.objects.values_list("appointment_id", flat=True)


def test_a_booking_code_cannot_be_guessed(world: Any, now: Any, client: Client) -> None:
    """Five wrong 预约码 for one booking (or one phone at one centre) lock that target for 15 minutes,
    even for the right code — counted per target, so other bookings at the same kiosk still work."""
    from django.core.cache import cache

    cache.clear()
    a = book()
    other = book(phone="13912345679", start=dt.time(10, 30))
    third = book(phone="13912345670")
    now.return_value = dt.datetime(2026, 9, 29, 8, 50, tzinfo=TZ)
    wrong = "000000" if a.code != "000000" else "111111"
    url = f"/api/v1/appointments/{a.pk}/check-in"
    for _ in range(ap.CODE_ATTEMPTS):
        r = client.post(url, {"code": wrong}, content_type="application/json")
        assert r.status_code == 404
    r = client.post(url, {"code": a.code}, content_type="application/json")
    assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"
    assert "预约码错误次数过多" in r.json()["error"]["message"]
    Appointment.objects.filter(pk=a.pk, state="booked").get()  # nothing was checked in
    # the same guard on the phone path (the kiosk's 手机号 + 预约码)
    centre = world["centres"]["a"]
    for _ in range(ap.CODE_ATTEMPTS):
        with pytest.raises(NotFound):
            ap.appointment_check_in_by_phone(centre=centre, phone="13912345679", code=wrong)
    from onewindow.core.ratelimit import RateLimited

    with pytest.raises(RateLimited):
        ap.appointment_check_in_by_phone(centre=centre, phone="13912345679", code=other.code)
    # another booking is not affected by either lock
    r = client.post(
        f"/api/v1/appointments/{third.pk}/check-in", {"code": third.code}, content_type="application/json"
    )
    assert r.status_code == 200, r.content
