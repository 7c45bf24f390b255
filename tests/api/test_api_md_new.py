"""API.md conformance of the proxy, feedback and statistics endpoints, through real HTTP calls.

Each test follows API.md word by word ("Proxy service (代办)", "Feedback and statistics" and the
Conventions): the documented bodies and keys, the error shape and the 401/403/404/409/422 semantics,
paginated lists, masked personal data, times with an offset. Public endpoints must answer everybody:
anonymous, a session of any role (administrators included) and a Bearer token.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from onewindow.api.tokens import token_create
from onewindow.feedback.models import Complaint, Rating, Rectification
from tests.cases.conftest import act
from tests.conftest import otp_verify_session
from tests.factories import make_staff
from tests.feedback.conftest import delivered_case
from tests.proxy.conftest import Api, entrust

pytestmark = pytest.mark.django_db
CHECK = "5678"  # last 4 digits of the test applicant's phone (tests.cases.conftest.applicant)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def proxy_world(world: dict[str, Any]) -> dict[str, Any]:
    """The shared world plus a county clerk (C-COUNTY) and a centre head of township A."""
    make_staff("county_clerk", "旗综窗", world["county"], ["clerk"], centre=world["centres"]["county"])
    make_staff("head_a", "甲镇负责人", world["ta"], ["centre_head"], centre=world["centres"]["a"])
    return world


@pytest.fixture
def as_user() -> Any:
    def _as(username: str) -> Api:
        return Api(session(username))

    return _as


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.content)
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    assert isinstance(body["error"]["details"], dict)
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]


def assert_offset(value: str) -> None:
    """ISO 8601 with an offset (``Z`` is the zero offset)."""
    assert dt.datetime.fromisoformat(value).utcoffset() is not None, value


def token_api(username: str, read_only: bool = False) -> Api:
    _row, key = token_create(username=username, read_only=read_only)
    return Api(Client(HTTP_AUTHORIZATION=f"Bearer {key}"))


def intake_body(ent_id: int, **kw: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "entrustment": ent_id,
        "item": "MZ-001",
        "materials": [
            {"code": "M01", "provided": True, "paper_held": True},
            {"code": "M02", "provided": True, "paper_held": True},
        ],
        "form": {"reason": "家庭困难"},
    }
    body.update(kw)
    return body


# --- Proxy service (代办) ---------------------------------------------------------------------------


def test_proxy_round_trip_as_documented(proxy_world: dict[str, Any], as_user: Any) -> None:
    agent, clerk, county, reviewer = (as_user(u) for u in ("agent", "clerk", "county_clerk", "reviewer"))

    # POST /proxy/entrustments {resident, items, valid_until} (+ the resident's confirmation, see report)
    r = entrust(agent)
    assert r.status_code == 201, r.content
    ent = r.json()
    assert ent["items"] == ["MZ-001"] and ent["valid_until"]
    assert "*" in ent["resident"]["id_number"] and "*" in ent["resident"]["name"]  # masked
    assert_offset(ent["created_at"])

    # POST /proxy/requests {entrustment, item, materials} → {id, state}
    r = agent.post("/proxy/requests", intake_body(ent["id"]))
    assert r.status_code == 201, r.content
    created = r.json()
    assert {"id", "state"} <= set(created) and created["state"] == "draft"
    pk = created["id"]

    # actions: submit, prereview_return (one-time notice), submit again, forward, prereview_pass
    assert agent.action(pk, "submit").json()["state"] == "submitted"
    r = clerk.action(pk, "prereview_return", missing=[{"code": "M02", "reason": "复印件不清"}])
    assert r.status_code == 200 and r.json()["state"] == "returned"
    assert [m["code"] for m in r.json()["notice"]["missing"]] == ["M02"]
    assert agent.action(pk, "submit").json()["state"] == "submitted"
    assert clerk.action(pk, "forward").json()["state"] == "forwarded"
    r = county.action(pk, "prereview_pass")
    assert r.status_code == 200 and r.json()["state"] == "passed", r.content
    number = r.json()["case"]
    assert reviewer.post(f"/cases/{number}/actions", {"action": "approve"}).status_code == 200
    assert reviewer.post(f"/cases/{number}/actions", {"action": "ready"}).status_code == 200

    # POST /proxy/batches {from, to, requests} — the JSON key is "from"; receive {received, missing}
    r = county.post("/proxy/batches", {"from": "152522000000", "to": "152522100000", "requests": [pk]})
    assert r.status_code == 201, r.content
    batch = r.json()
    assert batch["from"] == "152522000000" and batch["to"] == "152522100000" and "from_" not in batch
    r = clerk.post(f"/proxy/batches/{batch['id']}/receive", {"received": [pk], "missing": []})
    assert r.status_code == 200 and r.json()["state"] == "received", r.content
    r = clerk.post("/proxy/batches", {"from": "152522100000", "to": "152522100201", "requests": [pk]})
    assert agent.post(f"/proxy/batches/{r.json()['id']}/receive", {"received": [pk]}).status_code == 200

    # collect_result, hand_over (signed by the resident)
    assert agent.action(pk, "collect_result").json()["state"] == "collected"
    assert_error(agent.action(pk, "hand_over"), 422)
    r = agent.action(pk, "hand_over", signed_by="巴特尔")
    assert r.status_code == 200 and r.json()["state"] == "handed_over"
    detail = r.json()
    assert detail["case_state"] == "delivered"
    for event in detail["timeline"]:
        assert_offset(event["at"])


def test_proxy_batch_receive_with_missing(proxy_world: dict[str, Any], as_user: Any) -> None:
    agent, clerk = as_user("agent"), as_user("clerk")
    ent = entrust(agent).json()
    pk = agent.post("/proxy/requests", intake_body(ent["id"])).json()["id"]
    agent.action(pk, "submit")
    r = agent.post("/proxy/batches", {"from": "152522100201", "to": "152522100000", "requests": [pk]})
    assert r.status_code == 201, r.content
    r = clerk.post(f"/proxy/batches/{r.json()['id']}/receive", {"received": [], "missing": [pk]})
    assert r.status_code == 200 and r.json()["state"] == "incomplete", r.content
    alerts = clerk.get("/proxy/alerts").json()
    assert set(alerts) == {"items", "count"} and alerts["count"] == 1
    assert alerts["items"][0]["kind"] == "missing"


def test_proxy_error_semantics(proxy_world: dict[str, Any], as_user: Any) -> None:
    agent = as_user("agent")
    ent = entrust(agent).json()
    pk = agent.post("/proxy/requests", intake_body(ent["id"])).json()["id"]

    # 401: not logged in
    assert_error(Client().post("/api/v1/proxy/requests", {}, content_type="application/json"), 401)
    # 403: outside your role — before the body is validated (role before body)
    reviewer = as_user("reviewer")
    assert_error(reviewer.post("/proxy/requests", {"nonsense": 1}), 403, "forbidden")
    assert_error(reviewer.post(f"/proxy/requests/{pk}/actions", {"action": "fly"}), 403, "forbidden")
    assert_error(reviewer.post(f"/proxy/requests/{pk}/actions", {"action": "submit"}), 403, "forbidden")
    assert_error(as_user("clerk").action(pk, "submit"), 403)  # an agent's action
    # 404: outside the jurisdiction (township B clerk), and unknown
    outsider = as_user("outsider")
    assert_error(outsider.get(f"/proxy/requests/{pk}"), 404)
    assert_error(outsider.action(pk, "prereview_pass"), 404)
    assert_error(agent.get("/proxy/requests/999999"), 404)
    # 409: not allowed in the current state (still a draft)
    assert_error(as_user("clerk").action(pk, "prereview_pass"), 409, "invalid_transition")
    # 422: invalid field values, details name the field
    past = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    err = assert_error(
        agent.post("/proxy/entrustments", {"resident": {"id": 1}, "items": ["MZ-001"], "valid_until": past}),
        422,
    )
    assert "valid_until" in err["details"]
    err = assert_error(agent.post("/proxy/requests", intake_body(ent["id"], form={})), 422)
    assert "form.reason" in err["details"]
    err = assert_error(agent.post("/proxy/requests", [1, 2]), 422)
    err = assert_error(agent.post("/proxy/batches", {"from_": "x", "to": "y", "requests": []}), 422)
    assert "from" in err["details"]
    # lists are paginated {items, count}
    page = agent.get("/proxy/requests?page=1&page_size=1").json()
    assert set(page) == {"items", "count"} and page["count"] == 1 and len(page["items"]) == 1
    assert "*" in page["items"][0]["resident_name"]


# --- Feedback: rating ---------------------------------------------------------------------------------


def session(username: str) -> Client:
    user = get_user_model().objects.get(username=username)
    c = Client()
    c.force_login(user)
    otp_verify_session(c, user)
    return c


@pytest.mark.parametrize("caller", ["anonymous", "admin", "clerk", "agent", "token", "read_only_token"])
def test_rating_is_public_for_everybody(world: dict[str, Any], caller: str) -> None:
    case = delivered_case()
    if caller == "anonymous":
        c = Client()
    elif caller == "token":
        c = token_api("clerk").c
    elif caller == "read_only_token":
        c = token_api("supervisor", read_only=True).c
    else:
        c = session(caller)
    url = f"/api/v1/cases/{case.number}/rating"

    def post(body: Any, query: str = f"?check={CHECK}") -> Any:
        return c.post(url + query, body, content_type="application/json")

    assert_error(post({"level": 2}, query="?check=0000"), 404)  # wrong check → 404 like progress
    assert_error(post({"level": 6}), 422)
    assert_error(post({"level": 0}), 422)
    r = post({"level": 2, "comment": "等太久"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["level"] == 2 and body["case"] == case.number and body["rectification"] is not None
    assert_offset(body["created_at"])
    rating = Rating.objects.get(pk=body["id"])
    assert rating.comment == "等太久" and Rectification.objects.filter(rating=rating).exists()
    assert_error(post({"level": 5}), 409, "already_rated")


def test_rating_check_in_the_body_and_good_level(world: dict[str, Any]) -> None:
    case = delivered_case()
    r = Client().post(
        f"/api/v1/cases/{case.number}/rating", {"level": 5, "check": CHECK}, content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["rectification"] is None


def test_rating_of_an_open_case_is_a_conflict(world: dict[str, Any]) -> None:
    from tests.cases.conftest import intake

    case = act("reviewer", intake(), "approve", note="ok")
    r = Client().post(
        f"/api/v1/cases/{case.number}/rating?check={CHECK}", {"level": 4}, content_type="application/json"
    )
    assert_error(r, 409, "not_ratable")


# --- Feedback: complaints ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "caller", ["anonymous", "admin", "security_admin", "clerk", "agent", "token", "bad_token", "ro_token"]
)
def test_complaint_is_public_for_everybody(world: dict[str, Any], caller: str) -> None:
    from tests.security.conftest import add_security_personas

    add_security_personas(world)
    if caller == "anonymous":
        c = Client()
    elif caller == "token":
        c = token_api("clerk").c
    elif caller == "bad_token":
        c = Client(HTTP_AUTHORIZATION="Bearer not-a-token")
    elif caller == "ro_token":
        c = token_api("supervisor", read_only=True).c
    else:
        c = session(caller)
    r = c.post(
        "/api/v1/complaints",
        {"category": "suggestion", "content": "希望延长午间服务时间", "contact": "13912345678"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    number = r.json()["number"]
    assert Complaint.objects.filter(number=number, category="suggestion").exists()
    # minimal body {category, content}
    r = c.post(
        "/api/v1/complaints",
        {"category": "complaint", "content": "窗口无人"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["number"] != number
    err = assert_error(
        c.post("/api/v1/complaints", {"category": "x", "content": ""}, content_type="application/json"), 422
    )
    assert "category" in err["details"]


def test_complaint_by_phone_needs_a_staff_caller(world: dict[str, Any]) -> None:
    """The schemathesis finding: a staff token recording a phone complaint was refused with 401."""
    body = {"category": "complaint", "content": "电话反映：窗口推诿", "source": "phone"}
    r = token_api("clerk").post("/complaints", body)
    assert r.status_code == 201, r.content
    c = Complaint.objects.get(number=r.json()["number"])
    assert c.source == "phone" and c.centre is not None and c.centre.code == "C-A"
    assert_error(Client().post("/api/v1/complaints", body, content_type="application/json"), 401)
    # a session POST without the CSRF token is not the staff member: anonymous, so 401 here ...
    clerk = get_user_model().objects.get(username="clerk")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(clerk)
    assert_error(strict.post("/api/v1/complaints", body, content_type="application/json"), 401)
    # ... and an online complaint from the same browser is accepted as anonymous
    r = strict.post(
        "/api/v1/complaints", {"category": "opinion", "content": "好"}, content_type="application/json"
    )
    assert r.status_code == 201


def test_complaint_list_stays_closed_to_administrators(world: dict[str, Any]) -> None:
    assert_error(session("admin").get("/api/v1/complaints"), 403)
    page = session("clerk").get("/api/v1/complaints").json()
    assert set(page) == {"items", "count"}


def test_public_pages_and_agent_board_for_administrators(world: dict[str, Any]) -> None:
    admin = session("admin")
    assert admin.get("/api/v1/proxy/agents").status_code == 200
    assert admin.get("/proxy/agents/").status_code == 200
    from onewindow.feedback.services import complaint_submit

    c = complaint_submit(category="complaint", content="排队太久", centre="C-A")
    r = admin.get(f"/api/v1/complaints/{c.number}/progress?check={c.check_code}")
    assert r.status_code == 200 and r.json()["number"] == c.number
    assert "content" not in r.json()  # the public view: no complaint text, no contact
    assert_error(admin.get(f"/api/v1/complaints/{c.number}"), 403)  # the staff view stays closed
    # but not the proxy work itself (separation of duties)
    assert_error(admin.get("/api/v1/proxy/requests"), 403)


# --- Statistics ------------------------------------------------------------------------------------------


def test_stats_as_documented(proxy_world: dict[str, Any], as_user: Any) -> None:
    delivered_case()
    supervisor = as_user("supervisor")
    today = timezone.localdate()
    start = today.replace(day=1).isoformat()
    for group_by in ("month", "item", "centre", "agent"):
        r = supervisor.get(
            f"/stats?jurisdiction=152522100000&from={start}&to={today.isoformat()}&group_by={group_by}"
        )
        assert r.status_code == 200, (group_by, r.content)
        body = r.json()
        assert body["from"] == start and body["group_by"] == group_by
        totals = body["totals"]
        for key in ("received", "accepted", "decided", "on_time_rate", "satisfaction_rate", "proxy_share"):
            assert key in totals, key
        assert totals["received"] >= 1
        assert isinstance(body["groups"], list)
    assert_error(supervisor.get("/stats?group_by=week"), 422)
    later = (today + dt.timedelta(days=1)).isoformat()
    assert_error(supervisor.get(f"/stats?from={later}&to={start}"), 422)
    assert_error(as_user("agent").get("/stats"), 403)
    assert_error(as_user("head_a").get("/stats?jurisdiction=152522200000"), 404)  # township B
    assert_error(Client().get("/api/v1/stats"), 401)


# --- Integration: tokens -----------------------------------------------------------------------------------


def test_token_create_rejects_an_invalid_body(world: dict[str, Any]) -> None:
    c = session("clerk")
    for bad in ([], '"x"', {"name": "a", "unknown": 1}, {"days": "many"}):
        assert_error(c.post("/api/v1/tokens", bad, content_type="application/json"), 422)
    r = c.post("/api/v1/tokens", {"name": "平板"}, content_type="application/json")
    assert r.status_code == 201 and r.json()["token"]
    assert_offset(r.json()["created_at"])


def test_complaint_actions_role_before_body(world: dict[str, Any]) -> None:
    from onewindow.feedback.services import complaint_submit

    c = complaint_submit(category="complaint", content="排队太久", centre="C-A")
    url = f"/api/v1/complaints/{c.number}/actions"
    # the agent can never handle complaints: 403 whatever the body
    for body in ({"action": "fly"}, {}, {"action": "start", "note": "x"}):
        assert_error(session("agent").post(url, body, content_type="application/json"), 403, "forbidden")
    # a handler with an invalid body: 422 naming the field; outside the jurisdiction: 404
    err = assert_error(session("clerk").post(url, {"action": "fly"}, content_type="application/json"), 422)
    assert "action" in err["details"]
    r = session("outsider").post(url, {"action": "report"}, content_type="application/json")
    assert_error(r, 404)
    # the same through a token
    assert_error(
        token_api("agent").post(f"/complaints/{c.number}/actions", {"action": "fly"}), 403, "forbidden"
    )
