from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.cases.conftest import act, intake

pytestmark = pytest.mark.django_db

URL = "/api/v1/stats"


@pytest.fixture
def data(ledger_world: dict[str, Any], clock: Any) -> dict[str, Any]:
    """Township A: 3 cases (one proxy), one approved on time, one late; township B: 1 case."""
    clock.set_day(dt.date(2026, 9, 1))
    c1 = intake()
    c2 = intake(channel="proxy")
    act("clerk", c2, "accept")
    intake(materials=[{"code": "M01", "provided": True}])
    intake(actor=ledger_world["chief"].user, centre="C-B")
    clock.set_day(dt.date(2026, 9, 4))
    act("reviewer", c1, "approve")
    clock.set_day(dt.date(2026, 10, 20))
    act("reviewer", c2, "deny", reason="条件不符", basis="《最低生活保障审核确认办法》第十条")
    clock.set_day(dt.date(2026, 10, 31))
    return ledger_world


def test_totals_rates_and_month_groups(data: dict[str, Any], login: Any) -> None:
    r = login("supervisor").get(URL, {"from": "2026-09-01", "to": "2026-10-31", "group_by": "month"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["jurisdiction"]["code"] == "152522000000"
    assert body["from"] == "2026-09-01" and body["to"] == "2026-10-31"
    t = body["totals"]
    assert t["received"] == 4 and t["accepted"] == 3 and t["corrections"] == 1
    assert t["decided"] == 2 and t["on_time"] == 1 and t["late"] == 1
    assert t["on_time_rate"] == 0.5
    assert t["proxy_share"] == 0.25
    assert t["satisfaction_rate"] is None
    months = {g["key"]: g for g in body["groups"]}
    assert months["2026-09"]["received"] == 4 and months["2026-09"]["approved"] == 1
    assert months["2026-10"]["denied"] == 1 and months["2026-10"]["late"] == 1


def test_group_by_centre_item_and_jurisdiction(data: dict[str, Any], login: Any) -> None:
    c = login("supervisor")
    period = {"from": "2026-09-01", "to": "2026-10-31"}
    centres = {g["label"]: g for g in c.get(URL, {**period, "group_by": "centre"}).json()["groups"]}
    assert centres["甲镇便民服务中心"]["received"] == 3 and centres["乙苏木便民服务中心"]["received"] == 1
    items = c.get(URL, {**period, "group_by": "item"}).json()["groups"]
    assert items[0]["label"] == "MZ-001 最低生活保障申请" and items[0]["received"] == 4
    towns = {g["key"]: g for g in c.get(URL, {**period, "group_by": "jurisdiction"}).json()["groups"]}
    assert towns["152522100000"]["received"] == 3 and towns["152522200000"]["received"] == 1


def test_scoping_township_head_sees_only_township(data: dict[str, Any], login: Any) -> None:
    c = login("head")  # centre head of township A
    r = c.get(URL, {"from": "2026-09-01", "to": "2026-10-31"})
    assert r.json()["jurisdiction"]["code"] == "152522100000"
    assert r.json()["totals"]["received"] == 3
    r = c.get(URL, {"jurisdiction": "152522200000", "from": "2026-09-01"})
    assert r.status_code == 404
    assert c.get(URL, {"jurisdiction": "152522000000"}).status_code == 404


def test_bad_periods_and_permissions(data: dict[str, Any], login: Any) -> None:
    c = login("supervisor")
    r = c.get(URL, {"from": "2026-11-05"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "period_in_future"
    assert "未来" in r.json()["error"]["message"]
    r = c.get(URL, {"from": "2026-10-05", "to": "2026-10-01"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_period"
    assert c.get(URL, {"group_by": "weekday"}).status_code in (400, 422)
    assert login("clerk").get(URL).status_code == 403


def test_default_period_is_this_month(data: dict[str, Any], login: Any) -> None:
    body = login("supervisor").get(URL).json()
    assert body["from"] == "2026-10-01" and body["to"] == "2026-10-31"
    assert body["totals"]["denied"] == 1 and body["totals"]["received"] == 0


def test_openapi_documents_the_response(client: Any) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    op = schema["paths"]["/api/v1/stats"]["get"]
    assert {"200", "404", "422"} <= set(op["responses"])
    assert "StatsOut" in str(op["responses"]["200"])
