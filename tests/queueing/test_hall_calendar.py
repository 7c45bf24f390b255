"""The hall keeps the official calendar (issue 14, part 2): tickets, slots and check-in follow the
State Council calendar and each session's weekdays; lunch break and closing time; holiday duty; the
board clock and "today" come from the server's time zone."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from unittest import mock

import pytest
from django.test import Client

from onewindow.org.models import HolidayDuty, OpeningHours
from onewindow.queueing.models import Ticket
from tests.factories import make_appointment
from tests.queueing.conftest import TZ


def at(y: int, m: int, d: int, hh: int, mm: int = 0) -> Any:
    return mock.patch(
        "onewindow.queueing.services.local_now", return_value=dt.datetime(y, m, d, hh, mm, tzinfo=TZ)
    )


def take(client: Client, centre: str = "C-A") -> Any:
    return client.post(
        "/api/v1/tickets", {"centre": centre, "category": "comprehensive"}, content_type="application/json"
    )


@pytest.fixture
def hours(world: Any, settings: Any) -> dict[str, Any]:
    settings.QUEUE_ENFORCE_HOURS = True
    ca = world["centres"]["a"]
    # morning and afternoon with a lunch break (replacing the world's 08:30–17:30)
    OpeningHours.objects.filter(centre=ca).delete()
    OpeningHours.objects.create(centre=ca, weekdays="12345", start=dt.time(8, 30), end=dt.time(12, 0))
    OpeningHours.objects.create(centre=ca, weekdays="12345", start=dt.time(14, 30), end=dt.time(17, 30))
    return world


def test_no_tickets_on_national_day(hours: Any, client: Client) -> None:
    with at(2026, 10, 1, 10):  # Thursday, 国庆节
        r = take(client)
    assert r.status_code == 422 and r.json()["error"]["code"] == "centre_closed"
    assert "10月8日" in r.json()["error"]["message"]  # the next working day after the holiday
    assert not Ticket.objects.exists()


def test_holiday_duty_session_opens_the_hall_on_a_holiday(hours: Any, client: Client) -> None:
    ca = hours["centres"]["a"]
    HolidayDuty.objects.create(centre=ca, date=dt.date(2026, 10, 1), start=dt.time(9), end=dt.time(12))
    with at(2026, 10, 1, 10):
        r = take(client)
    assert r.status_code == 201, r.content
    assert r.json()["day"] == "2026-10-01"
    with at(2026, 10, 1, 13):  # after the duty session: closed again
        assert take(client).status_code == 422


def test_tickets_on_the_working_sunday(hours: Any, client: Client) -> None:
    with at(2026, 9, 20, 10):  # Sunday worked for National Day (调休)
        r = take(client)
    assert r.status_code == 201, r.content
    assert r.json()["number"] == "A001" and r.json()["opens_at"] is None
    with at(2026, 9, 27, 10):  # an ordinary Sunday stays closed
        assert take(client).status_code == 422


def test_check_in_on_the_working_sunday(hours: Any, client: Client) -> None:
    a = make_appointment(hours["centres"]["a"], dt.date(2026, 9, 20), dt.time(9), dt.time(9, 30))
    with at(2026, 9, 20, 9, 5):
        r = client.post(
            f"/api/v1/appointments/{a.pk}/check-in", {"code": "123456"}, content_type="application/json"
        )
    assert r.status_code == 200, r.content
    assert r.json()["priority"] == "appointment" and r.json()["day"] == "2026-09-20"


def test_check_in_before_opening_gets_the_ticket_for_its_day(hours: Any, client: Client) -> None:
    a = make_appointment(
        hours["centres"]["a"], dt.date(2026, 9, 29), dt.time(8, 30), dt.time(9), code="654321"
    )
    with at(2026, 9, 29, 8, 10):  # early check-in (within APPOINTMENT_EARLY_MINUTES), hall not open yet
        r = client.post(
            f"/api/v1/appointments/{a.pk}/check-in", {"code": "654321"}, content_type="application/json"
        )
    assert r.status_code == 200, r.content


def test_slots_follow_the_calendar_and_session_weekdays(hours: Any, client: Client, settings: Any) -> None:
    settings.APPOINTMENT_SLOT_MINUTES = 60
    vc = hours["centres"]["b"]
    OpeningHours.objects.filter(centre=vc).delete()
    OpeningHours.objects.create(centre=vc, weekdays="3", start=dt.time(9), end=dt.time(11))  # Wednesday only

    def slots(code: str, date: str) -> list[str]:
        r = client.get(f"/api/v1/centres/{code}/slots?date={date}")
        assert r.status_code == 200, r.content
        return [s["start"] for s in r.json()]

    assert slots("C-B", "2026-09-29") == []  # Tuesday: no slots for a Wednesday-only session
    assert slots("C-B", "2026-09-30") == ["09:00", "10:00"]  # Wednesday
    assert slots("C-A", "2026-10-01") == []  # National Day
    assert slots("C-A", "2026-09-20")[:1] == ["08:30"]  # 调休 working Sunday
    assert "12:00" not in slots("C-A", "2026-09-29")  # the lunch break has no slots
    assert slots("C-B", "2026-09-20") == []  # a single-weekday session does not move to a 调休 day


def test_lunch_break_ticket_for_the_afternoon_called_first(hours: Any, client: Client, login: Any) -> None:
    with at(2026, 9, 29, 12, 30):  # Tuesday lunch break
        page = client.get("/queue/kiosk/C-A/").content.decode()
        assert "下午 14:30 开始办理" in page and "（预取号）" in page
        r = take(client)
        assert r.status_code == 201, r.content
        early = r.json()
        assert early["opens_at"] == "2026-09-29T14:30:00+08:00"
        assert early["opens_text"] == "下午 14:30 开始办理"
        slip = client.get(f"/queue/kiosk/C-A/ticket/{early['id']}/").content.decode()
        assert "下午 14:30 开始办理" in slip
    with at(2026, 9, 29, 14, 35):
        later = take(client).json()
        assert later["opens_at"] is None
        staff = login("clerk")
        window = hours["centres"]["a"].windows.get(number=1)
        called = staff.post(f"/api/v1/windows/{window.pk}/call-next")
    assert called.status_code == 200 and called.json()["number"] == early["number"]


def test_after_closing_the_kiosk_says_when_it_opens(hours: Any, client: Client) -> None:
    with at(2026, 9, 30, 18):  # Wednesday evening; 10-01 to 10-08 are the holiday
        page = client.get("/queue/kiosk/C-A/").content.decode()
        r = take(client)
    assert "10月8日 上午 08:30 开始办理" in page
    assert 'name="category"' not in page  # no ticket buttons: nothing can be taken now
    assert r.status_code == 422 and r.json()["error"]["details"]["opens"] == ["2026-10-08T08:30:00+08:00"]


def test_holiday_duty_and_duty_phone_on_centre_page_kiosk_and_api(hours: Any, client: Client) -> None:
    ca = hours["centres"]["a"]
    ca.duty_phone = "0479-1234567"
    ca.save()
    HolidayDuty.objects.create(
        centre=ca, date=dt.date(2026, 12, 31), start=dt.time(9), end=dt.time(11, 30), note="仅办理紧急业务"
    )
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 12, 7)):
        api = client.get("/api/v1/centres/C-A").json()
    assert api["duty_phone"] == "0479-1234567"
    assert api["holiday_duty"] == [
        {"date": "2026-12-31", "start": "09:00", "end": "11:30", "note": "仅办理紧急业务"}
    ]
    page = client.get("/centres/C-A/").content.decode()
    assert "节假日紧急业务" in page and "0479-1234567" in page and "09:00–11:30" in page
    with at(2026, 12, 7, 10):
        kiosk = client.get("/queue/kiosk/C-A/").content.decode()
    assert "0479-1234567" in kiosk and "12月31日 09:00–11:30" in kiosk


def test_board_carries_the_server_time(hours: Any, client: Client) -> None:
    with at(2026, 9, 29, 12, 30):
        data = client.get("/api/v1/centres/C-A/board").json()
        page = client.get("/queue/board/C-A/").content.decode()
    assert data["now"] == "2026-09-29T12:30:00+08:00" and data["today"] == "2026-09-29"
    assert data["utc_offset_minutes"] == 480
    assert data["hall"]["message"].startswith("下午 14:30 开始办理")
    assert 'data-now="2026-09-29T12:30:00+08:00"' in page and 'data-utc-offset="480"' in page
    assert "2026年9月29日 12:30:00" in page
    initial = json.loads(page.split('id="board-initial" type="application/json">')[1].split("</script>")[0])
    assert initial["now"] == data["now"]


def test_board_js_never_reads_the_box_clock_or_zone() -> None:
    from pathlib import Path

    import onewindow

    js = (Path(onewindow.__file__).parent / "queueing/static/queueing/board.js").read_text()
    assert "toLocaleTimeString" not in js and "new Date()" not in js
    assert "data.now" in js and "getUTCHours" in js


def test_kiosk_buttons_stay_when_the_hours_check_is_off(hours: Any, client: Client, settings: Any) -> None:
    settings.QUEUE_ENFORCE_HOURS = False
    with at(2026, 9, 30, 20):
        page = client.get("/queue/kiosk/C-A/").content.decode()
        assert 'name="category"' in page and "（预取号）" not in page
        assert take(client).status_code == 201
