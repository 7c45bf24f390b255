from __future__ import annotations

import datetime as dt
import threading
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from onewindow.api.tokens import token_create
from onewindow.cases.models import Case, State
from onewindow.org.actors import actor_of
from onewindow.privacy.models import PersonalDataAccess
from tests.cases.conftest import ALL_MATERIALS, GOOD_ID, applicant, intake_body


def bearer(username: str) -> dict[str, str]:
    _row, key = token_create(username=username)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def fixed_today() -> Any:
    with mock.patch("onewindow.cases.services.local_today", return_value=dt.date(2026, 9, 29)):
        yield


def test_intake_via_api(client: Client, world: Any, fixed_today: Any) -> None:
    h = bearer("clerk")
    r = client.post("/api/v1/cases", intake_body(), content_type="application/json", **h)
    assert r.status_code == 201, r.content
    assert r.json()["state"] == "accepted" and r.json()["deadline"] == "2026-10-19"
    r = client.post(
        "/api/v1/cases",
        intake_body(materials=[{"code": "M01", "provided": False}, {"code": "M02", "provided": False}]),
        content_type="application/json",
        **h,
    )
    assert r.status_code == 201 and r.json()["state"] == "correction_needed"
    assert [m["code"] for m in r.json()["notice"]["missing"]] == ["M01", "M02"]


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"applicant": applicant(id_number="110105194912310021")}, "invalid_id_number"),
        (
            {"applicant": applicant(kind="enterprise", credit_code="91350100M000100Y4I")},
            "invalid_credit_code",
        ),
        ({"applicant": applicant(phone="12345")}, "invalid_phone"),
        ({"item": "NOPE"}, "unknown_item"),
    ],
)
def test_intake_errors(client: Client, world: Any, override: dict[str, Any], code: str) -> None:
    r = client.post(
        "/api/v1/cases", intake_body(**override), content_type="application/json", **bearer("clerk")
    )
    assert r.status_code == 422
    assert r.json()["error"]["code"] == code and r.json()["error"]["message"]
    assert Case.objects.count() == 0


def test_auth_required(client: Client, world: Any) -> None:
    assert client.post("/api/v1/cases", intake_body(), content_type="application/json").status_code == 401
    assert client.get("/api/v1/cases").status_code == 401


def test_detail_list_actions_scoping_and_masking(client: Client, world: Any, fixed_today: Any) -> None:
    number = client.post(
        "/api/v1/cases", intake_body(), content_type="application/json", **bearer("clerk")
    ).json()["number"]
    # the clerk who handles it sees the full ID number, and the view is logged
    d = client.get(f"/api/v1/cases/{number}", **bearer("clerk")).json()
    assert d["applicant"]["id_number"] == GOOD_ID and d["applicant"]["masked"] is False
    assert PersonalDataAccess.objects.filter(actor__username="clerk").exists()
    # the county supervisor sees it masked
    d = client.get(f"/api/v1/cases/{number}", **bearer("supervisor")).json()
    assert d["applicant"]["id_number"] == "1101**********002X" and d["applicant"]["masked"] is True
    assert d["timeline"][0]["action"] == "accept" and d["item_version"] == 1
    # outsider: 404, and not in the list
    assert client.get(f"/api/v1/cases/{number}", **bearer("outsider")).status_code == 404
    assert client.get("/api/v1/cases", **bearer("outsider")).json()["count"] == 0
    assert client.get("/api/v1/cases?state=accepted", **bearer("clerk")).json()["count"] == 1
    # actions
    rv = bearer("reviewer")
    r = client.post(
        f"/api/v1/cases/{number}/actions", {"action": "deny"}, content_type="application/json", **rv
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "reason_required"
    r = client.post(
        f"/api/v1/cases/{number}/actions", {"action": "approve"}, content_type="application/json", **rv
    )
    assert r.status_code == 200 and r.json()["state"] == "approved"
    r = client.post(
        f"/api/v1/cases/{number}/actions", {"action": "approve"}, content_type="application/json", **rv
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "invalid_transition"
    r = client.post(
        f"/api/v1/cases/{number}/actions",
        {"action": "withdraw"},
        content_type="application/json",
        **bearer("outsider"),
    )
    assert r.status_code == 404


def test_progress_public_without_personal_data(client: Client, world: Any, fixed_today: Any) -> None:
    number = client.post(
        "/api/v1/cases", intake_body(), content_type="application/json", **bearer("clerk")
    ).json()["number"]
    r = client.get("/api/v1/progress", {"number": number, "check": "002X"})
    assert r.status_code == 200
    text = r.content.decode()
    assert r.json()["state"] == "accepted"
    for secret in (GOOD_ID, "13912345678", "巴特尔", "甲镇一嘎查3组", "002X"):
        assert secret not in text
    assert client.get("/api/v1/progress", {"number": number, "check": "5678"}).status_code == 200  # phone
    wrong = client.get("/api/v1/progress", {"number": number, "check": "0000"})
    unknown = client.get("/api/v1/progress", {"number": "NOPE", "check": "002X"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="the test database on SQLite is in memory (shared-cache locks)",
)
def test_concurrent_transitions_exactly_one_wins(transactional_db: Any) -> None:
    """Two threads act on one case at once: one wins, the other gets 409 (conflict or invalid_transition)."""
    from tests.factories import build_world

    build_world()
    with mock.patch("onewindow.cases.services.local_today", return_value=dt.date(2026, 9, 29)):
        from onewindow.cases.services import case_intake

        case = case_intake(
            actor=actor_of(get_user_model().objects.get(username="clerk")),
            item="MZ-001",
            centre="C-A",
            applicant=applicant(),
            materials=ALL_MATERIALS,
            form={"reason": "x"},
        )
    rv = bearer("reviewer")
    barrier = threading.Barrier(2)
    results: list[tuple[int, dict[str, Any]]] = []

    def worker(action: dict[str, Any]) -> None:
        c = Client()
        barrier.wait()
        r = c.post(f"/api/v1/cases/{case.number}/actions", action, content_type="application/json", **rv)
        results.append((r.status_code, r.json()))
        connection.close()

    threads = [
        threading.Thread(target=worker, args=({"action": "approve"},)),
        threading.Thread(
            target=worker,
            args=({"action": "deny", "reason": "不符合条件", "basis": "《最低生活保障审核确认办法》第十条"},),
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    codes = sorted(code for code, _ in results)
    assert codes == [200, 409], results
    loser = next(b for code, b in results if code == 409)
    assert loser["error"]["code"] in {"conflict", "invalid_transition"}
    case.refresh_from_db()
    assert case.state in {State.APPROVED, State.DENIED}
    assert case.events.count() == 2  # accept + exactly one decision
