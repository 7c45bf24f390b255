"""A 低保 case from the window to the applicant's hands, in a real browser.

The clerk finds the item with the keyboard, accepts it with a missing material (one-time notice as
PDF), takes the supplement; the reviewer approves; the clerk puts the result out and hands it over
against a signature; the public progress page then says 「已办结」. Every legal act asks once in a
dialog that says what will be issued (issue 15); a failed submit shows an error summary at the top and
moves the focus to the first field in error.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.sessions import submit_login_form
from tests.e2e.waits import wait_js

pytestmark = pytest.mark.e2e

ID_NUMBER = "11010519491231002X"


def log_in(page: Any, base: str, username: str, next_path: str) -> None:
    from playwright.sync_api import expect

    submit_login_form(page, base, username, next_path)
    page.wait_for_url(f"**{next_path}")
    expect(page.locator(".account")).to_contain_text("退出")


def confirm_dialog(page: Any, headline: str) -> None:
    """The act asks once: the dialog names what will be issued; 确认 takes it."""
    from playwright.sync_api import expect

    dialog = page.locator("dialog#act-confirm")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".confirm-headline")).to_contain_text(headline)
    dialog.get_by_role("button", name="确认").click()


def log_out(page: Any) -> None:
    button = page.locator(".account").get_by_role("button", name="退出")
    if not button.is_visible():  # on a phone the header's links are folded into 菜单
        page.locator("summary.menu-button").click()
    button.click()
    page.wait_for_load_state()


def test_case_from_window_to_delivery(page: Any, live_server: Any, e2e_world: Any) -> None:
    from playwright.sync_api import expect

    base = live_server.url

    # 1. The clerk finds the item with the keyboard only (htmx live results, Enter to pick).
    log_in(page, base, "clerk", "/cases/new/")
    wait_js(page, "window.htmx !== undefined")
    page.evaluate("window.__stayed = true")
    page.locator("#id_q").press_sequentially("dbsq", delay=40)
    results = page.locator("#item-results")
    expect(results).to_contain_text("最低生活保障申请")
    page.keyboard.press("Tab")  # the 查找 button
    page.keyboard.press("Tab")  # the first result
    expect(results.get_by_role("link", name="最低生活保障申请")).to_be_focused()
    page.keyboard.press("Enter")
    panel = page.locator("#item-panel")
    expect(panel).to_contain_text("申请事由")
    expect(panel).to_contain_text("户口簿")
    assert page.evaluate("window.__stayed === true"), "picking the item reloaded the page instead of htmx"

    # 2. A submit with nothing typed: the summary at the top names every error, the focus is on the first.
    page.get_by_role("button", name="提交：受理 / 出具一次性告知书").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    for text in ("申请事由", "请填写申请人姓名或名称", "请填写身份证号", "请填写联系电话"):
        expect(summary).to_contain_text(text)
    expect(page.locator("#id_f-reason")).to_be_focused()
    assert summary.bounding_box()["y"] < 800, "the summary is above the fold"
    summary.get_by_role("link", name="姓名/名称：请填写申请人姓名或名称").click()
    expect(page.locator("#id_a-name")).to_be_focused()

    # 3. Typed form, checklist (户口簿 missing), applicant; Enter submits the default (受理) button,
    #    which asks first: one notice, 1 item.
    page.fill("#id_f-reason", "家庭困难，收入低于当地低保标准")
    page.check("input[name='m-M01-provided']")
    page.fill("input[name='m-M02-note']", "未带户口簿")
    page.fill("#id_a-name", "巴特尔")
    page.fill("#id_a-id_number", ID_NUMBER)
    page.fill("#id_a-phone", "13912345678")
    page.fill("#id_a-address", "甲镇一嘎查3组")
    page.locator("#id_a-address").press("Enter")
    dialog = page.locator("dialog#act-confirm")
    expect(dialog.locator(".confirm-headline")).to_contain_text("将出具一次性告知书，共 1 项")
    expect(dialog).to_contain_text("户口簿：材料不符合要求：未带户口簿")
    dialog.get_by_role("button", name="返回修改").click()  # nothing is taken on cancel
    expect(dialog).to_be_hidden()
    assert "/outcome/" not in page.url
    page.get_by_role("button", name="提交：受理 / 出具一次性告知书").click()
    confirm_dialog(page, "将出具一次性告知书，共 1 项")
    page.wait_for_url("**/outcome/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("需补正")
    expect(page.locator("ul.missing")).to_contain_text("户口簿")
    number = page.locator(".case-number").first.inner_text().strip()
    assert number.isdigit() and len(number) == 19

    # 4. The one-time notice prints as a PDF.
    href = page.get_by_role("link", name="打印一次性告知书（PDF）").get_attribute("href")
    pdf = page.request.get(f"{base}{href}")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")

    # 5. The applicant comes back with the 户口簿: supplement → accepted; the remark is cleared.
    page.get_by_role("link", name="查看办件详情").click()
    page.wait_for_url(f"**/cases/{number}/")
    supplement = page.locator("#action-supplement")
    supplement.locator("input[name='m-M02-provided']").check()
    supplement.get_by_role("button", name="补正后受理").click()
    confirm_dialog(page, "将受理本件，出具受理回执")
    expect(page.locator("#case-state")).to_have_text("已受理")
    expect(page.locator("table.timeline")).to_contain_text("补正后受理")
    expect(page.locator("section[aria-labelledby='mat-h'] table")).not_to_contain_text("未带户口簿")
    log_out(page)

    # 6. The reviewer (county 民政) finds it in the queue and approves.
    log_in(page, base, "reviewer", "/cases/queue/")
    page.get_by_role("link", name=number).click()
    page.wait_for_url(f"**/cases/{number}/")
    approve = page.locator("#action-approve")
    approve.locator("textarea[name='note']").fill("经审核符合低保条件")
    approve.get_by_role("button", name="准予").click()
    confirm_dialog(page, "将作出准予许可决定")
    expect(page.locator("#case-state")).to_have_text("准予许可/办结")
    log_out(page)

    # 7. The clerk puts the result out and hands it over against a signature.
    log_in(page, base, "clerk", "/cases/output/")
    page.locator("table.cases").get_by_role("link", name="统一出件").click()
    page.wait_for_url(f"**/cases/{number}/*")
    page.locator("#action-ready").get_by_role("button", name="统一出件").click()
    expect(page.locator("#case-state")).to_have_text("待取件")
    deliver = page.locator("#action-deliver")
    deliver.locator("select[name='to']").select_option("window")
    deliver.locator("input[name='signed_by']").fill("巴特尔")
    deliver.get_by_role("button", name="送达签收").click()
    expect(page.locator("dialog#act-confirm")).to_contain_text("签收人：巴特尔")
    confirm_dialog(page, "将送达办理结果通知书，本件办结")
    expect(page.locator("#case-state")).to_have_text("已办结")
    expect(page.locator("table.timeline")).to_contain_text("签收人：巴特尔")
    log_out(page)

    # 8. The public progress page (no login) says 「已办结」, without personal data.
    page.goto(f"{base}/progress/?number={number}")
    page.fill("#id_check", "002X")
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".progress-state")).to_have_text("已办结")
    text = page.locator("main").inner_text()
    assert "最低生活保障申请" in text
    for secret in ("巴特尔", ID_NUMBER, "13912345678", "综窗甲", "审批员"):
        assert secret not in text


def test_legal_acts_ask_once_without_javascript(browser: Any, live_server: Any, e2e_world: Any) -> None:
    """Without JavaScript the server asks: a confirmation page says what will be issued; 返回修改 keeps
    what was typed, 确认 takes the act."""
    from playwright.sync_api import expect

    from onewindow.cases import services
    from onewindow.cases.models import Case
    from onewindow.org.actors import actor_of
    from tests.cases.conftest import applicant, user

    case = services.case_intake(
        actor=actor_of(user("clerk")),
        item="MZ-001",
        centre="C-A",
        applicant=applicant(),
        materials=[{"code": "M01", "provided": True}],
        form={"reason": "家庭困难"},
        channel="online",
    )
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 800}, java_script_enabled=False
    )
    page = context.new_page()
    try:
        log_in(page, live_server.url, "clerk", f"/cases/{case.number}/")
        form = page.locator("#action-request_correction")
        form.locator("input[name='m-M02-note']").fill("户口簿复印件不清晰")
        form.get_by_role("button", name="一次性告知补正").click()
        step = page.locator("#confirm-step")
        expect(step).to_contain_text("将出具一次性告知书，共 1 项")
        expect(step).to_contain_text("户口簿：材料不符合要求：户口簿复印件不清晰")
        step.get_by_role("button", name="返回修改").click()
        expect(page.locator("#action-request_correction input[name='m-M02-note']")).to_have_value(
            "户口簿复印件不清晰"
        )
        assert Case.objects.get(pk=case.pk).state == "submitted"
        page.locator("#action-request_correction").get_by_role("button", name="一次性告知补正").click()
        page.locator("#confirm-step").get_by_role("button", name="确认一次性告知补正").click()
        expect(page.locator("#case-state")).to_have_text("待补正")
        assert Case.objects.get(pk=case.pk).correction_count == 1
    finally:
        context.close()
