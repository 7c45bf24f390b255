"""Only the competent authority decides (the issue's scenario), decisions and refusals in writing with
their legal basis, and documents that name who really acted (department and person) from the timeline.
The full role × level × action matrix is ``test_authority_matrix.py``."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.cases import documents
from onewindow.cases.models import State
from onewindow.core.errors import Forbidden
from tests.cases.conftest import act, intake
from tests.cases.test_documents import pdf_text
from tests.factories import make_item, make_staff

BASIS = "《最低生活保障审核确认办法》第十条"


def _actions(client: Any, number: str, body: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/cases/{number}/actions", body, content_type="application/json")


def _head_a(world: dict[str, Any]) -> Any:
    return make_staff("head_a", "甲镇中心主任", world["ta"], ["centre_head"], centre=world["centres"]["a"])


def test_township_head_cannot_decide_a_county_bureau_case(world: Any, login: Any, today: Any) -> None:
    _head_a(world)
    case = intake()  # 低保: decided by the county 民政局, accepted at township A's centre
    for action, body in (("approve", {}), ("deny", {"reason": "不符合条件", "basis": BASIS})):
        r = _actions(login("head_a"), case.number, {"action": action, **body})
        assert r.status_code == 403, r.content
        assert r.json()["error"]["code"] == "forbidden"
        assert "测试旗民政局" in r.json()["error"]["message"]
    case.refresh_from_db()
    assert case.state == State.ACCEPTED and case.events.count() == 1
    # the API lists what each caller may do, by the same rule
    assert "approve" not in login("head_a").get(f"/api/v1/cases/{case.number}").json()["actions"]
    assert {"approve", "deny"} <= set(login("reviewer").get(f"/api/v1/cases/{case.number}").json()["actions"])
    # the competent reviewer decides, and the result notice names who really decided
    r = _actions(login("reviewer"), case.number, {"action": "approve", "note": "符合条件"})
    assert r.status_code == 200 and r.json()["state"] == "approved"
    event = case.events.order_by("-seq").first()
    assert event is not None and event.role == "reviewer" and event.data["department"] == "测试旗民政局"
    case.refresh_from_db()
    text = pdf_text(documents.case_document_pdf(case, "result"))
    assert "决定机关" in text and "测试旗民政局" in text and "决定人" in text and "审批员" in text


def test_head_buttons_follow_the_rule(world: Any, login: Any, today: Any) -> None:
    _head_a(world)
    make_staff(
        "countyhead", "旗中心主任", world["county"], ["centre_head"], centre=world["centres"]["county"]
    )
    case = intake()
    page = login("head_a").get(f"/cases/{case.number}/").content.decode()
    for action in ("approve", "deny", "escalate", "suspend", "assign", "extend"):
        assert f'value="{action}"' not in page, action
    assert 'value="withdraw"' in page  # window acts stay
    page = login("countyhead").get(f"/cases/{case.number}/").content.decode()
    assert 'value="assign"' in page and 'value="extend"' in page  # supervises the county's queue
    assert 'value="approve"' not in page and 'value="deny"' not in page
    with pytest.raises(Forbidden):
        act("countyhead", case, "approve")


def test_joint_item_centre_head_does_not_decide_for_the_departments(world: Any, today: Any) -> None:
    from onewindow.org.models import Department

    Department.objects.create(
        code="D-RS", name="测试旗人社局", short_name="人社", jurisdiction=world["county"]
    )
    make_item(
        "LB-001",
        "退休一件事联办",
        world["department"],
        world["domain"],
        type="joint",
        joint_departments=["D-RS"],
    )
    make_staff(
        "countyhead", "旗中心主任", world["county"], ["centre_head"], centre=world["centres"]["county"]
    )
    case = intake(item="LB-001")
    with pytest.raises(Forbidden):
        act("countyhead", case, "approve")  # used to decide the whole 联办件 at once
    case.refresh_from_db()
    assert case.state == State.ACCEPTED and not case.reviews.exclude(state="pending").exists()


def test_deny_needs_a_legal_basis(world: Any, login: Any, today: Any) -> None:
    case = intake()
    r = _actions(login("reviewer"), case.number, {"action": "deny", "reason": "家庭人均收入高于当地低保标准"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "reason_required"
    assert "basis" in r.json()["error"]["details"]
    case.refresh_from_db()
    assert case.state == State.ACCEPTED and case.events.count() == 1
    body = {"action": "deny", "reason": "家庭人均收入高于当地低保标准", "basis": BASIS}
    assert _actions(login("reviewer"), case.number, body).status_code == 200
    event = case.events.order_by("-seq").first()
    assert event is not None and event.data["basis"] == BASIS
    case.refresh_from_db()
    text = pdf_text(documents.case_document_pdf(case, "result"))
    assert "法律依据" in text and BASIS in text and "不予许可" in text


@pytest.mark.parametrize("channel", ["online", "proxy"])
def test_rejecting_a_submission_needs_a_legal_basis(world: Any, login: Any, today: Any, channel: str) -> None:
    case = intake(channel=channel)
    r = _actions(login("clerk"), case.number, {"action": "reject", "reason": "不属于本事项受理范围"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "reason_required"
    assert "basis" in r.json()["error"]["details"]
    case.refresh_from_db()
    assert case.state == State.SUBMITTED
    body = {"action": "reject", "reason": "不属于本事项受理范围", "basis": "《行政许可法》第三十二条"}
    r = _actions(login("clerk"), case.number, body)
    assert r.status_code == 200 and r.json()["notice"]["basis"] == "《行政许可法》第三十二条"
    case.refresh_from_db()
    text = pdf_text(documents.case_document_pdf(case, "rejection_notice"))
    assert "经办人" in text and "综窗甲" in text and "甲镇便民服务中心" in text


def test_deny_on_the_page_asks_for_the_basis(world: Any, login: Any, today: Any) -> None:
    case = intake()
    c = login("reviewer")
    r = c.post(f"/cases/{case.number}/actions/", {"action": "deny", "reason": "条件不符"})
    assert r.status_code == 200 and "不予许可须写明法律依据" in r.content.decode()
    case.refresh_from_db()
    assert case.state == State.ACCEPTED
    r = c.post(
        f"/cases/{case.number}/actions/",
        {"action": "deny", "reason": "条件不符", "basis": BASIS, "confirmed": "1"},
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.state == State.DENIED


def test_escalated_case_is_decided_by_the_upper_department(
    world: Any, today: Any, township_dept: Any
) -> None:
    make_item("MZ-009", "临时救助申请", township_dept, world["domain"], decide_level="township")
    make_staff("treviewer", "镇审批员", world["ta"], ["reviewer"], department=township_dept)
    case = intake(item="MZ-009")
    case = act("treviewer", case, "escalate", note="金额超出镇级权限")
    with pytest.raises(Forbidden):
        act("treviewer", case, "approve")  # no longer the township's matter
    case = act("reviewer", case, "approve")
    assert case.state == State.APPROVED
    text = pdf_text(documents.case_document_pdf(case, "result"))
    assert (
        "测试旗民政局" in text and "审批员" in text and "甲镇社会事务办" not in text.split("决定机关")[1][:40]
    )


def test_immediate_item_decided_at_the_window_names_the_window(world: Any, today: Any) -> None:
    make_item(
        "SB-001", "参保信息打印", world["department"], world["domain"], type="immediate", promised_days=0
    )
    case = intake(item="SB-001")
    assert case.state == State.APPROVED
    text = pdf_text(documents.case_document_pdf(case, "result"))
    assert "决定机关" in text and "甲镇便民服务中心" in text and "综窗甲" in text
    # the same 即办件 arriving online is decided at the accepting window, not by another centre's clerk
    make_staff("county_clerk", "旗综窗", world["county"], ["clerk"], centre=world["centres"]["county"])
    online = intake(item="SB-001", channel="online")
    online = act("clerk", online, "accept")
    with pytest.raises(Forbidden):
        act("county_clerk", online, "approve")
    assert act("clerk", online, "approve").state == State.APPROVED


def test_extension_notice_names_the_approving_head(world: Any, today: Any) -> None:
    make_staff(
        "countyhead", "旗中心主任", world["county"], ["centre_head"], centre=world["centres"]["county"]
    )
    make_staff(
        "mzhead", "民政局长", world["county"], ["dept_head"], department=world["department"], post="局长"
    )
    case = intake()
    # the centre head records it; the head of the deciding department approves (行政许可法 art. 42)
    case = act("countyhead", case, "extend", reason="情况复杂需实地核查", days=3, approver="mzhead")
    text = pdf_text(documents.case_document_pdf(case, "extension_notice"))
    assert "批准人" in text and "民政局长" in text
