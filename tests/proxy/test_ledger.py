"""The proxy ledger (代办台账): each request once at each level; Excel export with a totals row."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

from tests.proxy.conftest import entrust, png_bytes
from tests.proxy.test_api import intake


def full_trip(as_user: Any) -> int:
    agent, clerk, reviewer = as_user("agent"), as_user("clerk"), as_user("reviewer")
    ent = entrust(agent).json()
    pk = intake(agent, ent["id"]).json()["id"]
    agent.action(pk, "submit")
    clerk.action(pk, "prereview_return")
    photo = agent.upload(png_bytes(), "户口簿.png").json()["id"]
    agent.action(pk, "submit", materials=[{"code": "M02", "files": [photo]}])
    number = clerk.action(pk, "prereview_pass").json()["case"]
    assert number
    reviewer.post(f"/cases/{number}/actions", {"action": "approve"})
    reviewer.post(f"/cases/{number}/actions", {"action": "ready"})
    agent.action(pk, "collect_result")
    assert agent.action(pk, "hand_over", signed_by="巴特尔").json()["state"] == "handed_over"
    assert agent.action(pk, "follow_up", method="visit", outcome="已回访").json()["state"] == "closed"
    return int(pk)


def test_ledger_counts_once_at_each_level(proxy_world: dict[str, Any], as_user: Any) -> None:
    full_trip(as_user)
    # a second request in township B
    b = as_user("agent_b")
    from tests.proxy.conftest import applicant

    ent = entrust(b, resident=applicant(id_number="150102199003074518", name="其其格")).json()
    assert intake(b, ent["id"]).status_code == 201

    county = as_user("county_clerk")
    by = {
        g: county.get(f"/proxy/ledger?group_by={g}").json()
        for g in ("village", "township", "county", "agent")
    }
    assert {r["key"]: r["requests"] for r in by["village"]["rows"]} == {"152522100201": 1, "152522200201": 1}
    assert {r["key"]: r["requests"] for r in by["township"]["rows"]} == {"152522100000": 1, "152522200000": 1}
    assert [(r["key"], r["requests"]) for r in by["county"]["rows"]] == [("152522000000", 2)]
    assert {r["key"] for r in by["agent"]["rows"]} == {"agent", "agent_b"}
    a1 = next(r for r in by["village"]["rows"] if r["key"] == "152522100201")
    assert a1 | {"avg_days": None} == {
        "key": "152522100201",
        "name": "甲一嘎查",
        "requests": 1,
        "items": 1,
        "on_time": 1,
        "late": 0,
        "returns": 1,
        "passed": 1,
        "delivered": 1,
        "followed_up": 1,
        "avg_days": None,
    }
    assert a1["avg_days"] is not None
    for g in ("village", "township", "county"):
        assert by[g]["total"]["requests"] == 2 and by[g]["total"]["delivered"] == 1

    # the agent's ledger: only their village
    mine = as_user("agent").get("/proxy/ledger?group_by=village").json()
    assert [r["key"] for r in mine["rows"]] == ["152522100201"]

    # Excel: Chinese headers and a totals row
    r = county.c.get("/api/v1/proxy/ledger.xlsx?group_by=township")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws is not None
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[1][:4] == ["编码", "苏木乡镇", "代办件数", "涉及事项数"]
    assert values[-1][1] == "合计" and values[-1][2] == 2

    page = county.c.get("/proxy/ledger/").content.decode()
    assert "月度汇总" in page and "甲一嘎查" in page
    assert county.get("/proxy/ledger?month=2026-13").status_code == 422
