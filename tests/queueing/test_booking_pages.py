"""Appointment pages: booking (public / village agent), cancel, and check-in at the kiosk."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from onewindow.privacy.consent import NOTICE_VERSION
from onewindow.queueing.models import Appointment, AppointmentState, SlotCounter, Ticket
from tests.portal.resident_helpers import last_code
from tests.queueing.conftest import TZ, book

BOOK_URL = "/queue/book/C-A/"
FORM = {
    "date": "2026-09-29",
    "start": "09:00",
    "category": "comprehensive",
    "name": "巴特尔",
    "phone": "13912345678",
    "consent": NOTICE_VERSION,
}


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


# ---------------------------------------------------------------- booking page


def test_booking_page_defaults_to_tomorrow_and_lists_slots(client: Client, world: Any, now: Any) -> None:
    r = client.get(BOOK_URL)
    assert r.status_code == 200
    body = r.content.decode()
    assert "预约办事 · 甲镇便民服务中心" in body and "甲镇1号" in body
    assert '<input type="hidden" name="date" value="2026-09-29">' in body
    assert '<option value="2026-09-29" selected>' in body
    assert 'value="08:30"' in body and "余 4 个" in body and "综合业务" in body
    assert body.count('<option value="2026-') == 14  # today and the next 13 days
    # Today: the slots already started are shown but disabled.
    body = client.get(BOOK_URL, {"date": "2026-09-28"}).content.decode()
    assert re.search(r'value="08:30" disabled', body) and "已过" in body
    assert not re.search(r'value="10:00" disabled', body)
    # A day outside the window is refused in Chinese.
    r = client.get(BOOK_URL, {"date": "2026-12-01"})
    assert r.status_code == 422 and "只能预约今天起14天内的时段" in r.content.decode()
    # National Day: closed.
    body = client.get(BOOK_URL, {"date": "2026-10-01"}).content.decode()
    assert "本中心不对外办公" in body
    assert client.get("/queue/book/NOPE/").status_code == 404


def verified(client: Client, form: dict[str, str]) -> dict[str, str]:
    """The SMS step of the booking page: ask for a code, then the form with the code filled in."""
    r = client.post(BOOK_URL, {**form, "action": "send_code"})
    assert r.status_code == 200 and "验证码已发送到 139****5678" in r.content.decode()
    assert 'value="巴特尔"' in r.content.decode()  # the form is kept
    return {**form, "sms_code": last_code(form["phone"])}


def test_booking_over_http_shows_the_code_and_can_be_cancelled(client: Client, world: Any, now: Any) -> None:
    r = client.post(BOOK_URL, verified(client, FORM))
    assert r.status_code == 302
    a = Appointment.objects.get()
    assert r["Location"] == f"/queue/book/C-A/done/{a.pk}/"
    assert a.channel == "online" and a.created_by is None and a.phone == "13912345678"
    assert a.consent_version == NOTICE_VERSION  # what the booker agreed to is kept with the booking
    r = client.get(r["Location"])
    assert r.status_code == 200
    body = r.content.decode()
    assert f'id="appointment-code">{a.code}<' in body and f'id="appointment-id">{a.pk}<' in body
    assert "2026年9月29日" in body and "09:00–09:30" in body and "甲镇1号" in body
    assert "取消预约" in body and "13912345678" not in body
    # The confirmation (with the code) is only shown to the browser that booked.
    assert Client().get(f"/queue/book/C-A/done/{a.pk}/").status_code == 404
    # Cancel: a wrong code is refused, the right one frees the place.
    r = client.post("/queue/book/C-A/cancel/", {"appointment": a.pk, "pin": wrong(a.code)})
    assert r.status_code == 404 and "预约不存在或预约码不正确" in r.content.decode()
    a.refresh_from_db()
    assert a.state == AppointmentState.BOOKED
    r = client.post("/queue/book/C-A/cancel/", {"appointment": a.pk, "pin": a.code})
    assert r.status_code == 200 and "预约已取消" in r.content.decode()
    a.refresh_from_db()
    assert a.state == AppointmentState.CANCELLED and SlotCounter.objects.get().booked == 0
    r = client.post("/queue/book/C-A/cancel/", {"appointment": a.pk, "pin": a.code})
    assert r.status_code == 409 and "不能取消" in r.content.decode()
    # Another centre's page cannot cancel it.
    r = client.post("/queue/book/C-B/cancel/", {"appointment": a.pk, "pin": a.code})
    assert r.status_code == 404


def test_village_agent_books_for_a_resident(world: Any, now: Any, login: Any) -> None:
    c = login("agent")
    r = c.post(BOOK_URL, {**FORM, "name": "其其格"})
    assert r.status_code == 302
    a = Appointment.objects.get()
    assert a.channel == "station" and a.created_by is not None and a.created_by.username == "agent"


def test_full_slot_shows_chinese_error_and_saves_nothing(
    client: Client, world: Any, now: Any, settings: Any
) -> None:
    settings.APPOINTMENT_SLOT_CAPACITY = 1
    book()
    body = client.get(BOOK_URL).content.decode()
    assert re.search(r'value="09:00" disabled', body) and "已约满" in body
    r = client.post(BOOK_URL, {**verified(client, FORM), "name": "其其格"})
    assert r.status_code == 409
    body = r.content.decode()
    assert "该时段已约满，请选择其他时段" in body and 'value="其其格"' in body  # the form is kept
    assert Appointment.objects.count() == 1 and SlotCounter.objects.get().booked == 1


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"phone": "123"}, 422, "手机号码应为以1开头的11位数字"),
        ({"date": "2026-09-28", "start": "08:30"}, 422, "不能预约已经开始或过去的时段"),
        ({"start": "20:00"}, 422, "该时段不在服务时间内"),
        ({"start": ""}, 422, "请选择预约时段"),
        ({"name": "  "}, 422, "请填写预约人姓名"),
        ({"category": "nope"}, 422, "本中心不办理该类业务"),
        ({"date": "2027-01-01"}, 422, "只能预约今天起14天内的时段"),
    ],
)
def test_bad_booking_input_is_refused_in_chinese(
    client: Client, world: Any, now: Any, change: dict[str, str], status: int, message: str
) -> None:
    r = client.post(BOOK_URL, {**FORM, **change})
    assert r.status_code == status
    assert message in r.content.decode()
    assert Appointment.objects.count() == 0


# ---------------------------------------------------------------- kiosk check-in


def test_kiosk_shows_check_in_and_no_links_out(client: Client, world: Any) -> None:
    body = client.get("/queue/kiosk/C-A/").content.decode()
    assert "预约签到" in body and 'action="/queue/kiosk/C-A/check-in/"' in body
    # issue 15: the kiosk is locked to the kiosk (no way out to the full site)
    assert 'href="/progress/"' not in body and 'href="/guide/"' not in body


def test_kiosk_check_in_gives_an_appointment_priority_ticket(
    client: Client, world: Any, now: Any, settings: Any
) -> None:
    settings.QUEUE_ENFORCE_HOURS = False
    a = book()
    now.return_value = dt.datetime(2026, 9, 29, 8, 45, tzinfo=TZ)
    r = client.post("/queue/kiosk/C-A/check-in/", {"appointment": str(a.pk), "pin": a.code})
    assert r.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.priority == "appointment" and ticket.centre.code == "C-A"
    assert r["Location"] == f"/queue/kiosk/C-A/ticket/{ticket.pk}/"
    body = client.get(r["Location"]).content.decode()
    assert 'id="ticket-number">A001<' in body and "预约优先" in body
    a.refresh_from_db()
    assert a.state == AppointmentState.CHECKED_IN and a.ticket_id == ticket.pk
    # A second check-in is refused.
    r = client.post("/queue/kiosk/C-A/check-in/", {"appointment": str(a.pk), "pin": a.code})
    assert r.status_code == 409 and "该预约已签到，请勿重复签到" in r.content.decode()
    assert Ticket.objects.count() == 1


def test_kiosk_check_in_errors_issue_no_ticket(client: Client, world: Any, now: Any, settings: Any) -> None:
    settings.QUEUE_ENFORCE_HOURS = False
    a = book()
    # Too early (the day before).
    r = client.post("/queue/kiosk/C-A/check-in/", {"appointment": str(a.pk), "pin": a.code})
    assert r.status_code == 409 and "签到时间未到，请于08:30后签到" in r.content.decode()
    now.return_value = dt.datetime(2026, 9, 29, 8, 45, tzinfo=TZ)
    # Wrong code.
    r = client.post("/queue/kiosk/C-A/check-in/", {"appointment": str(a.pk), "pin": wrong(a.code)})
    assert r.status_code == 404
    body = r.content.decode()
    assert 'class="kiosk-error" role="alert">预约不存在或预约码不正确<' in body
    assert f'value="{a.pk}"' in body  # the number is kept for a retry
    # Missing input.
    r = client.post("/queue/kiosk/C-A/check-in/", {"appointment": "abc", "pin": ""})
    assert r.status_code == 422 and "请输入预约号（或手机号）和6位预约码" in r.content.decode()
    # Another centre's kiosk does not check in this centre's appointment.
    r = client.post("/queue/kiosk/C-B/check-in/", {"appointment": str(a.pk), "pin": a.code})
    assert r.status_code == 404 and "预约不存在或预约码不正确" in r.content.decode()
    assert Ticket.objects.count() == 0
    a.refresh_from_db()
    assert a.state == AppointmentState.BOOKED


def test_no_code_and_no_booking_without_consent_to_the_privacy_notice(
    client: Client, world: Any, now: Any, login: Any
) -> None:
    """PIPL art. 14: the notice and the box come before the name and phone are used — no SMS is sent and
    nothing is booked without the tick; the form is kept; staff booking for a resident see no box."""
    from onewindow.notify.models import Notification

    body = client.get(BOOK_URL).content.decode()
    assert 'name="consent"' in body and "个人信息保护告知书" in body
    assert body.index('name="consent"') < body.index('name="name"')
    form = {k: v for k, v in FORM.items() if k != "consent"}
    sms_before = Notification.objects.count()
    for action in ("send_code", "book"):
        r = client.post(BOOK_URL, {**form, "action": action})
        text = r.content.decode()
        assert r.status_code == 422 and "请先阅读《个人信息保护告知书》并勾选" in text
        assert "consent_required" not in text  # the code is for machines, residents read Chinese
        assert 'value="巴特尔"' in text
    assert Notification.objects.count() == sms_before and not Appointment.objects.exists()
    r = client.post(BOOK_URL, {**form, "consent": "1999.1", "action": "send_code"})  # an old version
    assert r.status_code == 422
    # a village agent books for a resident (asked in person): no box, no code, nothing recorded as consent
    agent = login("agent")
    assert 'name="consent"' not in agent.get(BOOK_URL).content.decode()
    r = agent.post(BOOK_URL, form)
    assert r.status_code == 302
    assert Appointment.objects.get().consent_version == ""
