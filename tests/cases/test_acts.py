"""The acts of the window clerk and the back office (issue 15): a legal act asks once and says what it
issues; a failed submit shows every error at the top; a supplement ticks what was received; the
timeline shows real state changes; the applicant is told of an extension, a suspension and its end."""

from __future__ import annotations

import re
from typing import Any

import pytest

from onewindow.cases.models import Case, CaseEvent, State
from onewindow.cases.services import case_resident_supplement
from onewindow.cases.views.confirm import CONFIRM_ACTIONS, preview
from onewindow.notify.models import Notification
from onewindow.org.actors import actor_of
from tests.cases.conftest import act, intake, workbench_data
from tests.cases.test_views import html
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

MISSING_BOTH = [{"code": "M01", "provided": False}, {"code": "M02", "provided": False}]


def online_case(**kw: Any) -> Case:
    """An application that arrived online: ``submitted``, waiting for the window's check."""
    return intake(channel="online", **kw)


def post(client: Any, case: Case, **data: str) -> Any:
    return client.post(f"/cases/{case.number}/actions/", data)


# ---- 1. confirm legal acts ----------------------------------------------------------------------


def test_one_time_notice_asks_first_and_names_what_it_issues(world: Any, login: Any, today: Any) -> None:
    case = online_case(materials=MISSING_BOTH)
    c = login("clerk")
    r = post(c, case, action="request_correction", **{"m-M02-note": "复印件不清晰"})
    body = html(r)
    assert r.status_code == 200 and 'id="confirm-step"' in body
    assert "将出具一次性告知书，共 2 项" in body
    assert "户口簿：材料不符合要求：复印件不清晰" in body and "居民身份证" in body
    # everything typed is posted again on 确认, with the confirmation field
    assert 'name="m-M02-note" value="复印件不清晰"' in body and 'name="confirmed" value="1"' in body
    case.refresh_from_db()
    assert case.state == State.SUBMITTED and case.events.count() == 1 and case.correction_count == 0
    r = post(c, case, action="request_correction", confirmed="1", **{"m-M02-note": "复印件不清晰"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.state == State.CORRECTION_NEEDED and len(case.notice["missing"]) == 2


def test_back_from_the_confirmation_keeps_what_was_typed_and_acts_not(
    world: Any, login: Any, today: Any
) -> None:
    case = online_case(materials=MISSING_BOTH)
    c = login("clerk")
    r = post(
        c, case, action="reject", reason="不属于本中心受理范围", basis="《行政许可法》第三十二条", back="1"
    )
    body = html(r)
    assert r.status_code == 200 and 'id="confirm-step"' not in body and 'id="action-reject"' in body
    assert "不属于本中心受理范围" in body and "《行政许可法》第三十二条" in body
    case.refresh_from_db()
    assert case.state == State.SUBMITTED


@pytest.mark.parametrize(
    ("action", "data", "headline"),
    [
        ("accept", {"m-M01-provided": "1", "m-M02-provided": "1"}, "将受理本件，出具受理回执"),
        ("reject", {"reason": "超出范围", "basis": "第三十二条"}, "将出具不予受理通知书"),
    ],
)
def test_window_acts_on_an_online_application_ask_first(
    world: Any, login: Any, today: Any, action: str, data: dict[str, str], headline: str
) -> None:
    case = online_case(materials=MISSING_BOTH)
    c = login("clerk")
    r = post(c, case, action=action, **data)
    assert r.status_code == 200 and headline in html(r)
    assert Case.objects.get(pk=case.pk).state == State.SUBMITTED
    assert post(c, case, action=action, confirmed="1", **data).status_code == 302
    assert Case.objects.get(pk=case.pk).state != State.SUBMITTED


def test_an_act_the_service_refuses_is_not_asked_but_refused(world: Any, login: Any, today: Any) -> None:
    case = online_case(materials=MISSING_BOTH)
    c = login("clerk")
    r = post(c, case, action="accept")  # required materials missing: no question, the refusal
    assert r.status_code == 200 and 'id="confirm-step"' not in html(r)
    assert "仍有必需材料未提交" in html(r)


def test_back_office_acts_ask_first(world: Any, login: Any, today: Any) -> None:
    case = intake()
    c = login("reviewer")
    for action, data, headline in [
        ("suspend", {"reason": "需专家评审"}, "将中止办理并出具中止办理告知书"),
        ("deny", {"reason": "条件不符", "basis": "《最低生活保障审核确认办法》第九条"}, "将作出不予许可决定"),
        ("approve", {"note": "符合条件"}, "将作出准予许可决定"),
    ]:
        r = post(c, case, action=action, **data)
        assert r.status_code == 200 and headline in html(r), action
        assert Case.objects.get(pk=case.pk).state == State.ACCEPTED
    assert "中止理由：需专家评审" in html(post(c, case, action="suspend", reason="需专家评审"))


def test_every_confirmed_act_has_a_preview(world: Any, today: Any) -> None:
    case = intake()
    data = {"reason": "理由", "basis": "依据", "note": "", "to": "window", "signed_by": "巴特尔"}
    for action in sorted(CONFIRM_ACTIONS - {"accept", "request_correction", "supplement"}):
        asked = preview(case, action, data, None)
        assert asked is not None and asked.headline.startswith("将"), action
    assert "测试旗民政局" in preview(case, "escalate", {}, None).headline  # type: ignore[union-attr]
    assert preview(case, "assign", {}, None) is None  # not a legal act: one click


def test_the_page_carries_the_dialog_and_the_confirmation_marks(world: Any, login: Any, today: Any) -> None:
    case = online_case(materials=MISSING_BOTH)
    body = html(login("clerk").get(f"/cases/{case.number}/"))
    assert '<dialog id="act-confirm"' in body and "cases/cases.js" in body
    assert 'data-notice="将出具一次性告知书，共 {n} 项"' in body
    form = re.search(r'<form[^>]*id="action-request_correction"[^>]*>', body)
    assert form is not None and 'data-act-confirm="request_correction"' in form.group(0)
    withdraw = re.search(r'<form[^>]*id="action-withdraw"[^>]*>', body)
    assert withdraw is not None and "data-act-confirm" not in withdraw.group(0)


def test_another_townships_clerk_can_neither_be_asked_nor_act(world: Any, login: Any, today: Any) -> None:
    case = online_case(materials=MISSING_BOTH)
    c = login("outsider")
    for data in (
        {"action": "request_correction"},
        {"action": "request_correction", "confirmed": "1"},
        {"action": "reject", "reason": "x", "basis": "y"},
        {"action": "reject", "reason": "x", "basis": "y", "confirmed": "1"},
    ):
        r = c.post(f"/cases/{case.number}/actions/", data)
        assert r.status_code == 404 and "将出具" not in html(r)
    accepted = intake()
    for data in ({"action": "approve"}, {"action": "approve", "confirmed": "1"}):
        assert c.post(f"/cases/{accepted.number}/actions/", data).status_code == 404
    assert Case.objects.get(pk=case.pk).state == State.SUBMITTED and case.events.count() == 1
    assert Case.objects.get(pk=accepted.pk).state == State.ACCEPTED


def test_a_clerk_cannot_decide_even_through_the_confirmation_step(world: Any, login: Any, today: Any) -> None:
    case = intake()
    for data in ({"action": "deny", "reason": "x", "basis": "y"}, {"action": "approve"}):
        r = login("clerk").post(f"/cases/{case.number}/actions/", data)
        assert r.status_code == 403 and "将作出" not in html(r)
    assert Case.objects.get(pk=case.pk).state == State.ACCEPTED


# ---- the workbench ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "headline"),
    [
        ({}, "将受理本件，出具受理回执"),
        ({"m-M01-provided": None, "m-M02-provided": None}, "将出具一次性告知书，共 2 项"),
        (
            {"outcome": "reject", "r-reason": "户籍不在本辖区", "r-basis": "审核确认办法第九条"},
            "将出具不予受理通知书",
        ),
    ],
)
def test_workbench_asks_once_before_taking_the_application_in(
    world: Any, login: Any, data: dict[str, Any], headline: str
) -> None:
    c = login("clerk")
    r = c.post("/cases/new/", workbench_data(confirmed=None, **data))
    body = html(r)
    assert r.status_code == 200 and 'id="confirm-step"' in body and headline in body
    assert Case.objects.count() == 0
    posted = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', body))
    assert posted["confirmed" if "confirmed" in posted else "a-name"] and posted["a-name"] == "巴特尔"
    assert 'name="confirmed" value="1"' in body
    r = c.post("/cases/new/", workbench_data(**data))
    assert r.status_code == 302 and Case.objects.count() == 1


def test_workbench_shows_every_error_at_once_in_a_summary(world: Any, login: Any) -> None:
    c = login("clerk")
    r = c.post(
        "/cases/new/",
        workbench_data(
            confirmed=None, **{"a-name": "", "a-id_number": "12345", "a-phone": "", "f-reason": ""}
        ),
    )
    body = html(r)
    assert r.status_code == 200 and Case.objects.count() == 0 and 'id="confirm-step"' not in body
    summary = body[body.index('id="error-summary"') : body.index("</div>", body.index('id="error-summary"'))]
    assert 'role="alert"' in body[body.index('<div class="error-summary"') :][:200]
    assert "请修改以下 4 处" in summary
    for href, text in [
        ("#id_a-name", "请填写申请人姓名或名称"),
        ("#id_a-id_number", "身份证号应为18位"),
        ("#id_a-phone", "请填写联系电话"),
        ("#id_f-reason", "请填写「申请事由」"),
    ]:
        assert f'href="{href}"' in summary and text in summary, href
    # the summary comes before the forms, and each field in error is marked for the focus script
    assert body.index('id="error-summary"') < body.index('id="find-h"')
    assert len(re.findall(r'aria-invalid="true"', body)) >= 4


def test_workbench_reject_without_reason_names_both_fields(world: Any, login: Any) -> None:
    r = login("clerk").post("/cases/new/", workbench_data(outcome="reject", confirmed=None))
    body = html(r)
    summary = body[body.index('id="error-summary"') :][:2000]
    assert "请写明不予受理理由" in summary and "请写明不予受理的法律依据" in summary
    assert 'href="#id_r-reason"' in summary and 'href="#id_r-basis"' in summary


def test_detail_page_error_summary_links_to_the_act_fields(world: Any, login: Any, today: Any) -> None:
    case = intake()
    r = post(login("reviewer"), case, action="deny")
    body = html(r)
    summary = body[body.index('id="error-summary"') :][:1500]
    assert 'href="#deny-reason"' in summary and 'href="#deny-basis"' in summary
    assert 'id="deny-reason"' in body and 'aria-invalid="true"' in body
    r = post(login("clerk"), intake(), action="deliver")  # accepted: the form is checked first
    assert "请选择送达方式" in html(r)


# ---- 3. the supplement and the timeline ---------------------------------------------------------


def test_window_supplement_ticks_the_material_and_clears_the_stale_remark(
    world: Any, login: Any, today: Any
) -> None:
    case = intake(
        materials=[
            {"code": "M01", "provided": True},
            {"code": "M02", "provided": False, "note": "未带户口簿"},
        ]
    )
    assert case.materials[1]["note"] == "未带户口簿"
    c = login("clerk")
    # the form shows the old remark; the clerk ticks the box and leaves the remark as it was
    data = {"action": "supplement", "m-M01-provided": "1", "m-M02-provided": "1", "m-M02-note": "未带户口簿"}
    assert post(c, case, confirmed="1", **data).status_code == 302
    case.refresh_from_db()
    assert case.state == State.ACCEPTED
    assert [(m["code"], m["provided"], m["note"]) for m in case.materials] == [
        ("M01", True, ""),
        ("M02", True, ""),
    ]
    page = html(c.get(f"/cases/{case.number}/"))
    assert "未带户口簿" not in page.split('id="mat-h"')[1].split("</table>")[0]
    assert "已补正" in page


def test_online_supplement_is_ticked_on_the_case_for_the_window(world: Any, login: Any, today: Any) -> None:
    from tests.portal.resident_helpers import ID_A, PHONE_A, sign_up

    account = sign_up(PHONE_A, "巴特尔", ID_A)
    given = [{"code": "M01", "provided": True}, {"code": "M02", "provided": False, "note": "缺"}]
    case = online_case(materials=given)
    act("clerk", case, "request_correction", materials=given)
    assert account.resident_id == case.applicant_id
    case_resident_supplement(
        actor=actor_of(account.user), number=case.number, materials=[{"code": "M02", "provided": True}]
    )
    page = html(login("clerk").get(f"/cases/{case.number}/"))
    form = page[page.index('id="action-supplement"') :]
    form = form[: form.index("</form>")]
    assert re.search(r'name="m-M02-provided" value="1" checked', form)
    assert 'name="m-M02-note" value=""' in form and "网上已补正" in form
    assert "网上已补正，待核验" in page


def test_timeline_shows_real_state_changes_only(world: Any, login: Any, today: Any) -> None:
    make_staff(
        "mzhead", "民政局长", world["county"], ["dept_head"], department=world["department"], post="局长"
    )
    case = intake()
    act("mzhead", case, "extend", reason="情况复杂", days=3)
    act("reviewer", case, "assign")
    page = html(login("reviewer").get(f"/cases/{case.number}/"))
    timeline = page[page.index('<table class="timeline"') :]
    assert "已受理 → 已受理" not in timeline
    assert "状态未变（已受理）" in timeline  # the extension: the same state, said so
    assert "已受理 → 审查中" in timeline  # a real change still reads as one


# ---- 5. the applicant is told -------------------------------------------------------------------


def test_applicant_is_told_of_extension_suspension_and_resumption(world: Any, today: Any) -> None:
    make_staff(
        "mzhead", "民政局长", world["county"], ["dept_head"], department=world["department"], post="局长"
    )
    case = intake()
    act("mzhead", case, "extend", reason="需入户核查", days=5)
    case.refresh_from_db()
    sms = Notification.objects.get(case_number=case.number, template="extended", channel="sms")
    assert sms.recipient == "13912345678"
    for part in ("需入户核查", "民政局长（局长）批准", "5 个工作日", case.deadline.isoformat(), case.number):
        assert part in sms.body, part
    act("reviewer", case, "suspend", reason="专家评审")
    sms = Notification.objects.get(case_number=case.number, template="suspended", channel="sms")
    assert "因专家评审中止办理" in sms.body and "不计入办理期限" in sms.body
    act("reviewer", case, "resume")
    case.refresh_from_db()
    sms = Notification.objects.get(case_number=case.number, template="resumed", channel="sms")
    assert "已恢复办理" in sms.body and case.deadline.isoformat() in sms.body
    # nothing else was sent for these acts (no state-change text of 办理中)
    templates = list(Notification.objects.filter(case_number=case.number).values_list("template", flat=True))
    assert sorted(templates) == ["accepted", "extended", "resumed", "suspended"]
    assert CaseEvent.objects.filter(case=case, action="resume").get().state_to == State.IN_REVIEW
