"""On-site service (上门服务): flags, booking, outcome as a proxy request; the public agent board."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from onewindow.org.models import Resident, Staff
from onewindow.proxy.models import ProxyRequest, Visit
from tests.proxy.conftest import entrust


def tomorrow(hour: int = 10) -> str:
    d = timezone.localtime() + dt.timedelta(days=1)
    return d.replace(hour=hour, minute=0, second=0, microsecond=0).isoformat()


def test_visit_booked_and_outcome_is_a_proxy_request(proxy_world: dict[str, Any], as_user: Any) -> None:
    agent, clerk = as_user("agent"), as_user("clerk")
    ent = entrust(agent).json()
    rid = ent["resident"]["id"]
    # not flagged → refused
    r = agent.post("/proxy/visits", {"resident": rid, "start": tomorrow()})
    assert r.status_code == 422 and r.json()["error"]["code"] == "not_eligible"
    r = agent.post(f"/proxy/residents/{rid}/flags", {"elderly": True})
    assert r.status_code == 200 and r.json()["eligible"] is True
    assert as_user("agent_b").post(f"/proxy/residents/{rid}/flags", {"sick": True}).status_code == 404
    # the past → refused
    past = (timezone.localtime() - dt.timedelta(hours=2)).isoformat()
    assert agent.post("/proxy/visits", {"resident": rid, "start": past}).status_code == 422
    r = agent.post("/proxy/visits", {"resident": rid, "start": tomorrow(10), "purpose": "低保申请"})
    assert r.status_code == 201, r.content
    visit = r.json()
    # the clerk books the same agent at an overlapping time → slot_taken
    r = clerk.post("/proxy/visits", {"resident": rid, "start": tomorrow(10), "minutes": 30, "agent": "agent"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "slot_taken"
    r = clerk.post("/proxy/visits", {"resident": rid, "start": tomorrow(14), "agent": "agent"})
    assert r.status_code == 201 and r.json()["agent"] == "agent"
    # only the visiting agent records the outcome; it becomes a proxy request like any other
    assert clerk.post(f"/proxy/visits/{visit['id']}/complete", {"outcome": "x"}).status_code == 403
    r = agent.post(
        f"/proxy/visits/{visit['id']}/complete",
        {
            "outcome": "上门收取材料",
            "request": {
                "entrustment": ent["id"],
                "item": "MZ-001",
                "materials": [{"code": "M01", "provided": True, "paper_held": True}],
                "form": {"reason": "行动不便，上门受理"},
            },
        },
    )
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "done" and r.json()["request"]
    req = ProxyRequest.objects.get(pk=r.json()["request"])
    assert req.onsite and req.state == "draft" and Visit.objects.get(pk=visit["id"]).request_id == req.pk
    assert agent.action(req.pk, "submit").json()["state"] == "submitted"
    assert as_user("outsider").get("/proxy/visits").json()["count"] == 0
    assert agent.get("/proxy/visits").json()["count"] == 2
    page = agent.c.get("/proxy/visits/").content.decode()
    assert "上门服务" in page and "低保申请" in page


def test_public_agent_board_has_no_residents_data(
    proxy_world: dict[str, Any], as_user: Any, client: Any
) -> None:
    Staff.objects.filter(user__username="agent").update(public_phone="0476-1234567", post="嘎查党支部书记")
    entrust(as_user("agent"))
    r = client.get("/api/v1/proxy/agents")
    assert r.status_code == 200
    rows = {a["name"]: a for a in r.json()}
    assert rows["代办员甲一"]["phone"] == "0476-1234567" and rows["代办员甲一"]["area"] == "甲一嘎查"
    assert set(rows) == {"代办员甲一", "代办员乙一"}
    assert [a["name"] for a in client.get("/api/v1/proxy/agents?village=152522200201").json()] == [
        "代办员乙一"
    ]
    page = client.get("/proxy/agents/").content.decode()
    res = Resident.objects.get()
    assert "代办员甲一" in page and "0476-1234567" in page
    assert res.name not in page and "13800000001" not in page
