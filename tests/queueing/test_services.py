from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from onewindow.core.errors import Conflict, Forbidden, Invalid, NotFound
from onewindow.org.actors import actor_of
from onewindow.org.models import Window
from onewindow.queueing import services
from onewindow.queueing.models import Ticket

TZ = dt.timezone(dt.timedelta(hours=8))
OPEN = dt.datetime(2026, 11, 26, 10, 0, tzinfo=TZ)  # Thursday 10:00, centres open 08:30–17:30


def user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


@pytest.fixture
def hall(world: dict[str, Any]) -> dict[str, Any]:
    ca = world["centres"]["a"]
    w1 = Window.objects.get(centre=ca, number=1)
    w2 = Window.objects.create(centre=ca, number=2, name="综合受理二", kind="comprehensive")
    w3 = Window.objects.create(centre=ca, number=3, name="社保", kind="domain", domains=["social"])
    with mock.patch("onewindow.queueing.services.local_now", return_value=OPEN):
        yield {"centre": ca, "w1": w1, "w2": w2, "w3": w3, **world}


def issue(category: str = "comprehensive", priority: str = "") -> Ticket:
    return services.ticket_issue(centre="C-A", category=category, priority=priority)


def test_numbers_by_category_and_waiting(hall: Any) -> None:
    a1, a2 = issue(), issue()
    s1 = issue("social")
    assert (a1.number, a2.number, s1.number) == ("A001", "A002", "B001")
    assert services.waiting_before(a2) == 1 and services.waiting_before(s1) == 0


def test_bad_tickets(hall: Any) -> None:
    with pytest.raises(Invalid) as e:
        issue("real_estate")
    assert e.value.code == "category_not_served"
    with pytest.raises(Invalid) as e:
        services.ticket_issue(centre="NOPE", category="comprehensive")
    assert e.value.code == "unknown_centre"
    with (
        mock.patch("onewindow.queueing.services.local_now", return_value=OPEN.replace(hour=20)),
        pytest.raises(Invalid) as e,
    ):
        issue()
    assert e.value.code == "centre_closed"
    assert Ticket.objects.count() == 0


def test_priority_interleaves_one_per_two_normal(hall: Any) -> None:
    for _ in range(4):
        issue()
    for _ in range(3):
        issue(priority="elderly")
    called = [
        services.ticket_call_next(actor=actor_of(user("clerk")), window=hall["w1"].pk) for _ in range(7)
    ]
    pattern = ["P" if t.priority else "N" for t in called]
    assert pattern == ["P", "N", "N", "P", "N", "N", "P"]
    with pytest.raises(NotFound) as e:
        services.ticket_call_next(actor=actor_of(user("clerk")), window=hall["w1"].pk)
    assert e.value.code == "queue_empty"


def test_domain_window_calls_only_its_domain(hall: Any) -> None:
    issue()
    s = issue("social")
    t = services.ticket_call_next(actor=actor_of(user("clerk")), window=hall["w3"].pk)
    assert t.pk == s.pk and t.window == hall["w3"]


def test_recall_skip_requeue_once_transfer_serve_finish(hall: Any) -> None:
    clerk = user("clerk")
    issue()
    t = services.ticket_call_next(actor=actor_of(clerk), window=hall["w1"].pk)
    first_announce = t.announced_at
    t = services.ticket_act(actor=actor_of(clerk), ticket=t.pk, action="recall")
    assert t.recall_count == 1 and t.announced_at and first_announce and t.announced_at >= first_announce
    t = services.ticket_act(actor=actor_of(clerk), ticket=t.pk, action="skip")
    assert t.state == "skipped"
    t = services.ticket_act(actor=actor_of(clerk), ticket=t.pk, action="requeue")
    assert t.state == "waiting"
    t = services.ticket_call_next(actor=actor_of(clerk), window=hall["w1"].pk)
    t = services.ticket_act(actor=actor_of(clerk), ticket=t.pk, action="skip")
    with pytest.raises(Conflict) as e:
        services.ticket_act(
            actor=actor_of(clerk), ticket=t.pk, action="requeue"
        )  # a skipped ticket comes back once
    assert e.value.code == "requeue_limit"
    issue()
    t = services.ticket_call_next(actor=actor_of(clerk), window=hall["w1"].pk)
    t = services.ticket_act(actor=actor_of(clerk), ticket=t.pk, action="transfer", to="social")
    assert t.state == "waiting" and t.category == "social" and t.number == "A002"
    t = services.ticket_call_next(actor=actor_of(clerk), window=hall["w3"].pk)
    assert t.number == "A002"
    t = services.ticket_act(actor=actor_of(clerk), ticket=t.pk, action="transfer", window=hall["w2"].pk)
    assert t.target_window == hall["w2"]
    # another window does not get a ticket aimed at window 2
    with pytest.raises(NotFound):
        services.ticket_call_next(actor=actor_of(clerk), window=hall["w3"].pk)
    t = services.ticket_call_next(actor=actor_of(clerk), window=hall["w2"].pk)
    t = services.ticket_act(actor=actor_of(clerk), ticket=t.pk, action="serve")
    t = services.ticket_act(
        actor=actor_of(clerk), ticket=t.pk, action="finish", case_number="152522202611260001"
    )
    assert t.state == "done" and t.case_number == "152522202611260001"
    with pytest.raises(Conflict):
        services.ticket_act(actor=actor_of(clerk), ticket=t.pk, action="serve")


def test_only_staff_of_the_centre_may_call(hall: Any) -> None:
    issue()
    with pytest.raises(NotFound):
        services.ticket_call_next(actor=actor_of(user("outsider")), window=hall["w1"].pk)
    with pytest.raises(Forbidden):
        services.ticket_call_next(
            actor=actor_of(user("reviewer")), window=hall["w1"].pk
        )  # county reviewer, not a clerk here
    assert Ticket.objects.get().state == "waiting"


