"""Trust under real conditions: many threads through the HTTP API at once (PostgreSQL only).

Each thread has its own Django test Client (own database connection, closed at the end of the thread).
Zero 5xx, no duplicate case or ticket numbers, every case timeline's hash chain verifies.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from onewindow.api.tokens import token_create
from onewindow.cases.models import Case
from onewindow.org.actors import actor_of
from onewindow.privacy.identifiers import id_check_digit
from tests.support import CONCURRENT_ON_POSTGRES, run_threads

pytestmark = CONCURRENT_ON_POSTGRES

THREADS = 8
PER_THREAD = 8
MATERIALS = [{"code": "M01", "provided": True}, {"code": "M02", "provided": True}]


# 不予许可 needs a legal basis (422 reason_required otherwise; decision authority rule)
DENY_BASIS = "《最低生活保障审核确认办法》第十条"


def person_id(n: int) -> str:
    first17 = f"110105{1950 + n % 50:04d}0101{n % 1000:03d}"
    return first17 + id_check_digit(first17)


def bearer(username: str) -> dict[str, str]:
    _row, key = token_create(username=username)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def intake_body(n: int, **kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "item": "MZ-001",
        "channel": "window",
        "centre": "C-A",
        "applicant": {
            "kind": "person",
            "name": f"申请人{n}",
            "id_number": person_id(n),
            "phone": f"139{n:08d}",
            "address": "甲镇一嘎查",
        },
        "materials": MATERIALS,
        "form": {"reason": "家庭困难"},
    }
    data.update(kw)
    return data


def post(c: Client, url: str, data: dict[str, Any] | None = None, **h: str) -> tuple[int, Any]:
    r = c.post(url, data or {}, content_type="application/json", **h)
    try:
        return r.status_code, r.json()
    except ValueError:
        return r.status_code, r.content[:300]


def assert_no_5xx(results: list[tuple[int, Any]]) -> None:
    bad = [(code, b) for code, b in results if code >= 500]
    assert bad == [], f"{len(bad)} of {len(results)} requests failed: {bad[:3]}"


def assert_timelines_verify() -> None:
    """Every case has a timeline and ``onewindow audit verify`` finds every hash chain intact."""
    assert not Case.objects.filter(events__isnull=True).exists()
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)  # CommandError on any broken chain
    assert "记录链全部完整" in out.getvalue()


def test_concurrent_window_intakes_new_and_returning_residents() -> None:
    from tests.factories import build_world

    build_world()
    h = bearer("clerk")
    # Half the applicants come back (known residents, some shared between threads), half are new.
    returning = list(range(4))
    c = Client()
    for n in returning:
        assert post(c, "/api/v1/cases", intake_body(n), **h)[0] == 201

    def work(i: int) -> list[tuple[int, Any]]:
        c = Client(raise_request_exception=False)
        out = []
        for j in range(PER_THREAD):
            n = returning[(i + j) % len(returning)] if j % 2 == 0 else 1000 + i * PER_THREAD + j
            out.append(post(c, "/api/v1/cases", intake_body(n), **h))
        return out

    results = run_threads(THREADS, work)
    assert_no_5xx(results)
    assert [code for code, _ in results] == [201] * THREADS * PER_THREAD
    numbers = [b["number"] for _, b in results]
    assert len(set(numbers)) == len(numbers)
    assert Case.objects.count() == len(returning) + THREADS * PER_THREAD
    assert_timelines_verify()


def _png() -> bytes:
    from tests.proxy.conftest import png_bytes

    return png_bytes()


def test_mixed_front_hall_back_office_and_proxy_traffic(settings: Any) -> None:
    """Intakes, tickets, call-next, approvals (one contended), ratings and proxy actions at once."""
    from onewindow.cases.services import case_intake, case_transition
    from onewindow.org.models import Window
    from onewindow.proxy.models import ProxyRequest
    from onewindow.queueing.models import Ticket
    from tests.factories import build_world

    settings.QUEUE_ENFORCE_HOURS = False
    w = build_world()
    window = Window.objects.get(centre=w["centres"]["a"], number=1)
    users = {u: get_user_model().objects.get(username=u) for u in ("clerk", "reviewer", "agent")}
    h = {u: bearer(u) for u in users}
    c = Client()

    def case_for(n: int, *, deliver: bool = False) -> str:
        body = intake_body(n)
        case = case_intake(
            actor=actor_of(users["clerk"]),
            item=body["item"],
            centre=body["centre"],
            applicant=body["applicant"],
            materials=MATERIALS,
            form=body["form"],
        )
        if deliver:
            case_transition(actor=actor_of(users["reviewer"]), number=case.number, action="approve")
            case_transition(actor=actor_of(users["clerk"]), number=case.number, action="ready")
            case_transition(
                actor=actor_of(users["clerk"]),
                number=case.number,
                action="deliver",
                to="window",
                signed_by=f"申请人{n}",
            )
        return case.number

    to_approve = [case_for(100 + i) for i in range(THREADS)]
    contended = case_for(200)
    to_rate = [(case_for(300 + i, deliver=True), f"{300 + i:08d}"[-4:]) for i in range(THREADS)]
    for _ in range(THREADS):
        assert post(c, "/api/v1/tickets", {"centre": "C-A", "category": "comprehensive"})[0] == 201
    # The agent's entrustment, and one submitted request per thread for the window's pre-review.
    fid = c.post(
        "/api/v1/proxy/files", {"file": SimpleUploadedFile("签名.png", _png(), "image/png")}, **h["agent"]
    )
    assert fid.status_code == 201, fid.content
    code, ent = post(
        c,
        "/api/v1/proxy/entrustments",
        {
            "resident": intake_body(400)["applicant"],
            "items": ["MZ-001"],
            "valid_until": (timezone.localdate() + dt.timedelta(days=60)).isoformat(),
            "confirmation_file": fid.json()["id"],
        },
        **h["agent"],
    )
    assert code == 201, ent
    proxy_body = {
        "entrustment": ent["id"],
        "item": "MZ-001",
        "materials": [
            {"code": "M01", "provided": True, "paper_held": True},
            {"code": "M02", "provided": True},
        ],
        "form": {"reason": "家庭困难"},
    }
    to_pass = []
    for _ in range(THREADS):
        code, req = post(c, "/api/v1/proxy/requests", proxy_body, **h["agent"])
        assert code == 201, req
        assert (
            post(c, f"/api/v1/proxy/requests/{req['id']}/actions", {"action": "submit"}, **h["agent"])[0]
            == 200
        )
        to_pass.append(req["id"])

    def work(i: int) -> list[tuple[int, Any]]:
        c = Client(raise_request_exception=False)
        out: list[tuple[str, tuple[int, Any]]] = []

        def do(kind: str, url: str, data: dict[str, Any] | None = None, **hh: str) -> None:
            out.append((kind, post(c, url, data, **hh)))

        do("intake", "/api/v1/cases", intake_body(100 + i), **h["clerk"])  # returning resident
        do("ticket", "/api/v1/tickets", {"centre": "C-A", "category": "comprehensive"})
        do(
            "proxy",
            f"/api/v1/proxy/requests/{to_pass[i]}/actions",
            {"action": "prereview_pass"},
            **h["clerk"],
        )
        do("call", f"/api/v1/windows/{window.pk}/call-next", **h["clerk"])
        do("approve", f"/api/v1/cases/{to_approve[i]}/actions", {"action": "approve"}, **h["reviewer"])
        number, check = to_rate[i]
        do(
            "rating",
            f"/api/v1/cases/{number}/rating",
            {"level": 5 - i % 5, "check": check, "comment": "排队时间长"},
        )
        decision = (
            {"action": "approve"}
            if i % 2
            else {"action": "deny", "reason": "不符合条件", "basis": DENY_BASIS}
        )
        do("contended", f"/api/v1/cases/{contended}/actions", decision, **h["reviewer"])
        do("proxy_new", "/api/v1/proxy/requests", proxy_body, **h["agent"])
        do("intake", "/api/v1/cases", intake_body(2000 + i), **h["clerk"])  # new resident
        do("ticket", "/api/v1/tickets", {"centre": "C-A", "category": "comprehensive"})
        return [(code, (kind, body)) for kind, (code, body) in out]

    results = run_threads(THREADS, work)
    assert_no_5xx(results)
    by_kind: dict[str, list[tuple[int, Any]]] = {}
    for code, (kind, body) in results:
        by_kind.setdefault(kind, []).append((code, body))
    for kind, rows in by_kind.items():
        if kind != "contended":
            assert {code for code, _ in rows} <= {200, 201}, (kind, rows[:3])
    # exactly one decision on the contended case wins; the others lose with a 409
    contended_codes = sorted(code for code, _ in by_kind["contended"])
    assert contended_codes == [200] + [409] * (THREADS - 1), by_kind["contended"]
    # no duplicate numbers: cases, tickets, tickets called, proxy requests
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == Case.objects.count()
    tickets = list(Ticket.objects.values_list("number", flat=True))
    assert len(tickets) == len(set(tickets)) == 3 * THREADS
    called = [body["number"] for _, body in by_kind["call"]]
    assert len(set(called)) == THREADS
    proxy_numbers = list(ProxyRequest.objects.values_list("number", flat=True))
    assert len(proxy_numbers) == len(set(proxy_numbers)) == 2 * THREADS
    passed = [body["case"] for _, body in by_kind["proxy"]]
    assert (
        len(set(passed)) == THREADS
        and Case.objects.filter(number__in=passed, channel="proxy").count() == THREADS
    )
    assert_timelines_verify()


# --- numbers without a hot row (onewindow.core.counters) ---------------------------------------------


def _intake(n: int) -> Case:
    from onewindow.cases.services import case_intake
    from onewindow.org.actors import actor_of

    body = intake_body(n)
    clerk = get_user_model().objects.get(username="clerk")
    return case_intake(
        actor=actor_of(clerk),
        item=body["item"],
        centre=body["centre"],
        applicant=body["applicant"],
        materials=MATERIALS,
        form=body["form"],
    )


def _serial(number: str) -> int:
    return int(number[-5:])


def test_concurrent_intakes_get_distinct_ordered_numbers() -> None:
    """8 threads take case numbers at once: no error, no duplicate, no gap, each thread's in order."""
    from tests.factories import build_world

    build_world()

    def work(i: int) -> list[tuple[int, Any]]:
        return [(0, _intake(3000 + i * 4 + j).number) for j in range(4)]

    results = run_threads(THREADS, work)
    numbers = [number for _, number in results]
    assert len(set(numbers)) == len(numbers) == THREADS * 4
    assert sorted(_serial(n) for n in numbers) == list(range(1, THREADS * 4 + 1))
    for i in range(THREADS):  # one thread's intakes got increasing numbers
        mine = [_serial(n) for n in numbers[i * 4 : i * 4 + 4]]
        assert mine == sorted(mine)


