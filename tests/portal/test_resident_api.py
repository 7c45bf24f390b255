"""The resident side of the JSON API: code log-in, real-name, POST /api/v1/cases with channel online,
my cases (own only), supplement with files, inbox."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from onewindow.cases import services as case_services
from onewindow.cases.models import Case, State
from onewindow.org.actors import actor_of
from tests.portal.resident_helpers import (
    ID_A,
    ID_B,
    PHONE_A,
    PHONE_B,
    last_code,
    png,
    resident_client,
    set_online,
)

pytestmark = pytest.mark.django_db

J = "application/json"


@pytest.fixture
def online(world: Any, settings: Any, tmp_path: Any) -> Any:
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    set_online("MZ-001")
    return world


def test_code_login_and_real_name_over_the_api(online: Any) -> None:
    c = Client()
    r = c.post("/api/v1/portal/otp", {"phone": PHONE_A}, content_type=J)
    assert r.status_code == 200 and r.json() == {"sent": True, "expires_in": 300}
    r = c.post("/api/v1/portal/otp", {"phone": PHONE_A}, content_type=J)
    assert r.status_code == 429 and r.json()["error"]["code"] == "otp_too_soon"
    r = c.post("/api/v1/portal/login", {"phone": PHONE_A, "code": "12345x"}, content_type=J)
    assert r.status_code == 422 and r.json()["error"]["code"] == "otp_invalid"
    assert c.get("/api/v1/my/cases").status_code == 401
    r = c.post("/api/v1/portal/login", {"phone": PHONE_A, "code": last_code(PHONE_A)}, content_type=J)
    assert r.status_code == 200 and r.json() == {"new": True, "real_name": False}
    r = c.post(
        "/api/v1/my/realname",
        {"name": "巴特尔", "id_number": "123", "jurisdiction": "152522100201"},
        content_type=J,
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_id_number"
    r = c.post(
        "/api/v1/my/realname",
        {"name": "巴特尔", "id_number": ID_A, "jurisdiction": "152522100201"},
        content_type=J,
    )
    assert r.status_code == 200 and r.json()["id_number"] != ID_A and r.json()["id_number"].endswith("002X")
    assert c.get("/api/v1/my/cases").json() == {"items": [], "count": 0}


def test_post_cases_online_by_a_resident(online: Any) -> None:
    c, account = resident_client(PHONE_A, "巴特尔", ID_A)
    body = {
        "item": "MZ-001",
        "channel": "online",
        "centre": "C-A",
        "applicant": {"kind": "person", "name": "巴特尔", "id_number": ID_A, "phone": PHONE_A},
        "materials": [{"code": "M01", "provided": True}],
        "form": {"reason": "家庭困难"},
    }
    r = c.post("/api/v1/cases", body, content_type=J)
    assert r.status_code == 201, r.content
    assert r.json()["state"] == "submitted"
    case = Case.objects.get(number=r.json()["number"])
    assert case.applicant_id == account.resident_id and case.window is not None
    # a resident cannot pose as a window (any channel but online is refused)
    r = c.post("/api/v1/cases", {**body, "channel": "window"}, content_type=J)
    assert r.status_code == 403 and r.json()["error"]["code"] == "no_staff_profile"
    # a resident cannot see the staff list of cases
    r = c.get("/api/v1/cases")
    assert r.status_code == 403 or r.json()["count"] == 0
    # own list and detail in plain words
    rows = c.get("/api/v1/my/cases").json()
    assert rows["count"] == 1 and rows["items"][0]["state"] == "submitted"
    detail = c.get(f"/api/v1/my/cases/{case.number}").json()
    assert detail["timeline"][0]["text"] == "您在网上提交了申请"
    clerk = get_user_model().objects.get(username="clerk")
    case_services.case_transition(actor=actor_of(clerk), number=case.number, action="request_correction")
    detail = c.get(f"/api/v1/my/cases/{case.number}").json()
    assert [m["code"] for m in detail["missing"]] == ["M02"]
    assert {d["kind"] for d in detail["documents"]} == {"correction_notice"}
    assert c.get(detail["documents"][0]["url"]).content.startswith(b"%PDF")
    inbox = c.get("/api/v1/my/inbox").json()
    assert any("户口簿" in n["body"] for n in inbox["items"])
    # supplement with a file (multipart), then the window accepts
    r = c.post(f"/api/v1/my/cases/{case.number}/supplement", {"file-M02": png()})
    assert r.status_code == 200, r.content
    r = c.post(f"/api/v1/my/cases/{case.number}/supplement", {"file-M02": b""})
    assert r.status_code == 422
    case_services.case_transition(
        actor=actor_of(clerk),
        number=case.number,
        action="supplement",
        materials=[{"code": "M02", "provided": True}],
    )
    assert c.get(f"/api/v1/my/cases/{case.number}").json()["state"] == State.ACCEPTED
    # another resident: 404
    other, _ = resident_client(PHONE_B, "其木格", ID_B)
    assert other.get(f"/api/v1/my/cases/{case.number}").status_code == 404
    assert other.post(f"/api/v1/my/cases/{case.number}/supplement", {"file-M02": png()}).status_code == 404
    assert other.get("/api/v1/my/cases").json()["count"] == 0


def test_staff_get_403_on_my_endpoints(online: Any, login: Any) -> None:
    c = login("clerk")
    r = c.get("/api/v1/my/cases")
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_a_resident"
