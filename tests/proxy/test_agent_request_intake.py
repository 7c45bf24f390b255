"""API.md: ``POST /api/v1/cases`` with ``agent_request`` takes a village agent's request in at the window."""

from __future__ import annotations

from typing import Any

from onewindow.cases.models import Case
from onewindow.proxy.models import ProxyRequest
from tests.proxy.conftest import applicant, entrust, png_bytes


def _submitted_request(agent: Any) -> int:
    ent = entrust(agent).json()
    files = [agent.upload(png_bytes((60, 40), c), f"{c}.png").json()["id"] for c in ("red", "blue")]
    body = {
        "entrustment": ent["id"],
        "item": "MZ-001",
        "materials": [
            {"code": "M01", "provided": True, "paper_held": True, "files": [files[0]]},
            {"code": "M02", "provided": True, "paper_held": False, "files": [files[1]]},
        ],
        "form": {"reason": "家庭困难"},
    }
    r = agent.post("/proxy/requests", body)
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert agent.action(pk, "submit").json()["state"] == "submitted"
    return int(pk)


def _case_body(pk: int, **kw: Any) -> dict[str, Any]:
    body = {
        "item": "MZ-001",
        "channel": "proxy",
        "centre": "C-A",
        "applicant": applicant(),
        "materials": [{"code": "M01", "provided": True}, {"code": "M02", "provided": True}],
        "agent_request": pk,
    }
    body.update(kw)
    return body


def test_window_takes_in_an_agent_request(proxy_world: dict[str, Any], as_user: Any) -> None:
    agent, clerk = as_user("agent"), as_user("clerk")
    pk = _submitted_request(agent)

    r = clerk.post("/cases", _case_body(pk, item="MZ-002"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "agent_request_mismatch"
    r = clerk.post("/cases", _case_body(pk, centre="C-COUNTY"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "agent_request_mismatch"
    assert not Case.objects.exists()

    r = clerk.post("/cases", _case_body(pk))
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["state"] == "accepted" and out["deadline"]
    case = Case.objects.get(number=out["number"])
    assert case.channel == "proxy"
    req = ProxyRequest.objects.get(pk=pk)
    assert req.state == "passed" and req.case_id == case.pk

    # the same request cannot be taken in twice
    r = clerk.post("/cases", _case_body(pk))
    assert r.status_code == 409
    assert Case.objects.count() == 1


def test_agent_request_outside_jurisdiction_is_404(proxy_world: dict[str, Any], as_user: Any) -> None:
    pk = _submitted_request(as_user("agent"))
    r = as_user("outsider").post("/cases", _case_body(pk, centre="C-B"))
    assert r.status_code == 404
    assert not Case.objects.exists()
