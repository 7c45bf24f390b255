"""A 低保 case from the window to the applicant's hands, in a real browser.

The clerk finds the item with the keyboard, accepts it with a missing material (one-time notice as
PDF), takes the supplement; the reviewer approves; the clerk puts the result out and hands it over
against a signature; the public progress page then says 「已办结」.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

ID_NUMBER = "11010519491231002X"


def log_in(page: Any, base: str, username: str, next_path: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**{next_path}")
    expect(page.locator(".account")).to_contain_text("退出")


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
    page.wait_for_function("window.htmx !== undefined")
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

    # 2. Typed form, checklist (户口簿 missing), applicant; Enter submits the default (受理) button.
    page.fill("#id_f-reason", "家庭困难，收入低于当地低保标准")
    page.check("input[name='m-M01-provided']")
    page.fill("input[name='m-M02-note']", "未带户口簿")
    page.fill("#id_a-name", "巴特尔")
    page.fill("#id_a-id_number", ID_NUMBER)
    page.fill("#id_a-phone", "13912345678")
    page.fill("#id_a-address", "甲镇一嘎查3组")
    page.locator("#id_a-address").press("Enter")
    page.wait_for_url("**/outcome/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("需补正")
    expect(page.locator("ul.missing")).to_contain_text("户口簿")
    number = page.locator(".case-number").first.inner_text().strip()
    assert number.isdigit() and len(number) == 19

    # 3. The one-time notice prints as a PDF.
    href = page.get_by_role("link", name="打印一次性告知书（PDF）").get_attribute("href")
    pdf = page.request.get(f"{base}{href}")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")

    # 4. The applicant comes back with the 户口簿: supplement → accepted.
    page.get_by_role("link", name="查看办件详情").click()
    page.wait_for_url(f"**/cases/{number}/")
    supplement = page.locator("#action-supplement")
    supplement.locator("input[name='m-M02-provided']").check()
    supplement.get_by_role("button", name="补正后受理").click()
    expect(page.locator("#case-state")).to_have_text("已受理")
    expect(page.locator("table.timeline")).to_contain_text("补正后受理")
    log_out(page)

    # 5. The reviewer (county 民政) finds it in the queue and approves.
    log_in(page, base, "reviewer", "/cases/queue/")
    page.get_by_role("link", name=number).click()
    page.wait_for_url(f"**/cases/{number}/")
    approve = page.locator("#action-approve")
    approve.locator("textarea[name='note']").fill("经审核符合低保条件")
    approve.get_by_role("button", name="准予").click()
    expect(page.locator("#case-state")).to_have_text("准予许可/办结")
    log_out(page)

    # 6. The clerk puts the result out and hands it over against a signature.
    log_in(page, base, "clerk", "/cases/output/")
    page.locator("table.cases").get_by_role("link", name="统一出件").click()
    page.wait_for_url(f"**/cases/{number}/*")
    page.locator("#action-ready").get_by_role("button", name="统一出件").click()
    expect(page.locator("#case-state")).to_have_text("待取件")
    deliver = page.locator("#action-deliver")
    deliver.locator("select[name='to']").select_option("window")
    deliver.locator("input[name='signed_by']").fill("巴特尔")
    deliver.get_by_role("button", name="送达签收").click()
    expect(page.locator("#case-state")).to_have_text("已办结")
    expect(page.locator("table.timeline")).to_contain_text("签收人：巴特尔")
    log_out(page)

    # 7. The public progress page (no login) says 「已办结」, without personal data.
    page.goto(f"{base}/progress/?number={number}")
    page.fill("#id_check", "002X")
    page.get_by_role("button", name="查询").click()
    expect(page.locator(".progress-state")).to_have_text("已办结")
    text = page.locator("main").inner_text()
    assert "最低生活保障申请" in text
    for secret in ("巴特尔", ID_NUMBER, "13912345678", "综窗甲", "审批员"):
        assert secret not in text
