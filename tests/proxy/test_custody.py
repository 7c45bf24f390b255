"""The paper chain of custody: batches up and down, hand-over by the holder only, receipt, alerts, PDFs."""

from __future__ import annotations

from typing import Any

from onewindow.proxy.models import Batch, BatchAlert, BatchHandover, BatchItem
from tests.proxy.conftest import entrust
from tests.proxy.test_api import intake

VA, TA, COUNTY, VB = "152522100201", "152522100000", "152522000000", "152522200201"


def two_requests(as_user: Any) -> tuple[Any, list[int]]:
    agent = as_user("agent")
    ent = entrust(agent).json()
    ids = [intake(agent, ent["id"]).json()["id"] for _ in range(2)]
    return agent, ids


def test_batch_up_receive_and_missing_alert(proxy_world: dict[str, Any], as_user: Any) -> None:
    agent, ids = two_requests(as_user)
    r = agent.post("/proxy/batches", {"from": VA, "to": TA, "requests": ids})
    assert r.status_code == 201, r.content
    b = r.json()
    assert b["from"] == VA and b["holder"] == "agent" and b["state"] == "in_transit"
    assert b["items"][0]["papers"] == [{"code": "M01", "name": "居民身份证"}]
    assert len(b["handovers"]) == 1
    # the same request cannot travel twice at once
    r = agent.post("/proxy/batches", {"from": VA, "to": TA, "requests": ids[:1]})
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_in_transit"

    # a hop: only the holder may hand the batch on
    clerk = as_user("clerk")
    r = clerk.post(f"/proxy/batches/{b['id']}/hand_over", {"to": "clerk"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_holder"
    r = agent.post(f"/proxy/batches/{b['id']}/hand_over", {"to": "head_a", "signed_by": "司机（负责人代收）"})
    assert r.status_code == 200 and r.json()["holder"] == "head_a"
    r = agent.post(f"/proxy/batches/{b['id']}/hand_over", {"to": "clerk"})
    assert r.status_code == 403  # the agent no longer holds it

    # only the receiving jurisdiction signs; an agent of the village cannot "receive" it
    r = agent.post(f"/proxy/batches/{b['id']}/receive", {"received": ids})
    assert r.status_code == 403

    # one never sent → nothing changed
    r = clerk.post(f"/proxy/batches/{b['id']}/receive", {"received": [ids[0], 99999]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "not_in_batch"
    assert set(BatchItem.objects.values_list("state", flat=True)) == {"sent"}

    r = clerk.post(f"/proxy/batches/{b['id']}/receive", {"received": [ids[0]], "missing": [ids[1]]})
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["state"] == "incomplete" and out["holder"] == "clerk"
    assert [i["state"] for i in out["items"]] == ["received", "missing"]
    assert BatchHandover.objects.filter(batch_id=b["id"]).count() == 3

    # received twice → refused, nothing changed
    r = clerk.post(f"/proxy/batches/{b['id']}/receive", {"received": [ids[0]]})
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_received"

    # the alert: visible to the centre head at A (and the county), not to township B, until resolved
    head = as_user("head_a")
    alerts = head.get("/proxy/alerts").json()
    assert alerts["count"] == 1 and alerts["items"][0]["request"] == ids[1]
    assert as_user("outsider").get("/proxy/alerts").json()["count"] == 0
    assert (
        clerk.post(f"/proxy/alerts/{alerts['items'][0]['id']}/resolve", {"resolution": "x"}).status_code
        == 403
    )
    r = head.post(f"/proxy/alerts/{alerts['items'][0]['id']}/resolve", {"resolution": "代办员补送原件"})
    assert r.status_code == 200 and r.json()["resolved_at"]
    assert head.get("/proxy/alerts").json()["count"] == 0
    assert BatchAlert.objects.count() == 1

    # manifest PDF
    r = clerk.c.get(f"/api/v1/proxy/batches/{b['id']}/manifest.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert as_user("outsider").c.get(f"/api/v1/proxy/batches/{b['id']}/manifest.pdf").status_code == 404


def test_batch_rules(proxy_world: dict[str, Any], as_user: Any) -> None:
    agent, ids = two_requests(as_user)
    # not adjacent levels
    r = agent.post("/proxy/batches", {"from": VA, "to": COUNTY, "requests": ids})
    assert r.status_code == 422 and r.json()["error"]["code"] == "not_adjacent_level"
    # not from one's own place
    r = agent.post("/proxy/batches", {"from": VB, "to": "152522200000", "requests": ids})
    assert r.status_code == 422
    # a request of another village
    r = as_user("agent_b").post("/proxy/batches", {"from": VB, "to": "152522200000", "requests": ids})
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_request"
    assert Batch.objects.count() == 0


def test_result_batch_down_to_the_village(proxy_world: dict[str, Any], as_user: Any) -> None:
    agent, ids = two_requests(as_user)
    clerk = as_user("clerk")
    r = clerk.post("/proxy/batches", {"from": TA, "to": VA, "requests": ids[:1]})
    assert r.status_code == 201, r.content
    b = r.json()
    assert b["items"][0]["papers"][0]["code"] == "result"
    r = agent.post(f"/proxy/batches/{b['id']}/receive", {"received": ids[:1], "signed_by": "代办员甲一"})
    assert r.status_code == 200 and r.json()["state"] == "received" and r.json()["holder"] == "agent"


def test_entrustment_pdf(proxy_world: dict[str, Any], as_user: Any) -> None:
    agent = as_user("agent")
    ent = entrust(agent).json()
    r = agent.c.get(f"/api/v1/proxy/entrustments/{ent['id']}/document.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert as_user("agent_b").c.get(f"/api/v1/proxy/entrustments/{ent['id']}/document.pdf").status_code == 404


def test_batch_steps_reach_the_webhook_outbox(proxy_world: dict[str, Any], as_user: Any) -> None:
    from onewindow.integration.models import OutboxEvent

    agent, ids = two_requests(as_user)
    b = agent.post("/proxy/batches", {"from": VA, "to": TA, "requests": ids}).json()
    agent.post(f"/proxy/batches/{b['id']}/hand_over", {"to": "head_a", "signed_by": "司机"})
    clerk = as_user("clerk")
    clerk.post(f"/proxy/batches/{b['id']}/receive", {"received": [ids[0]]})
    clerk.post(f"/proxy/batches/{b['id']}/receive", {"missing": [ids[1]]})
    types = list(
        OutboxEvent.objects.filter(type__startswith="proxy_batch.")
        .order_by("created_at")
        .values_list("type", flat=True)
    )
    assert types == [
        "proxy_batch.sent",
        "proxy_batch.handed_over",
        "proxy_batch.partly_received",
        "proxy_batch.incomplete",
    ]
    data = OutboxEvent.objects.filter(type="proxy_batch.sent").get().data
    assert data["from"] == VA and data["to"] == TA and data["id"] == b["id"]
