"""The proxy round trip through the HTTP API, scoping, entrustment and upload rules."""

from __future__ import annotations

from typing import Any
from unittest import mock

from onewindow.cases.models import Case
from onewindow.core import signals
from onewindow.notify.models import Notification
from onewindow.proxy.models import FollowUp, ProxyEvent, ProxyRequest
from tests.proxy.conftest import Api, applicant, entrust, png_bytes, valid_until


def intake(agent: Api, ent_id: int, **kw: Any) -> Any:
    photo = agent.upload(png_bytes((80, 60), "blue"), "身份证.png").json()["id"]
    body = {
        "entrustment": ent_id,
        "item": "MZ-001",
        "materials": [{"code": "M01", "provided": True, "paper_held": True, "files": [photo]}],
        "form": {"reason": "家庭困难"},
    }
    body.update(kw)
    return agent.post("/proxy/requests", body)


def test_round_trip_entrust_to_follow_up(proxy_world: dict[str, Any], as_user: Any) -> None:
    events: list[str] = []

    def listener(sender: Any, request: Any, action: str, **kw: Any) -> None:
        if kw.get("batch") is not None:  # handoff batch steps carry the batch, not a request
            assert request is None
            return
        assert isinstance(request, ProxyRequest)
        events.append(action)

    signals.proxy_event.connect(listener)
    try:
        agent, clerk, county = as_user("agent"), as_user("clerk"), as_user("county_clerk")
        reviewer = as_user("reviewer")

        # 委托
        r = entrust(agent)
        assert r.status_code == 201, r.content
        ent = r.json()
        assert ent["valid"] is True and ent["items"] == ["MZ-001"]
        assert ent["resident"]["id_number"].startswith("1101") and "*" in ent["resident"]["id_number"]

        # 受理 at the village (M02 missing)
        r = intake(agent, ent["id"])
        assert r.status_code == 201, r.content
        req = r.json()
        assert req["state"] == "draft" and req["number"].startswith("DB")
        pk = req["id"]
        detail = agent.get(f"/proxy/requests/{pk}").json()
        assert detail["pass_on_warning"] in {"none", "yellow"}
        assert "fee" not in detail and detail["statutory_fee"] == "0"
        m01 = next(m for m in detail["materials"] if m["code"] == "M01")
        assert m01["paper_held"] is True and len(m01["files"]) == 1

        assert agent.action(pk, "submit").json()["state"] == "submitted"
        queue = clerk.get("/proxy/requests?queue=true").json()
        assert [row["id"] for row in queue["items"]] == [pk]

        # pass with a material missing is refused
        r = clerk.action(pk, "prereview_pass")
        assert r.status_code == 422 and r.json()["error"]["code"] == "materials_missing"

        # ONE notice listing every problem: M02 missing + M01 unreadable
        r = clerk.action(pk, "prereview_return", missing=[{"code": "M01", "reason": "照片不清晰"}])
        assert r.status_code == 200, r.content
        body = r.json()
        assert body["state"] == "returned"
        assert {m["code"] for m in body["notice"]["missing"]} == {"M01", "M02"}
        assert Notification.objects.filter(template="proxy_returned", user__username="agent").count() == 1
        home = agent.get("/proxy/requests?mine=true&state=returned").json()
        assert home["count"] == 1

        # 补正
        photo = agent.upload(png_bytes((90, 60), "green"), "户口簿.png").json()["id"]
        r = agent.action(
            pk,
            "submit",
            materials=[
                {"code": "M01", "provided": True, "note": ""},
                {"code": "M02", "provided": True, "files": [photo]},
            ],
        )
        assert r.status_code == 200 and r.json()["state"] == "submitted", r.content
        assert r.json()["timeline"][-1]["action"] == "supplement"

        # asking a second time is refused (一次性告知)
        r = clerk.action(pk, "prereview_return", missing=[{"code": "M02", "reason": "复印件不清"}])
        assert r.status_code == 409 and r.json()["error"]["code"] == "second_notice_refused"

        # forward to the county (三级代理); the township can no longer act on it
        r = clerk.action(pk, "forward")
        assert r.status_code == 200 and r.json()["state"] == "forwarded"
        assert r.json()["review_centre"] == "C-COUNTY"
        r = clerk.action(pk, "prereview_pass")
        assert r.status_code == 403 and r.json()["error"]["code"] == "not_your_queue"

        # county clerk accepts: the real case, channel proxy, accepted at the county centre
        r = county.action(pk, "prereview_pass")
        assert r.status_code == 200, r.content
        number = r.json()["case"]
        case = Case.objects.get(number=number)
        assert case.channel == "proxy" and case.centre.code == "C-COUNTY" and case.state == "accepted"
        assert [e.action for e in case.events.order_by("seq")] == ["submit", "accept"]

        r = agent.action(pk, "collect_result")
        assert r.status_code == 409 and r.json()["error"]["code"] == "result_not_ready"

        # back office decides, output window makes it ready
        assert reviewer.post(f"/cases/{number}/actions", {"action": "approve"}).status_code == 200
        assert reviewer.post(f"/cases/{number}/actions", {"action": "ready"}).status_code == 200

        # the agent is told online that the result is out
        assert Notification.objects.filter(template="proxy_result_ready", user__username="agent").count() == 1
        # the paper result travels back down: county → township → village, signed at each hop
        r = county.post("/proxy/batches", {"from": "152522000000", "to": "152522100000", "requests": [pk]})
        assert r.status_code == 201, r.content
        assert (
            clerk.post(f"/proxy/batches/{r.json()['id']}/receive", {"received": [pk]}).json()["state"]
            == "received"
        )
        r = clerk.post("/proxy/batches", {"from": "152522100000", "to": "152522100201", "requests": [pk]})
        assert r.status_code == 201, r.content
        r = agent.post(f"/proxy/batches/{r.json()['id']}/receive", {"received": [pk]})
        assert r.json()["state"] == "received" and r.json()["holder"] == "agent"
        # 代为取件, 送达 signed by the resident
        assert agent.action(pk, "collect_result").json()["state"] == "collected"
        r = agent.action(pk, "hand_over")
        assert r.status_code == 422
        r = agent.action(pk, "hand_over", signed_by="巴特尔")
        assert r.status_code == 200, r.content
        assert r.json()["state"] == "handed_over" and r.json()["case_state"] == "delivered"
        case.refresh_from_db()
        assert case.state == "delivered" and case.delivery == "agent" and case.signed_by == "巴特尔"
        assert FollowUp.objects.get(request_id=pk).done_at is None
        assert Notification.objects.filter(template="proxy_handed_over").count() == 1

        # 回访
        r = agent.action(pk, "follow_up", method="call", outcome="群众已收到低保证，表示满意", satisfied=True)
        assert r.status_code == 200 and r.json()["state"] == "closed"
        assert r.json()["follow_up"]["satisfied"] is True

        assert events == [
            "created",
            "submitted",
            "returned",
            "supplemented",
            "forwarded",
            "passed",
            "collected",
            "handed_over",
            "followed_up",
        ]
        assert ProxyEvent.objects.filter(request_id=pk).count() == len(events) + 4  # + 4 batch hops
    finally:
        signals.proxy_event.disconnect(listener)


