from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.test import Client

from onewindow.org.models import Window
from onewindow.queueing import services
from onewindow.queueing.models import Ticket, TicketState

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def hall(world: dict[str, Any], settings: Any) -> dict[str, Any]:
    settings.QUEUE_ENFORCE_HOURS = False
    ca = world["centres"]["a"]
    w1 = Window.objects.get(centre=ca, number=1)
    w3 = Window.objects.create(centre=ca, number=3, name="社保", kind="domain", domains=["social"])
    return {"centre": ca, "w1": w1, "w3": w3, **world}


def issue(category: str = "comprehensive", priority: str = "") -> Ticket:
    return services.ticket_issue(centre="C-A", category=category, priority=priority)


def call_url(window: Window) -> str:
    return f"/queue/console/{window.pk}/call/"


def act_url(window: Window, ticket: Ticket) -> str:
    return f"/queue/console/{window.pk}/tickets/{ticket.pk}/"


# ---------------------------------------------------------------- console


def test_console_lists_own_centre_windows(hall: Any, login: Any) -> None:
    c = login("clerk")
    r = c.get("/queue/console/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "窗口叫号台" in body and "1 号窗口 · 综合受理" in body and "3 号窗口 · 社保" in body
    r = c.get(f"/queue/console/?window={hall['w3'].pk}")
    assert r.status_code == 200 and "3 号窗口 · 当前号" in r.content.decode()


def test_call_next_over_http_assigns_ticket_to_window(hall: Any, login: Any) -> None:
    t1, t2 = issue(), issue()
    c = login("clerk")
    r = c.post(call_url(hall["w1"]), **HX)
    assert r.status_code == 200
    body = r.content.decode()
    assert 'id="queue-panel"' in body and "<html" not in body  # the htmx fragment only
    assert "A001" in body and '等候人数：<strong id="waiting-total">1</strong>' in body
    t1.refresh_from_db()
    assert t1.state == TicketState.CALLED and t1.window_id == hall["w1"].pk
    assert t1.called_by.username == "clerk"
    # Without htmx the same post answers with the whole page (confirmed: A001 is still called).
    r = c.post(call_url(hall["w1"]), {"confirm": "1"})
    assert r.status_code == 200 and "<html" in r.content.decode()
    t2.refresh_from_db()
    assert t2.state == TicketState.CALLED and t2.window_id == hall["w1"].pk


def test_call_next_on_empty_queue_shows_chinese_message(hall: Any, login: Any) -> None:
    r = login("clerk").post(call_url(hall["w1"]), **HX)
    assert r.status_code == 404
    assert "当前没有等候的号" in r.content.decode() and 'id="queue-panel"' in r.content.decode()


def test_outsider_cannot_use_another_centres_window(hall: Any, login: Any) -> None:
    t = issue()
    c = login("outsider")
    assert c.post(call_url(hall["w1"])).status_code == 404
    assert c.get(f"/queue/console/?window={hall['w1'].pk}").status_code == 404
    assert c.post(act_url(hall["w1"], t), {"action": "skip"}).status_code == 404
    t.refresh_from_db()
    assert t.state == TicketState.WAITING and t.window_id is None


def test_console_needs_window_staff(hall: Any, login: Any, client: Client) -> None:
    r = client.get("/queue/console/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    r = login("agent").get("/queue/console/")
    assert r.status_code == 403 and "您的岗位不能使用此页面" in r.content.decode()


def test_console_actions(hall: Any, login: Any) -> None:
    c = login("clerk")
    w1 = hall["w1"]
    t = issue()
    c.post(call_url(w1), **HX)
    r = c.post(act_url(w1, t), {"action": "recall"}, **HX)
    assert r.status_code == 200 and "已重呼 1 次" in r.content.decode()
    c.post(act_url(w1, t), {"action": "skip"}, **HX)
    t.refresh_from_db()
    assert t.state == TicketState.SKIPPED
    r = c.post(act_url(w1, t), {"action": "requeue"}, **HX)
    t.refresh_from_db()
    assert t.state == TicketState.WAITING
    c.post(call_url(w1), **HX)
    c.post(act_url(w1, t), {"action": "serve"}, **HX)
    t.refresh_from_db()
    assert t.state == TicketState.SERVING
    # 办结 links the 办件 number.
    r = c.post(act_url(w1, t), {"action": "finish", "case": " 1525221002026000001 "}, **HX)
    t.refresh_from_db()
    assert t.state == TicketState.DONE and t.case_number == "1525221002026000001"
    assert "今日本窗口已办结 1 个" in r.content.decode()
    # A finished ticket cannot be recalled: 409 with the Chinese reason, nothing changes.
    r = c.post(act_url(w1, t), {"action": "recall"}, **HX)
    assert r.status_code == 409 and "不能执行此操作" in r.content.decode()


def test_console_transfer_to_category_and_window(hall: Any, login: Any) -> None:
    c = login("clerk")
    w1, w3 = hall["w1"], hall["w3"]
    t = issue()
    c.post(call_url(w1), **HX)
    r = c.post(act_url(w1, t), {"action": "transfer", "to": "social"}, **HX)
    assert r.status_code == 200
    t.refresh_from_db()
    assert (t.state, t.category, t.window_id) == (TicketState.WAITING, "social", None)
    c.post(call_url(w3), **HX)
    t.refresh_from_db()
    assert t.window_id == w3.pk
    c.post(act_url(w3, t), {"action": "transfer", "to": f"window:{w1.pk}"}, **HX)
    t.refresh_from_db()
    assert t.target_window_id == w1.pk and t.state == TicketState.WAITING
    r = c.post(act_url(w1, t), {"action": "transfer", "to": ""}, **HX)
    assert r.status_code == 422 and "请选择转入的业务类别或窗口" in r.content.decode()


# ---------------------------------------------------------------- kiosk


def test_kiosk_shows_categories_with_chinese_labels(hall: Any, client: Client, now: Any) -> None:
    """At an open hour (the `now` fixture: Monday 09:00): buttons say just the category."""
    r = client.get("/queue/kiosk/C-A/")
    assert r.status_code == 200
    body = r.content.decode()
    assert 'value="comprehensive">综合业务<' in body and 'value="social">社会服务<' in body
    assert "老年人" in body and "残疾人" in body
    assert 'class="topbar"' not in body  # full screen, no site navigation
    assert client.get("/queue/kiosk/NOPE/").status_code == 404


def test_kiosk_post_issues_ticket_and_shows_slip(hall: Any, client: Client) -> None:
    issue()
    r = client.post(
        "/queue/kiosk/C-A/take/", {"category": "comprehensive", "priority": "elderly"}, follow=True
    )
    assert r.status_code == 200
    t = Ticket.objects.get(number="A002")
    assert t.priority == "elderly" and t.centre == hall["centre"]
    body = r.content.decode()
    assert 'id="ticket-number">A002<' in body
    assert "综合业务" in body and "老年人优先" in body and "甲镇便民服务中心" in body
    # the priority rule calls A002 (elderly) before A001: nobody is ahead of it
    assert "前面还有 <strong>0</strong> 人等候" in body
    assert "queueing/screen.css" in body  # holds the 80 mm @media print rules


def test_kiosk_errors_are_large_chinese_messages(hall: Any, client: Client, settings: Any) -> None:
    r = client.post("/queue/kiosk/C-A/take/", {"category": "real_estate"})
    assert r.status_code == 422 and "本中心不办理该类业务" in r.content.decode()
    settings.QUEUE_ENFORCE_HOURS = True
    closed = dt.datetime(2026, 11, 26, 20, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with mock.patch("onewindow.queueing.services.local_now", return_value=closed):
        r = client.post("/queue/kiosk/C-A/take/", {"category": "comprehensive"})
    assert r.status_code == 422
    assert 'class="kiosk-error"' in r.content.decode() and "不在服务中心开放时间内" in r.content.decode()
    assert not Ticket.objects.exists()


def test_kiosk_slip_of_another_centre_is_404(hall: Any, client: Client) -> None:
    t = issue()
    assert client.get(f"/queue/kiosk/C-B/ticket/{t.pk}/").status_code == 404
    assert client.get(f"/queue/kiosk/C-A/ticket/{t.pk}/").status_code == 200


# ---------------------------------------------------------------- board


def test_board_page(hall: Any, client: Client, login: Any) -> None:
    issue()
    issue("social")
    login("clerk").post(call_url(hall["w1"]))
    client.logout()
    r = client.get("/queue/board/C-A/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "甲镇便民服务中心" in body and 'data-api="/api/v1/centres/C-A/board"' in body
    assert "请 A001 号到 1 号窗口办理" in body
    assert "社会服务<strong>1</strong>" in body
    assert "queueing/board.js" in body and 'class="topbar"' not in body
    assert client.get("/queue/board/NOPE/").status_code == 404
