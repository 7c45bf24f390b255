"""The staff pages of the case lifecycle and the public progress page, through HTTP."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

from onewindow.cases.models import Case, CaseEvent, State
from onewindow.org.actors import actor_of
from onewindow.org.models import Resident, Window
from onewindow.privacy.identifiers import id_check_digit
from onewindow.privacy.models import PersonalDataAccess
from tests.cases.conftest import GOOD_ID, act, applicant, intake, workbench_data
from tests.conftest import otp_verify_session

D = dt.date.fromisoformat


def id_number(seq: int) -> str:
    first17 = f"15010219900101{seq:03d}"
    return first17 + id_check_digit(first17)


def html(response: Any) -> str:
    return str(response.content.decode())


# ---- workbench -----------------------------------------------------------------------------------


def test_workbench_search_and_item_partial(world: Any, login: Any) -> None:
    c = login("clerk")
    page = c.get("/cases/new/")
    assert page.status_code == 200 and "查找事项" in html(page) and "甲镇便民服务中心" in html(page)
    # live results by pinyin initials, as an htmx fragment
    r = c.get("/cases/new/?q=dbsq", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="item-results")
    body = html(r)
    assert r.status_code == 200 and "最低生活保障申请" in body and "高龄津贴申请" not in body
    assert "<html" not in body and 'id="item-results"' in body
    # selecting loads the item's form fields and checklist
    r = c.get("/cases/new/?item=MZ-001", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="item-panel")
    body = html(r)
    assert "<html" not in body and 'id="item-panel"' in body
    assert 'name="f-reason"' in body and "申请事由" in body
    assert 'name="m-M01-provided"' in body and "居民身份证" in body and "户口簿" in body
    # without htmx the same URL gives the whole page
    assert "<html" in html(c.get("/cases/new/?item=MZ-001"))


def test_workbench_accepts_with_all_materials(world: Any, login: Any, today: Any) -> None:
    c = login("clerk")
    r = c.post("/cases/new/", workbench_data())
    case = Case.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/cases/{case.number}/outcome/"
    assert case.state == State.ACCEPTED and case.deadline == D("2026-10-19")
    assert case.centre == world["centres"]["a"] and case.form_data == {"reason": "家庭困难"}
    page = html(c.get(r["Location"]))
    assert "已受理" in page and case.number in page and "2026年10月19日" in page
    assert f"/cases/{case.number}/receipt.pdf" in page
    assert "correction_notice.pdf" not in page


def test_workbench_correction_needed_lists_every_missing_material(world: Any, login: Any, today: Any) -> None:
    c = login("clerk")
    r = c.post(
        "/cases/new/",
        workbench_data(**{"m-M01-provided": None, "m-M02-provided": None, "m-M02-note": "复印件不清晰"}),
    )
    case = Case.objects.get()
    assert r.status_code == 302 and case.state == State.CORRECTION_NEEDED
    assert [m["code"] for m in case.notice["missing"]] == ["M01", "M02"]
    page = html(c.get(r["Location"]))
    assert "需补正" in page and "居民身份证" in page and "户口簿" in page and "复印件不清晰" in page
    assert f"/cases/{case.number}/correction_notice.pdf" in page
    assert "receipt.pdf" not in page


@pytest.mark.parametrize(
    ("override", "message", "field"),
    [
        ({"a-id_number": "110105194912310021"}, "身份证号校验位错误", "a-id_number"),
        ({"a-id_number": "12345"}, "身份证号应为18位", "a-id_number"),
        ({"a-phone": "12345"}, "手机", "a-phone"),
        ({"a-name": ""}, "请填写申请人姓名或名称", "a-name"),
        ({"f-reason": ""}, "请填写「申请事由」", "f-reason"),
    ],
)
def test_workbench_bad_input_shows_chinese_error_and_saves_nothing(
    world: Any, login: Any, override: dict[str, str], message: str, field: str
) -> None:
    c = login("clerk")
    r = c.post("/cases/new/", workbench_data(**override))
    body = html(r)
    assert r.status_code == 200
    assert message in body
    # the message sits next to its field, and the typed values are kept
    start = body.index(f'name="{field}"')
    assert message in body[start : start + 600]
    assert "巴特尔" in body or field == "a-name"
    assert "必填项" not in body  # the 不予受理 fields are not checked on the accept path
    assert Case.objects.count() == 0 and Resident.objects.count() == 0 and CaseEvent.objects.count() == 0


def test_workbench_reject_needs_reason_and_basis(world: Any, login: Any) -> None:
    c = login("clerk")
    r = c.post("/cases/new/", workbench_data(outcome="reject", **{"r-reason": "不属于本事项受理范围"}))
    assert r.status_code == 200 and "r-basis" in html(r) and Case.objects.count() == 0
    r = c.post(
        "/cases/new/",
        workbench_data(
            outcome="reject",
            **{"r-reason": "申请人户籍不在本辖区", "r-basis": "《最低生活保障审核确认办法》第九条"},
        ),
    )
    case = Case.objects.get()
    assert r.status_code == 302 and case.state == State.NOT_ACCEPTED
    assert case.notice == {
        "kind": "rejection",
        "reason": "申请人户籍不在本辖区",
        "basis": "《最低生活保障审核确认办法》第九条",
    }
    page = html(c.get(r["Location"]))
    assert "不予受理" in page and "rejection_notice.pdf" in page


def test_workbench_only_for_window_staff(world: Any, client: Client, login: Any) -> None:
    r = client.get("/cases/new/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    assert login("reviewer").get("/cases/new/").status_code == 403
    assert login("reviewer").post("/cases/new/", workbench_data()).status_code == 403
    assert Case.objects.count() == 0


# ---- the window the clerk sits at ---------------------------------------------------------------


def test_workbench_records_default_window_on_case_and_timeline(world: Any, login: Any, today: Any) -> None:
    first = Window.objects.get(centre=world["centres"]["a"], number=1)
    Window.objects.create(centre=world["centres"]["a"], number=2, name="帮办代办", kind="proxy")
    c = login("clerk")
    page = html(c.get("/cases/new/"))
    assert f'<option value="{first.pk}" selected>' in page  # default: the first comprehensive window
    r = c.post("/cases/new/", workbench_data())  # no window posted: the current one is used
    case = Case.objects.get()
    assert r.status_code == 302 and case.window == first
    assert case.events.get().window == first
    outcome = html(c.get(r["Location"]))
    assert "1号窗口 综合受理" in outcome
    detail = html(c.get(f"/cases/{case.number}/"))
    assert "受理窗口" in detail and "1号窗口 综合受理" in detail


def test_workbench_window_picker_is_remembered_and_limited_to_own_centre(
    world: Any, login: Any, today: Any
) -> None:
    ca, cb = world["centres"]["a"], world["centres"]["b"]
    proxy = Window.objects.create(centre=ca, number=2, name="帮办代办", kind="proxy")
    domain = Window.objects.create(centre=ca, number=3, name="社保专窗", kind="domain")
    other = Window.objects.get(centre=cb, number=1)
    c = login("clerk")
    page = html(c.get("/cases/new/"))
    assert f'value="{proxy.pk}"' in page and "帮办代办（帮办代办）" in page
    assert f'<option value="{domain.pk}"' not in page and f'<option value="{other.pk}"' not in page

    # pick the proxy window: remembered in the session, the chosen item kept
    r = c.post("/cases/new/", {"outcome": "window", "window": str(proxy.pk), "item": "MZ-001"})
    assert r.status_code == 302 and r["Location"] == "/cases/new/?item=MZ-001"
    page = html(c.get(r["Location"]))
    assert f'<option value="{proxy.pk}" selected>' in page and "当前窗口：2号窗口 帮办代办" in page
    assert f'<input type="hidden" name="window" value="{proxy.pk}">' in page

    # a window of another centre or of another kind is refused; the choice stays
    for bad in (other, domain):
        r = c.post("/cases/new/", {"outcome": "window", "window": str(bad.pk)}, follow=True)
        assert "所选窗口不属于本中心的综合受理或帮办代办窗口" in html(r)
        assert f'<option value="{proxy.pk}" selected>' in html(r)
    r = c.post("/cases/new/", workbench_data(window=str(other.pk)))
    assert r.status_code == 200 and "所选窗口不属于本中心" in html(r)
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0

    # the remembered window goes to the case and its timeline
    r = c.post("/cases/new/", workbench_data())
    case = Case.objects.get()
    assert r.status_code == 302 and case.window == proxy and case.events.get().window == proxy
    assert "2号窗口 帮办代办" in html(c.get(r["Location"]))
    detail = html(c.get(f"/cases/{case.number}/"))
    row = detail[detail.index('class="timeline"') :]
    assert "甲镇便民服务中心" in row and "2号窗口 帮办代办" in row

    # posting the window shown on the form wins over the session, and becomes the remembered one
    first = Window.objects.get(centre=ca, number=1)
    r = c.post("/cases/new/", workbench_data(window=str(first.pk), **{"a-id_number": id_number(7)}))
    assert r.status_code == 302 and Case.objects.order_by("-pk").first().window == first  # type: ignore[union-attr]
    assert f'<option value="{first.pk}" selected>' in html(c.get("/cases/new/"))


# ---- detail and actions --------------------------------------------------------------------------


def test_detail_shows_case_timeline_and_full_data_only_to_handlers(
    world: Any, login: Any, today: Any
) -> None:
    case = intake()
    before = PersonalDataAccess.objects.count()
    page = html(login("clerk").get(f"/cases/{case.number}/"))
    assert case.number in page and "最低生活保障申请" in page and "第1版" in page
    assert "已受理" in page and "2026-10-19" in page
    # the handler sees the applicant in full, and the view is logged
    assert GOOD_ID in page and "13912345678" in page
    assert PersonalDataAccess.objects.count() == before + 1
    # timeline: time in Asia/Shanghai, action, who, role, centre
    ev = case.events.get()
    local = ev.at.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")
    assert local in page
    for text in ("受理", "综窗甲", "综窗人员", "甲镇便民服务中心"):
        assert text in page
    assert "receipt.pdf" in page
    # a supervisor of the county sees the case, masked, and no full view is logged
    page = html(login("supervisor").get(f"/cases/{case.number}/"))
    assert GOOD_ID not in page and "1101**********002X" in page and "巴**" in page
    assert PersonalDataAccess.objects.count() == before + 1


def test_detail_offers_only_allowed_actions(world: Any, login: Any, today: Any) -> None:
    case = intake()
    clerk_page = html(login("clerk").get(f"/cases/{case.number}/"))
    assert 'value="withdraw"' in clerk_page
    assert 'value="approve"' not in clerk_page and 'value="assign"' not in clerk_page
    reviewer_page = html(login("reviewer").get(f"/cases/{case.number}/"))
    for action in ("assign", "approve", "deny", "suspend", "escalate"):
        assert f'value="{action}"' in reviewer_page
    assert 'value="withdraw"' not in reviewer_page and 'value="extend"' not in reviewer_page


def test_actions_through_the_detail_page(world: Any, login: Any, today: Any) -> None:
    case = intake(materials=[{"code": "M01", "provided": True}, {"code": "M02", "provided": False}])
    c = login("clerk")
    url = f"/cases/{case.number}/actions/"
    data = {"action": "supplement", "m-M01-provided": "1", "m-M02-provided": "1"}
    r = c.post(url, data)  # asks first: what will be issued
    assert r.status_code == 200 and "将受理本件，出具受理回执" in html(r) and 'name="confirmed"' in html(r)
    case.refresh_from_db()
    assert case.state == State.CORRECTION_NEEDED
    r = c.post(url, {**data, "confirmed": "1"})
    assert r.status_code == 302 and r["Location"] == f"/cases/{case.number}/"
    case.refresh_from_db()
    assert case.state == State.ACCEPTED and case.accept_date == D("2026-09-29")
    assert "已完成「补正后受理」" in html(c.get(r["Location"]))

    c = login("reviewer")
    # deny without a reason: Chinese message next to the field, nothing changes
    r = c.post(url, {"action": "deny"})
    body = html(r)
    assert r.status_code == 200 and "「不予许可」须写明理由" in body
    start = body.index('id="action-deny"')
    assert "须写明理由" in body[start : start + 1500]
    case.refresh_from_db()
    assert case.state == State.ACCEPTED and case.events.count() == 2
    assert c.post(url, {"action": "assign"}).status_code == 302
    r = c.post(url, {"action": "approve", "note": "符合低保条件"})
    assert r.status_code == 200 and "将作出准予许可决定" in html(r)
    assert c.post(url, {"action": "approve", "note": "符合低保条件", "confirmed": "1"}).status_code == 302
    case.refresh_from_db()
    assert case.state == State.APPROVED and case.decision_reason == "符合低保条件"

    c = login("clerk")
    assert c.post(url, {"action": "ready"}).status_code == 302
    r = c.post(url, {"action": "deliver", "to": "window"})
    assert r.status_code == 200 and "请填写签收人" in html(r)
    case.refresh_from_db()
    assert case.state == State.READY
    deliver = {"action": "deliver", "to": "window", "signed_by": "巴特尔"}
    r = c.post(url, deliver)
    assert r.status_code == 200 and "将送达办理结果通知书（窗口领取，签收人 巴特尔），本件办结" in html(r)
    assert c.post(url, {**deliver, "confirmed": "1"}).status_code == 302
    case.refresh_from_db()
    assert case.state == State.DELIVERED and case.signed_by == "巴特尔"
    page = html(c.get(f"/cases/{case.number}/"))
    assert "签收人：巴特尔" in page and "result.pdf" in page
    assert [e.action for e in case.events.order_by("seq")] == [
        "request_correction",
        "supplement",
        "assign",
        "approve",
        "ready",
        "deliver",
    ]


def test_action_not_allowed_in_state_shows_message(world: Any, login: Any, today: Any) -> None:
    case = intake()
    deliver = {"action": "deliver", "to": "window", "signed_by": "巴特尔"}
    for data in (deliver, {**deliver, "confirmed": "1"}):  # the confirmation step refuses it alike
        r = login("clerk").post(f"/cases/{case.number}/actions/", data)
        assert r.status_code == 200 and "不能执行「送达签收」" in html(r)
    for data in ({"action": "approve"}, {"action": "approve", "confirmed": "1"}):
        r = login("clerk").post(f"/cases/{case.number}/actions/", data)
        assert r.status_code == 403 and "「准予」由审批部门（测试旗民政局）的审批人员决定" in html(r)
    case.refresh_from_db()
    assert case.state == State.ACCEPTED and case.events.count() == 1


def test_reject_on_detail_needs_basis(world: Any, login: Any, today: Any) -> None:
    case = intake(materials=[{"code": "M01", "provided": False}])
    c = login("clerk")
    url = f"/cases/{case.number}/actions/"
    r = c.post(url, {"action": "reject", "reason": "逾期未补正"})
    assert r.status_code == 200 and "不予受理须写明法律依据" in html(r)
    data = {"action": "reject", "reason": "逾期未补正", "basis": "《行政许可法》第三十二条"}
    r = c.post(url, data)
    assert (
        r.status_code == 200
        and "将出具不予受理通知书" in html(r)
        and "法律依据：《行政许可法》第三十二条" in html(r)
    )
    case.refresh_from_db()
    assert case.state == State.CORRECTION_NEEDED
    r = c.post(url, {**data, "confirmed": "1"})
    case.refresh_from_db()
    assert r.status_code == 302 and case.state == State.NOT_ACCEPTED
    assert case.notice["basis"] == "《行政许可法》第三十二条"


def test_outsider_gets_404_on_detail_actions_and_pdf(world: Any, login: Any, today: Any) -> None:
    case = intake()
    c = login("outsider")
    assert c.get(f"/cases/{case.number}/").status_code == 404
    assert c.get(f"/cases/{case.number}/outcome/").status_code == 404
    assert c.get(f"/cases/{case.number}/receipt.pdf").status_code == 404
    assert c.post(f"/cases/{case.number}/actions/", {"action": "withdraw"}).status_code == 404
    case.refresh_from_db()
    assert case.state == State.ACCEPTED
    assert case.number not in html(c.get("/cases/"))
    assert login("clerk").get("/cases/nope/").status_code == 404


# ---- queues and lists ----------------------------------------------------------------------------


def test_reviewer_queue_and_output_window(world: Any, login: Any, today: Any) -> None:
    accepted = intake()
    waiting = intake(
        applicant=applicant(id_number=id_number(123), name="其其格"),
        materials=[{"code": "M01", "provided": False}],
    )
    page = html(login("reviewer").get("/cases/queue/"))
    assert accepted.number in page and waiting.number not in page and "测试旗民政局" in page
    assert "巴**" in page and "巴特尔" not in page  # lists are masked
    assert login("outsider").get("/cases/queue/").status_code == 403

    act("reviewer", accepted, "approve")
    assert accepted.number not in html(login("reviewer").get("/cases/queue/"))
    out = html(login("clerk").get("/cases/output/"))
    assert accepted.number in out and "统一出件" in out
    act("clerk", accepted, "ready")
    out = html(login("clerk").get("/cases/output/"))
    assert accepted.number in out and "送达签收" in out
    assert accepted.number not in html(login("outsider").get("/cases/output/"))


def test_case_list_filters_and_paginates(world: Any, login: Any, today: Any) -> None:
    a = intake()
    b = intake(
        applicant=applicant(id_number=id_number(123), name="其其格"),
        materials=[{"code": "M01", "provided": False}],
    )
    c = login("clerk")
    page = html(c.get("/cases/"))
    assert a.number in page and b.number in page
    page = html(c.get("/cases/?state=correction_needed"))
    assert b.number in page and a.number not in page
    page = html(c.get("/cases/?item=MZ-002"))
    assert a.number not in page and b.number not in page
    frag = html(c.get("/cases/?state=accepted", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"))
    assert "<html" not in frag and a.number in frag and b.number not in frag
    with mock.patch("onewindow.cases.views.common.PAGE_SIZE", 1):
        first, second = html(c.get("/cases/")), html(c.get("/cases/?page=2"))
    assert "第 1 / 2 页" in first and "第 2 / 2 页" in second
    assert (a.number in first) != (a.number in second)


def test_warning_board_shows_yellow_and_red_with_holder(world: Any, login: Any, today: Any) -> None:
    red = intake()  # deadline 2026-10-19
    act("reviewer", red, "assign")
    today.return_value = D("2026-10-09")
    yellow = intake(applicant=applicant(id_number=id_number(123), name="其其格"))
    fine = intake(applicant=applicant(id_number=id_number(125), name="乌云"))
    today.return_value = D("2026-10-21")  # red: 2 working days overdue
    yellow.deadline = D("2026-10-22")
    fine.deadline = D("2026-11-30")
    Case.objects.filter(pk=yellow.pk).update(deadline=yellow.deadline)
    Case.objects.filter(pk=fine.pk).update(deadline=fine.deadline)
    page = html(login("supervisor").get("/cases/warnings/"))
    assert red.number in page and yellow.number in page and fine.number not in page
    assert page.index(red.number) < page.index(yellow.number)  # red first
    row = page[page.index(red.number) :]
    row = row[: row.index("</tr>")]
    assert "2026-10-19" in row and "<td>2</td>" in row and "测试旗民政局" in row and "审批员" in row
    assert "红牌超期 1 件" in page and "黄牌预警 1 件" in page
    assert login("clerk").get("/cases/warnings/").status_code == 403


# ---- public progress -----------------------------------------------------------------------------


@pytest.fixture
def fresh_rate_limits() -> Any:
    cache.clear()
    yield
    cache.clear()


def test_progress_page_without_personal_data(
    world: Any, client: Client, today: Any, fresh_rate_limits: Any
) -> None:
    case = intake()
    act("reviewer", case, "approve")
    act("clerk", case, "ready")
    act("clerk", case, "deliver", to="window", signed_by="巴特尔")
    assert "办件编号" in html(client.get("/progress/"))
    r = client.get("/progress/", {"number": case.number, "check": "002x"})
    body = html(r)
    assert r.status_code == 200
    assert "已办结" in body and "最低生活保障申请" in body and "甲镇便民服务中心" in body
    assert "2026年10月19日" in body and "送达签收" in body
    for secret in ("巴特尔", "巴**", GOOD_ID, "1101**", "13912345678", "甲镇一嘎查3组", "综窗甲", "审批员"):
        assert secret not in body
    # the phone's last 4 digits work too
    assert "已办结" in html(client.get("/progress/", {"number": case.number, "check": "5678"}))


def test_progress_wrong_check_equals_unknown_number(
    world: Any, client: Client, today: Any, fresh_rate_limits: Any
) -> None:
    case = intake()
    wrong = client.get("/progress/", {"number": case.number, "check": "9999"})
    unknown = client.get("/progress/", {"number": "152522202609290999", "check": "002X"})
    assert wrong.status_code == unknown.status_code == 404
    message = "未找到该办件，请核对办件编号和校验码"
    assert message in html(wrong) and message in html(unknown)
    assert "最低生活保障申请" not in html(wrong)

    def main(r: Any, number: str, check: str) -> str:
        body = html(r)
        return body[body.index("<main") : body.index("</main>")].replace(number, "").replace(check, "")

    assert main(wrong, case.number, "9999") == main(unknown, "152522202609290999", "002X")


def test_progress_is_rate_limited(
    world: Any, client: Client, today: Any, fresh_rate_limits: Any, settings: Any
) -> None:
    case = intake()
    settings.PROGRESS_RATE_LIMIT = 2  # the page and the API (PROGRESS_RATE_LIMIT, README)
    assert client.get("/progress/", {"number": case.number, "check": "002X"}).status_code == 200
    assert client.get("/progress/", {"number": case.number, "check": "0000"}).status_code == 404
    r = client.get("/progress/", {"number": case.number, "check": "002X"})
    assert r.status_code == 429 and "查询过于频繁" in html(r) and "已受理" not in html(r)
    api = {"number": case.number, "check": "002X"}
    assert [client.get("/api/v1/progress", api).status_code for _ in range(3)] == [200, 200, 429]


def test_warning_board_lists_steps_over_their_limit(client: Any, world: Any) -> None:
    import datetime as dt

    from onewindow.cases.models import Case
    from onewindow.cases.services import case_intake

    case = case_intake(
        actor=actor_of(get_user_model().objects.get(username="clerk")),
        item="MZ-001",
        centre="C-A",
        applicant={
            "kind": "person",
            "name": "巴特尔",
            "id_number": "11010519491231002X",
            "phone": "13912345678",
        },
        materials=[{"code": "M01", "provided": True}, {"code": "M02", "provided": True}],
        form={"reason": "家庭困难"},
    )
    # accepted 30 days ago and never picked up by the back office (limit: 2 working days)
    Case.objects.filter(pk=case.pk).update(state_since=case.received_at - dt.timedelta(days=30))
    supervisor = get_user_model().objects.get(username="supervisor")
    client.force_login(supervisor)
    otp_verify_session(client, supervisor)
    html = client.get("/cases/warnings/").content.decode()
    assert "环节超时" in html and case.number in html.split('id="step-overdue"')[1]