def test_a_rolled_back_intake_leaves_a_gap() -> None:
    """编号作废: the number of an intake that rolls back is not given out again."""
    from django.db import transaction

    from tests.factories import build_world

    build_world()
    first = _intake(3100)
    with pytest.raises(RuntimeError), transaction.atomic():
        lost = _intake(3101)
        raise RuntimeError("the intake fails after its number was taken")
    assert not Case.objects.filter(number=lost.number).exists()
    after = _intake(3102)
    assert (_serial(first.number), _serial(lost.number), _serial(after.number)) == (1, 2, 3)
    assert Case.objects.filter(number=after.number).count() == 1


def test_the_counter_row_is_free_while_the_intake_is_still_open() -> None:
    """An open intake that took a number holds no lock on the counter row: another session takes the
    next number (and even updates the row) at once, under a short lock_timeout."""
    from django.db import transaction

    from onewindow.cases.models import CaseCounter
    from onewindow.core.counters import next_value
    from tests.factories import build_world

    build_world()
    _intake(3199)  # the counter row exists (committed)
    seen: list[Any] = []

    def other_session() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute("SET LOCAL lock_timeout = '200ms'")
                prefix = CaseCounter.objects.get().prefix
                cur.execute("UPDATE cases_casecounter SET last = last WHERE prefix = %s", [prefix])
            seen.append(next_value(CaseCounter, prefix=prefix))
        except BaseException as exc:
            seen.append(exc)
        finally:
            connections.close_all()

    with transaction.atomic():
        case = _intake(3200)  # the intake's transaction stays open while the other session runs
        t = threading.Thread(target=other_session)
        t.start()
        t.join(timeout=10)
    assert seen == [_serial(case.number) + 1]