def test_agent_sees_only_own_village(proxy_world: dict[str, Any], as_user: Any) -> None:
    agent = as_user("agent")
    ent = entrust(agent).json()
    pk = intake(agent, ent["id"]).json()["id"]
    for other in ("agent_b", "outsider"):
        api = as_user(other)
        assert api.get(f"/proxy/requests/{pk}").status_code == 404
        assert api.get(f"/proxy/entrustments/{ent['id']}").status_code == 404
        assert api.get("/proxy/requests").json()["count"] == 0
        r = api.action(pk, "submit")
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    # the other agent cannot use the entrustment either
    r = intake(as_user("agent_b"), ent["id"])
    assert r.status_code == 404
    # the township clerk and the county see it
    assert as_user("clerk").get(f"/proxy/requests/{pk}").status_code == 200
    assert as_user("county_clerk").get(f"/proxy/requests/{pk}").status_code == 200


def test_entrustment_rules(proxy_world: dict[str, Any], as_user: Any) -> None:
    agent = as_user("agent")
    # an item not on the proxy list
    r = entrust(agent, items=["MZ-002"])
    assert r.status_code == 422 and r.json()["error"]["code"] == "item_not_proxy_allowed"
    # no confirmation
    r = agent.post(
        "/proxy/entrustments", {"resident": applicant(), "items": ["MZ-001"], "valid_until": valid_until()}
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "confirmation_required"
    # the past
    r = entrust(agent, valid_until=valid_until(-1))
    assert r.status_code == 422
    ent = entrust(agent).json()
    # request for an item outside the entrustment's list: not proxy-allowed first
    r = intake(agent, ent["id"], item="MZ-002")
    assert r.status_code == 422 and r.json()["error"]["code"] == "item_not_proxy_allowed"
    # revoked → entrustment_invalid, nothing created
    assert (
        agent.post(f"/proxy/entrustments/{ent['id']}/revoke", {"reason": "群众本人办理"}).status_code == 200
    )
    r = intake(agent, ent["id"])
    assert r.status_code == 409 and r.json()["error"]["code"] == "entrustment_invalid"
    assert ProxyRequest.objects.count() == 0


def test_expired_entrustment_blocks_submit(proxy_world: dict[str, Any], as_user: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    agent = as_user("agent")
    ent = entrust(agent).json()
    pk = intake(agent, ent["id"]).json()["id"]
    later = timezone.localdate() + dt.timedelta(days=90)
    with mock.patch("onewindow.proxy.services.entrustments.local_today", return_value=later):
        r = agent.action(pk, "submit")
    assert r.status_code == 409 and r.json()["error"]["code"] == "entrustment_invalid"
    assert ProxyRequest.objects.get(pk=pk).state == "draft"


def test_renamed_non_image_upload_refused(proxy_world: dict[str, Any], as_user: Any) -> None:
    agent = as_user("agent")
    r = agent.upload(b"MZ\x90\x00 this is really an exe or text" * 10, "身份证.jpg", "image/jpeg")
    assert r.status_code == 422 and r.json()["error"]["code"] == "unsupported_file_type"
    r = agent.upload(png_bytes(), "ok.png")
    assert r.status_code == 201 and r.json()["content_type"] in {"image/png", "image/jpeg"}
    fid = r.json()["id"]
    assert agent.c.get(f"/api/v1/proxy/files/{fid}").status_code == 200
    assert as_user("agent_b").c.get(f"/api/v1/proxy/files/{fid}").status_code == 404


def test_refusals_are_audited(proxy_world: dict[str, Any], as_user: Any) -> None:
    from onewindow.security.models import AuditEntry

    agent = as_user("agent")
    entrust(agent, items=["MZ-002"])
    ent = entrust(agent).json()
    pk = intake(agent, ent["id"]).json()["id"]
    as_user("agent_b").action(pk, "submit")
    as_user("clerk").action(pk, "prereview_pass")  # still a draft: 409
    denied = list(AuditEntry.objects.filter(result="denied").values_list("action", "username", "details"))
    assert ("proxy.entrustment_create", "agent") in [(a, u) for a, u, _d in denied]
    assert any(a == "proxy.submit" and u == "agent_b" and d["code"] == "not_found" for a, u, d in denied)
    assert any(a == "proxy.prereview_pass" and d["code"] == "invalid_transition" for a, _u, d in denied)
    # successful writes are audited too
    assert (
        AuditEntry.objects.filter(action="proxy.request_create", result="ok", username="agent").count() == 1
    )