def test_board_has_no_personal_data_and_shows_calls(hall: Any) -> None:
    issue()
    t = services.ticket_call_next(actor=actor_of(user("clerk")), window=hall["w1"].pk)
    b = services.board(hall["centre"])
    assert b["current"][0]["text"] == f"请 {t.number} 号到 1 号窗口办理"
    text = str(b)
    assert "综窗甲" not in text and "clerk" not in text
    assert b["waiting"]["comprehensive"] == 0


def test_api_flow(client: Client, hall: Any) -> None:
    from onewindow.api.tokens import token_create

    r = client.post(
        "/api/v1/tickets", {"centre": "C-A", "category": "comprehensive"}, content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["number"] == "A001" and r.json()["waiting_before"] == 0
    r = client.post("/api/v1/tickets", {"centre": "C-A", "category": "nope"}, content_type="application/json")
    assert r.status_code == 422 and r.json()["error"]["code"] == "category_not_served"
    _row, key = token_create(username="clerk")
    h = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.post(f"/api/v1/windows/{hall['w1'].pk}/call-next").status_code == 401
    r = client.post(f"/api/v1/windows/{hall['w1'].pk}/call-next", **h)
    assert r.status_code == 200 and r.json()["number"] == "A001" and r.json()["window"] == 1
    r = client.post(f"/api/v1/windows/{hall['w1'].pk}/call-next", **h)
    assert r.status_code == 404 and r.json()["error"]["code"] == "queue_empty"
    tid = Ticket.objects.get(number="A001").pk
    r = client.post(
        f"/api/v1/tickets/{tid}/actions", {"action": "serve"}, content_type="application/json", **h
    )
    assert r.json()["state"] == "serving"
    board = client.get("/api/v1/centres/C-A/board").json()
    assert board["recent"][0]["number"] == "A001"
    assert client.get("/api/v1/centres/NOPE/board").status_code == 404


pg_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="concurrency is proven on PostgreSQL (SQLite test DB is in memory)",
)


@pg_only
def test_200_concurrent_tickets_get_distinct_numbers(transactional_db: Any) -> None:
    from tests.factories import build_world

    build_world()
    with mock.patch("onewindow.queueing.services.local_now", return_value=OPEN):

        def take(_i: int) -> str:
            try:
                return services.ticket_issue(centre="C-A", category="comprehensive").number
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=20) as pool:
            numbers = list(pool.map(take, range(200)))
    assert len(numbers) == 200 and len(set(numbers)) == 200
    assert sorted(numbers) == [f"A{i:03d}" for i in range(1, 201)]


@pg_only
def test_two_windows_calling_at_once_never_get_the_same_ticket(transactional_db: Any) -> None:
    from tests.factories import build_world

    w = build_world()
    ca = w["centres"]["a"]
    w1 = Window.objects.get(centre=ca, number=1)
    w2 = Window.objects.create(centre=ca, number=2, name="综合受理二", kind="comprehensive")
    with mock.patch("onewindow.queueing.services.local_now", return_value=OPEN):
        for _ in range(40):
            services.ticket_issue(centre="C-A", category="comprehensive")
        got: dict[int, list[str]] = {w1.pk: [], w2.pk: []}
        barrier = threading.Barrier(2)

        def caller(window_id: int) -> None:
            clerk = user("clerk")
            barrier.wait()
            try:
                for _ in range(20):
                    got[window_id].append(
                        services.ticket_call_next(actor=actor_of(clerk), window=window_id).number
                    )
            finally:
                connection.close()

        threads = [threading.Thread(target=caller, args=(wid,)) for wid in (w1.pk, w2.pk)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    all_called = got[w1.pk] + got[w2.pk]
    assert len(all_called) == 40 and len(set(all_called)) == 40


def test_window_statistics(client: Client, hall: Any) -> None:
    from onewindow.api.tokens import token_create

    clerk = user("clerk")
    issue()
    issue("social")
    t = services.ticket_call_next(actor=actor_of(clerk), window=hall["w1"].pk)
    Ticket.objects.filter(pk=t.pk).update(
        issued_at=OPEN - dt.timedelta(minutes=12), called_at=OPEN - dt.timedelta(minutes=2)
    )
    services.ticket_act(actor=actor_of(clerk), ticket=t.pk, action="serve")
    Ticket.objects.filter(pk=t.pk).update(serve_started_at=OPEN - dt.timedelta(minutes=2))
    t = services.ticket_act(actor=actor_of(clerk), ticket=t.pk, action="finish")
    Ticket.objects.filter(pk=t.pk).update(finished_at=OPEN + dt.timedelta(minutes=6))
    _row, key = token_create(username="clerk")
    r = client.get(
        "/api/v1/centres/C-A/queue-stats", {"date": "2026-11-26"}, HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert r.status_code == 200, r.content
    s = r.json()
    assert s["total"]["issued"] == 2 and s["total"]["served"] == 1 and s["total"]["waiting_now"] == 1
    assert s["by_category"]["comprehensive"]["avg_wait_minutes"] == 10.0
    assert s["by_window"]["1号窗口"]["avg_serve_minutes"] == 8.0
    assert s["by_clerk"]["综窗甲"]["served"] == 1
    _row, other = token_create(username="outsider")
    r = client.get(
        "/api/v1/centres/C-A/queue-stats", {"date": "2026-11-26"}, HTTP_AUTHORIZATION=f"Bearer {other}"
    )
    assert r.status_code == 404
