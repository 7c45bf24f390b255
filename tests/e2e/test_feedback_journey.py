"""好差评 in a real browser: a resident rates a delivered case on a phone by number + check code; the
差评 appears in the centre head's rectification list, who calls back and closes it."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import otp_verify_session
from tests.factories import make_staff

pytestmark = pytest.mark.e2e


def test_resident_rates_case_and_head_sees_rectification(
    phone: Any, browser: Any, live_server: Any, e2e_world: Any
) -> None:
    from playwright.sync_api import expect

    from tests.feedback.conftest import delivered_case

    base = live_server.url
    case = delivered_case()

    # 1. The resident, on a 360 px phone, finds the case by number + the last 4 of the ID number.
    phone.goto(f"{base}/feedback/rate/")
    phone.fill("#id_number", case.number)
    phone.fill("#id_check", "002x")
    phone.get_by_role("button", name="查找办件").click()
    expect(phone.locator("main")).to_contain_text("最低生活保障申请")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone.get_by_role("radio", name="不满意", exact=True).check()
    phone.locator("main details summary").click()
    phone.select_option("#ind-efficiency", "2")
    phone.fill("#id_comment", "来回跑了三趟")
    phone.get_by_role("button", name="提交评价").click()
    expect(phone.get_by_role("status")).to_contain_text("评价成功")
    expect(phone.get_by_role("status")).to_contain_text("不满意")

    # 2. The centre head (created here; logged in by session cookie, past the TOTP step).
    head = make_staff(
        "head_a", "甲镇中心主任", e2e_world["ta"], ["centre_head"], centre=e2e_world["centres"]["a"]
    )
    client = Client()
    client.force_login(head.user)
    otp_verify_session(client, head.user)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{base}/feedback/rectifications/")
        row = page.locator("table.rect-list tbody tr").filter(has_text=case.number)
        expect(row).to_contain_text("不满意")
        expect(row).to_contain_text("待回访核实")
        row.get_by_role("link", name=case.number).click()
        expect(page.locator("main")).to_contain_text("来回跑了三趟")
        page.fill("#cb-note", "已电话回访，情况属实")
        page.get_by_role("button", name="登记回访").click()
        page.fill("#cl-note", "推行一次性告知，窗口人员培训")
        page.fill("#cl-public", "已落实一次性告知制度")
        page.get_by_role("button", name="已整改").click()
        expect(page.locator("main")).to_contain_text("已办结")
    finally:
        context.close()

    # 3. The outcome is public, without the resident's words.
    phone.goto(f"{base}/feedback/results/")
    expect(phone.locator("main")).to_contain_text("已落实一次性告知制度")
    expect(phone.locator("main")).not_to_contain_text("来回跑了三趟")
