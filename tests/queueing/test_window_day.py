"""Issue 15, the window clerk's day at the queue: one call order (call-next, the console's live list,
the slip's "前面还有 N 人"), no irreversible one-click call, 为此号受理 linking the case to the ticket,
the locked kiosk with its keypad, and the booking confirmed by SMS."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from onewindow.cases.models import Case
from onewindow.core.errors import NotFound
from onewindow.notify.models import Notification
from onewindow.org.actors import actor_of
from onewindow.org.models import Window
from onewindow.queueing import order, services
from onewindow.queueing.models import Ticket, TicketState
from tests.cases.conftest import workbench_data
from tests.factories import make_appointment
from tests.queueing.conftest import TZ, book

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def hall(world: dict[str, Any], settings: Any) -> dict[str, Any]:
    settings.QUEUE_ENFORCE_HOURS = False
    settings.QUEUE_PRIORITY_RATIO = (1, 2)
    ca = world["centres"]["a"]
    return {"centre": ca, "w1": Window.objects.get(centre=ca, number=1), **world}


def issue(priority: str = "") -> Ticket:
    return services.ticket_issue(centre="C-A", category="comprehensive", priority=priority)


def clerk_actor(name: str = "clerk") -> Any:
    return actor_of(get_user_model().objects.get(username=name))


# ---------------------------------------------------------------- one call order


def test_call_order_interleaves_one_priority_per_two_normal() -> None:
    t = dt.datetime(2026, 9, 28, 9, 0, tzinfo=TZ)
    rows = [
        {"pk": i, "priority": pr, "seq": i, "issued_at": t + dt.timedelta(minutes=i)}
        for i, pr in enumerate(["", "", "elderly", "", "disabled", "appointment", ""], start=1)
    ]
    got = [r["pk"] for r in order.call_order(rows, [], (1, 2))]
    # P, N, N, P, N, N, P: one priority ticket per two normal ones
    assert got == [3, 1, 2, 5, 4, 7, 6]
    # after a priority call, two normal ones come first
    assert [r["pk"] for r in order.call_order(rows, [True], (1, 2))][:3] == [1, 2, 3]
    # a requeued normal ticket (issued again later) goes to the end of the normal line
    rows[0]["issued_at"] = t + dt.timedelta(hours=1)
    assert [r["pk"] for r in order.call_order(rows, [], (1, 2))] == [3, 2, 4, 5, 7, 1, 6]
    # the normals run out: the remaining priority tickets follow one another
    assert [r["pk"] for r in order.call_order([r for r in rows if r["priority"]], [], (1, 2))] == [3, 5, 6]


def test_slip_number_ahead_is_what_call_next_does(hall: Any) -> None:
    """ "前面还有 N 人" must be what happens: priority tickets taken after a normal one go first."""
    normal1, normal2 = issue(), issue()
    elderly = issue("elderly")
    normal3 = issue()
    disabled = issue("disabled")
    tickets = [normal1, normal2, elderly, normal3, disabled]
    predicted = {t.number: services.waiting_before(t) for t in tickets}
    # the old count (smaller numbers waiting) said 2 for the elderly ticket: it is called first
    assert predicted == {"A003": 0, "A001": 1, "A002": 2, "A005": 3, "A004": 4}
    clerk = clerk_actor()
    called = [services.ticket_call_next(actor=clerk, window=hall["w1"].pk).number for _ in tickets]
    assert called == sorted(predicted, key=lambda n: predicted[n])
    # a called ticket has nobody ahead any more
    normal1.refresh_from_db()
    assert services.waiting_before(normal1) == 0


def test_slip_on_the_kiosk_page_shows_the_priority_place(hall: Any, client: Client) -> None:
    issue(), issue()
    r = client.post(
        "/queue/kiosk/C-A/take/", {"category": "comprehensive", "priority": "military"}, follow=True
    )
    assert "前面还有 <strong>0</strong> 人等候" in r.content.decode()
    r = client.post("/queue/kiosk/C-A/take/", {"category": "comprehensive"}, follow=True)
    assert "前面还有 <strong>3</strong> 人等候" in r.content.decode()


# ---------------------------------------------------------------- the console: live list, confirm


def test_console_lists_the_line_with_priority_marks_and_polls_it(hall: Any, login: Any) -> None:
    issue(), issue("elderly")
    c = login("clerk")
    body = c.get("/queue/console/").content.decode()
    url = f"/queue/console/{hall['w1'].pk}/waiting/"
    assert f'hx-get="{url}"' in body and 'hx-trigger="every 4s"' in body
    line = re.findall(r'data-number="(A\d+)"', body)
    assert line == ["A002", "A001"]  # the call order: the elderly ticket first
    assert "优先·老年人" in body and "其中优先 1" in body
    # a ticket taken at the kiosk shows on the next poll, without any action of the clerk
    issue("disabled")
    r = c.get(url, **HX)
    assert r.status_code == 200 and "<html" not in r.content.decode()
    fragment = r.content.decode()
    assert '<strong id="waiting-total">3</strong>' in fragment and "优先·残疾人" in fragment
    assert re.findall(r'data-number="(A\d+)"', fragment) == ["A002", "A001", "A003"]


def test_waiting_poll_is_cheap(hall: Any, login: Any, django_assert_max_num_queries: Any) -> None:
    for _ in range(30):
        issue()
    c = login("clerk")
    c.get(f"/queue/console/{hall['w1'].pk}/waiting/")  # warm the session and caches
    with django_assert_max_num_queries(12):
        r = c.get(f"/queue/console/{hall['w1'].pk}/waiting/", **HX)
    assert r.status_code == 200 and "另有 18 人" in r.content.decode()


def test_calling_next_over_a_pending_call_needs_a_confirm(hall: Any, login: Any) -> None:
    a1, a2, a3 = issue(), issue(), issue()
    c = login("clerk")
    call = f"/queue/console/{hall['w1'].pk}/call/"
    body = c.post(call, **HX).content.decode()
    assert 'id="current-number">A001<' in body
    # the button now asks first (htmx confirm); only the answered question adds the confirm field
    assert 'hx-confirm="A001 号已叫号，尚未开始办理。叫下一位将把 A001 号记为过号，确定吗？"' in body
    assert """hx-vals='{"confirm": "1"}'""" in body and 'name="confirm"' not in body
    # without the confirm field the server says what is pending and calls nobody
    r = c.post(call, **HX)
    assert r.status_code == 409
    body = r.content.decode()
    assert "A001 号已叫号，尚未开始办理" in body and 'id="btn-call-confirm"' in body
    a1.refresh_from_db(), a2.refresh_from_db()
    assert a1.state == TicketState.CALLED and a2.state == TicketState.WAITING
    # confirmed: A001 is recorded as 过号 (it can be requeued) and A002 is called
    r = c.post(call, {"confirm": "1"}, **HX)
    assert r.status_code == 200 and 'id="current-number">A002<' in r.content.decode()
    a1.refresh_from_db(), a2.refresh_from_db()
    assert a1.state == TicketState.SKIPPED and a1.skip_count == 1 and a2.state == TicketState.CALLED
    assert "恢复排队" in r.content.decode()
    # a ticket being served asks too: calling the next finishes it (办结, so the pad asks for its rating)
    body = c.post(
        f"/queue/console/{hall['w1'].pk}/tickets/{a2.pk}/", {"action": "serve"}, **HX
    ).content.decode()
    assert 'hx-confirm="A002 号正在办理。叫下一位将把 A002 号记为办结，确定吗？"' in body
    r = c.post(call, **HX)
    assert r.status_code == 409 and "确认办结并叫下一位" in r.content.decode()
    a2.refresh_from_db(), a3.refresh_from_db()
    assert a2.state == TicketState.SERVING and a3.state == TicketState.WAITING
    r = c.post(call, {"confirm": "1"}, **HX)
    assert r.status_code == 200 and 'id="current-number">A003<' in r.content.decode()
    a2.refresh_from_db(), a3.refresh_from_db()
    assert a2.state == TicketState.DONE and a2.finished_at is not None and a3.state == TicketState.CALLED
    # the API's contract is unchanged: without `pending` the call keeps what is pending
    t = services.ticket_call_next(actor=clerk_actor(), window=hall["w1"].pk) if issue() else None
    assert t is not None and t.number == "A004"
    a3.refresh_from_db()
    assert a3.state == TicketState.CALLED


def test_skip_asks_first(hall: Any, login: Any) -> None:
    issue()
    c = login("clerk")
    body = c.post(f"/queue/console/{hall['w1'].pk}/call/", **HX).content.decode()
    assert 'hx-confirm="确定将 A001 号记为过号吗？' in body


def test_another_centres_clerk_cannot_call_skip_or_finish(hall: Any, login: Any) -> None:
    t = issue()
    services.ticket_call_next(actor=clerk_actor(), window=hall["w1"].pk)
    outsider = clerk_actor("outsider")
    for action in ("skip", "finish", "recall"):
        with pytest.raises(NotFound):
            services.ticket_act(actor=outsider, ticket=t.pk, action=action)
    with pytest.raises(NotFound):
        services.ticket_link_case(actor=outsider, ticket=t.pk, case_number="X")
    c = login("outsider")
    own = Window.objects.get(centre=hall["centres"]["b"], number=1)
    for action in ("skip", "finish"):
        assert c.post(f"/queue/console/{own.pk}/tickets/{t.pk}/", {"action": action}, **HX).status_code == 404
    assert c.post(f"/queue/console/{hall['w1'].pk}/call/", {"confirm": "1"}).status_code == 404
    assert c.get(f"/queue/console/{hall['w1'].pk}/waiting/").status_code == 404
    assert c.get(f"/cases/new/?ticket={t.pk}").status_code == 404
    t.refresh_from_db()
    assert t.state == TicketState.CALLED and t.case_number == ""


# ---------------------------------------------------------------- 为此号受理


def intake_form(ticket: Ticket, **kw: str) -> dict[str, str]:
    """The workbench form for the called ``ticket`` (the clerk answered the confirmation of 受理)."""
    return workbench_data(ticket=str(ticket.pk), **kw)


def test_intake_from_the_called_ticket_links_the_case(hall: Any, login: Any) -> None:
    booking = make_appointment(
        hall["centre"],
        services.local_now().date(),
        dt.time(9, 0),
        dt.time(9, 30),
        name="其其格",
        phone="13912340000",
    )
    t = services.ticket_issue(centre="C-A", category="comprehensive", priority="appointment")
    booking.ticket = t
    booking.save()
    c = login("clerk")
    panel = c.post(f"/queue/console/{hall['w1'].pk}/call/", **HX).content.decode()
    assert f'href="/cases/new/?ticket={t.pk}"' in panel and "为此号受理" in panel
    page = c.get(f"/cases/new/?ticket={t.pk}").content.decode()
    assert 'id="visit-note"' in page and "A001" in page
    assert f'name="ticket" value="{t.pk}"' in page
    assert 'value="其其格"' in page and 'value="13912340000"' in page  # what the ticket knows
    r = c.post("/cases/new/", intake_form(t, **{"a-name": "其其格", "a-phone": "13912340000"}))
    case = Case.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/cases/{case.number}/outcome/"
    t.refresh_from_db()
    assert t.case_number == case.number and t.state == TicketState.SERVING
    # the console shows the link and 办结 keeps it when the case field is left as it is
    panel = c.get(f"/queue/console/?window={hall['w1'].pk}", **HX).content.decode()
    assert f'id="current-case">{case.number}<' in panel and f'value="{case.number}"' in panel
    c.post(f"/queue/console/{hall['w1'].pk}/tickets/{t.pk}/", {"action": "finish", "case": ""}, **HX)
    t.refresh_from_db()
    assert t.state == TicketState.DONE and t.case_number == case.number


def test_intake_for_a_ticket_not_called_is_refused(hall: Any, login: Any) -> None:
    t = issue()
    c = login("clerk")
    assert c.get(f"/cases/new/?ticket={t.pk}").status_code == 404
    assert c.get("/cases/new/?ticket=abc").status_code == 404
    assert c.post("/cases/new/", intake_form(t)).status_code == 404
    assert Case.objects.count() == 0


# ---------------------------------------------------------------- kiosk: locked, keypad, phone check-in


def test_kiosk_is_locked_and_has_a_keypad(hall: Any, client: Client) -> None:
    body = client.get("/queue/kiosk/C-A/").content.decode()
    assert 'class="topbar"' not in body
    links = re.findall(r'href="([^"]+)"', body)
    assert [h for h in links if not h.startswith("/static/")] == []  # no way out to the full site
    keys = re.findall(r'data-key="([^"]+)"', body)
    assert sorted(keys) == sorted([*"0123456789", "back", "clear"])
    assert 'inputmode="none"' in body and "queueing/kiosk.js" in body
    slip = client.post("/queue/kiosk/C-A/take/", {"category": "comprehensive"}, follow=True).content.decode()
    assert [h for h in re.findall(r'href="([^"]+)"', slip) if not h.startswith("/static/")] == [
        "/queue/kiosk/C-A/"
    ]
    # an old or unknown slip's address stays on the locked screen (no site 404 with its navigation)
    r = client.get("/queue/kiosk/C-A/ticket/999999/")
    gone = r.content.decode()
    assert r.status_code == 404 and "该排队号不存在或已过期，请重新取号" in gone
    assert 'class="topbar"' not in gone
    assert [h for h in re.findall(r'href="([^"]+)"', gone) if not h.startswith("/static/")] == []


def test_kiosk_check_in_with_the_phone_and_the_code(
    hall: Any, client: Client, settings: Any, now: Any
) -> None:
    a = book(date=dt.date(2026, 9, 28), start=dt.time(9, 30))
    wrong = client.post("/queue/kiosk/C-A/check-in/", {"appointment": "13912345678", "pin": "000000"})
    assert wrong.status_code in (404, 409) and "预约" in wrong.content.decode()
    other = client.post("/queue/kiosk/C-A/check-in/", {"appointment": "13900000000", "pin": a.code})
    assert other.status_code == 404
    r = client.post("/queue/kiosk/C-A/check-in/", {"appointment": "13912345678", "pin": a.code})
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.ticket is not None and a.ticket.priority == "appointment"


# ---------------------------------------------------------------- booking confirmed by SMS


def test_booking_is_confirmed_by_sms_with_its_code(hall: Any, now: Any) -> None:
    a = book()  # Tue 2026-09-29 09:00, booked on Monday
    sms = Notification.objects.get(template="appointment_booked")
    assert sms.channel == "sms" and sms.recipient == "13912345678"
    assert f"预约码 {a.code}" in sms.body and f"预约号 {a.pk}" in sms.body
    assert "2026-09-29 09:00—09:30" in sms.body and "甲镇便民服务中心" in sms.body
