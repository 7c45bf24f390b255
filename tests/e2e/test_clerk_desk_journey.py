"""The window clerk's desk in a real browser (issue 15): what is waiting for her, 办件查询 by phone, a
returning resident looked up by ID number (fields filled, duplicate warned) and the ID-card reader
hook; the clerk of another township finds none of it."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.e2e.test_case_journey import log_in, log_out
from tests.e2e.waits import wait_js

pytestmark = pytest.mark.e2e

ID_NUMBER = "11010519491231002X"
PHONE = "13912345678"
NEW_ID = "150102198001010014"
SHOTS = "docs/screenshots/issue-15"  # ONEWINDOW_SCREENSHOTS=1 writes the after-picture there


def _cases_waiting() -> dict[str, str]:
    """An online application to check, a case whose applicant supplemented online, a decided case."""
    from onewindow.cases import services
    from onewindow.cases.models import Channel
    from onewindow.org.actors import actor_of
    from tests.cases.conftest import act, intake
    from tests.portal.resident_helpers import sign_up

    # intake(): 巴特尔 (ID_NUMBER, PHONE) applies for MZ-001 at C-A through the clerk
    account = sign_up(PHONE, "巴特尔", ID_NUMBER)
    online = intake(channel=Channel.ONLINE, item="MZ-002")
    needs = intake(materials=[{"code": "M01", "provided": True}, {"code": "M02", "provided": False}])
    services.case_resident_supplement(
        actor=actor_of(account.user), number=needs.number, materials=[{"code": "M02", "provided": True}]
    )
    decided = act("reviewer", intake(item="MZ-002"), "approve", note="符合")
    return {"online": online.number, "supplemented": needs.number, "decided": decided.number}


def test_the_clerks_desk(page: Any, live_server: Any, e2e_world: Any) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    numbers = _cases_waiting()

    # 1. What is waiting for me: counts that link to their lists; the resident's supplement stands out.
    log_in(page, base, "clerk", "/")
    desk = page.locator("section.desk")
    expect(desk.get_by_role("heading", name="我的待办")).to_be_visible()
    online = desk.locator("[data-desk='online']")
    expect(online.locator(".desk-n")).to_have_text("1")
    supplements = desk.locator("[data-desk='supplements']")
    expect(supplements.locator(".desk-n")).to_have_text("1")
    expect(supplements).to_have_class("card tile desk-alert")
    expect(desk.locator("[data-desk='output'] .desk-n")).to_have_text("1")
    expect(desk.locator("[data-desk='prereview'] .desk-n")).to_have_text("0")
    expect(desk.locator(".desk-messages")).to_contain_text("补正材料已提交")
    expect(desk.locator(".desk-messages")).to_contain_text(numbers["supplemented"])
    if os.environ.get("ONEWINDOW_SCREENSHOTS"):  # the after-picture, only when asked for
        page.set_viewport_size({"width": 1280, "height": 800})
        page.screenshot(path=f"{SHOTS}/desk-staff-home-after.png")
        page.set_viewport_size({"width": 1280, "height": 900})
    supplements.get_by_role("link").click()
    page.wait_for_url("**/cases/?state=correction_needed&supplemented=1")
    rows = page.locator("table.cases tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(numbers["supplemented"])
    page.goto(f"{base}/")
    page.locator("[data-desk='online']").get_by_role("link").click()
    expect(page.locator("table.cases tbody tr")).to_have_count(1)
    expect(page.locator("table.cases")).to_contain_text(numbers["online"])

    # 2. "我的低保办到哪了": the phone number finds her cases; it never stands in the URL.
    page.goto(f"{base}/")
    page.fill("#desk_q", PHONE)
    page.locator(".desk-search").get_by_role("button", name="查找").click()
    page.wait_for_load_state()
    expect(page.locator("#results")).to_contain_text("按手机号查找：共 3 件")
    for n in numbers.values():
        expect(page.locator("#results")).to_contain_text(n)
    assert PHONE not in page.url
    expect(page.locator("#results")).not_to_contain_text(PHONE)  # the list masks the applicant

    # 3. A returning resident: the ID number fills in what is known and warns about the open 低保 case.
    page.goto(f"{base}/cases/new/?item=MZ-001")
    wait_js(page, "window.htmx !== undefined && window.OneWindow !== undefined")
    page.fill("#id_a-id_number", ID_NUMBER)
    page.locator("#id_a-id_number").press("Tab")
    lookup = page.locator("#person-lookup")
    expect(lookup).to_contain_text("老用户")
    expect(page.locator("#id_a-name")).to_have_value("巴特尔")
    expect(page.locator("#id_a-phone")).to_have_value(PHONE)
    expect(page.locator("#id_a-address")).to_have_value("甲镇一嘎查3组")
    expect(lookup.locator(".person-duplicate")).to_contain_text("可能重复申请")
    expect(lookup.locator(".person-duplicate")).to_contain_text(numbers["supplemented"])
    assert ID_NUMBER not in page.url

    # 4. The ID-card reader hook: the event fills the card's fields and runs the same look-up.
    page.goto(f"{base}/cases/new/?item=MZ-001")
    wait_js(page, "window.OneWindow !== undefined && window.htmx !== undefined")
    page.evaluate(
        "card => document.dispatchEvent(new CustomEvent('onewindow:idcard', {detail: card}))",
        {"name": "其木格", "idNumber": NEW_ID, "address": "乙苏木二嘎查1组"},
    )
    expect(page.locator("#id_a-id_number")).to_have_value(NEW_ID)
    expect(page.locator("#id_a-name")).to_have_value("其木格")
    expect(page.locator("#id_a-address")).to_have_value("乙苏木二嘎查1组")
    expect(page.locator("#person-lookup")).to_contain_text("本辖区没有该证件号码的办事记录")
    # the function form, for a returning resident: the phone comes from the record, the card's name wins
    assert page.evaluate(
        "card => window.OneWindow.fillFromIdCard(card)", {"name": "巴特尔", "idNumber": ID_NUMBER.lower()}
    )
    expect(page.locator("#person-lookup")).to_contain_text("老用户")
    expect(page.locator("#id_a-phone")).to_have_value(PHONE)
    expect(page.locator("#id_a-address")).to_have_value("乙苏木二嘎查1组")  # kept: only empty fields fill
    assert page.evaluate("() => window.OneWindow.fillFromIdCard({})") is False
    log_out(page)

    # 5. The clerk of township B: nothing of township A by count, search or look-up.
    log_in(page, base, "outsider", "/")
    for key in ("online", "supplements", "output"):
        expect(page.locator(f"[data-desk='{key}'] .desk-n")).to_have_text("0")
    expect(page.locator(".desk-messages")).to_have_count(0)
    page.fill("#desk_q", PHONE)
    page.locator(".desk-search").get_by_role("button", name="查找").click()
    page.wait_for_load_state()
    expect(page.locator("#results")).to_contain_text("共 0 件")
    page.goto(f"{base}/cases/new/?item=MZ-001")
    wait_js(page, "window.OneWindow !== undefined && window.htmx !== undefined")
    page.fill("#id_a-id_number", ID_NUMBER)
    page.locator("#id_a-id_number").press("Tab")
    expect(page.locator("#person-lookup")).to_contain_text("本辖区没有该证件号码的办事记录")
    expect(page.locator("#id_a-name")).to_have_value("")
    expect(page.locator("#id_a-phone")).to_have_value("")
