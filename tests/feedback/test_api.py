"""The rating and complaint endpoints of API.md."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from onewindow.feedback.models import Complaint, Rating, Rectification
from tests.conftest import otp_verify_session
from tests.feedback.conftest import delivered_case

pytestmark = pytest.mark.django_db
CHECK = "002X"


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


def test_public_rating_with_check(world: Any, today: Any, client: Client) -> None:
    case = delivered_case()
    url = f"/api/v1/cases/{case.number}/rating"
    r = post(client, url + "?check=002x", {"level": 2, "comment": "慢"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["level"] == 2 and body["level_label"] == "不满意" and body["real_name"] is True
    assert body["rectification"]["state"] == "callback"
    r = post(client, url, {"level": 5, "check": CHECK})
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_rated"
    r = post(client, url, {"level": 5, "check": "0000", "channel": "sms"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    for level in (0, 6):
        r = post(client, url, {"level": level, "check": CHECK, "channel": "sms"})
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_level"
        assert "level" in r.json()["error"]["details"]
    r = post(client, url, {"check": CHECK, "channel": "sms"})
    assert r.status_code == 422
    assert Rating.objects.count() == 1 and Rectification.objects.count() == 1

    summary = client.get("/api/v1/ratings/summary").json()
    assert summary[0]["code"] == "C-A" and summary[0]["bad"] == 1 and summary[0]["rate"] == 0.0
    assert client.get("/api/v1/ratings/summary?group_by=item").json()[0]["code"] == "MZ-001"


def test_rectification_and_appeal_endpoints(world: Any, today: Any, head: Any, login: Any) -> None:
    case = delivered_case()
    anon = Client()
    rid = post(
        anon, f"/api/v1/cases/{case.number}/rating", {"level": 1, "check": CHECK, "comment": "太慢"}
    ).json()["id"]
    assert anon.get("/api/v1/rectifications").status_code == 401
    c = login("head_a")
    rows = c.get("/api/v1/rectifications").json()
    assert rows["count"] == 1 and rows["items"][0]["case"] == case.number
    rect = rows["items"][0]["id"]
    r = post(
        c, f"/api/v1/rectifications/{rect}/actions", {"action": "rectify", "note": "x", "public_note": "y"}
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "callback_first"
    assert (
        post(
            c, f"/api/v1/rectifications/{rect}/actions", {"action": "callback", "note": "已回访"}
        ).status_code
        == 200
    )
    r = post(
        c,
        f"/api/v1/rectifications/{rect}/actions",
        {"action": "explain", "note": "依法解释", "public_note": "已解释"},
    )
    assert r.status_code == 200 and r.json()["state"] == "closed"
    fix = post(anon, f"/api/v1/cases/{case.number}/rating/fix", {"level": 4, "check": CHECK})
    assert fix.status_code == 200 and fix.json()["fix_level"] == 4

    r = post(c, f"/api/v1/ratings/{rid}/appeal", {"reason": "误评"})
    assert r.status_code == 201
    appeal = r.json()["id"]
    assert post(c, f"/api/v1/appeals/{appeal}/decide", {"decision": "void", "note": "x"}).status_code == 403
    sup = Client()
    sup_user = head.user.__class__.objects.get(username="supervisor")
    sup.force_login(sup_user)
    otp_verify_session(sup, sup_user)
    r = post(sup, f"/api/v1/appeals/{appeal}/decide", {"decision": "void", "note": "经核实作废"})
    assert r.status_code == 200 and r.json()["state"] == "voided"
    assert Client().get("/api/v1/ratings/summary").json() == []
    out = Client()
    out.force_login(head.user.__class__.objects.get(username="outsider"))
    assert out.get("/api/v1/rectifications").json()["count"] == 0
    assert (
        post(out, f"/api/v1/rectifications/{rect}/actions", {"action": "callback", "note": "x"}).status_code
        == 404
    )


def test_complaint_api(world: Any, head: Any, login: Any) -> None:
    anon = Client()
    r = post(anon, "/api/v1/complaints", {"category": "complaint", "content": "  "})
    assert r.status_code == 422 and r.json()["error"]["code"] == "empty_content"
    r = post(anon, "/api/v1/complaints", {"category": "complaint", "content": "x", "source": "phone"})
    assert r.status_code in (401, 403)
    assert not Complaint.objects.exists()
    r = post(
        anon, "/api/v1/complaints", {"category": "suggestion", "content": "建议延长开放时间", "centre": "C-A"}
    )
    assert r.status_code == 201
    number, check = r.json()["number"], r.json()["check"]
    p = anon.get(f"/api/v1/complaints/{number}/progress?check={check}")
    assert p.status_code == 200 and p.json()["state"] == "collected" and p.json()["steps"][0]["owner"]
    assert "content" not in p.json()
    assert anon.get(f"/api/v1/complaints/{number}/progress?check=x").status_code == 404
    c = login("head_a")
    assert c.get("/api/v1/complaints").json()["count"] == 1
    r = post(c, f"/api/v1/complaints/{number}/actions", {"action": "report"})
    assert r.status_code == 200 and r.json()["state"] == "reported"
    r = post(c, f"/api/v1/complaints/{number}/actions", {"action": "close"})
    assert r.status_code == 409
