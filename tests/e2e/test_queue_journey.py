"""A number from the kiosk to the display board: take a ticket, the clerk calls it, the TV shows it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

# Headless Chromium has no voices: record what the board asks to be spoken instead.
SPEECH_RECORDER = """
window.__spoken = [];
Object.defineProperty(window, "speechSynthesis", {
  configurable: true,
  value: { speak: function (u) { window.__spoken.push(u.lang + "|" + u.text); } },
});
"""


def test_ticket_from_kiosk_to_board(browser: Any, live_server: Any, e2e_world: Any, settings: Any) -> None:
    from playwright.sync_api import expect

    settings.QUEUE_ENFORCE_HOURS = False
    base = live_server.url
    tv = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
    hall = browser.new_context(locale="zh-CN", viewport={"width": 1080, "height": 1920}, has_touch=True)
    desk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    try:
        # 1. The TV in the hall shows the board (it polls the public API every second).
        board = tv.new_page()
        board.add_init_script(SPEECH_RECORDER)
        board.goto(f"{base}/queue/board/C-A/")
        expect(board.locator("h1")).to_have_text("甲镇便民服务中心")
        expect(board.locator("#board-waiting")).to_contain_text("综合业务")

        # 2. A resident takes a number at the kiosk (elderly priority) and gets the slip.
        kiosk = hall.new_page()
        kiosk.goto(f"{base}/queue/kiosk/C-A/")
        kiosk.get_by_text("老年人", exact=True).click()
        kiosk.get_by_role("button", name="综合业务").click()
        number = kiosk.locator("#ticket-number")
        expect(number).to_have_text("A001")
        expect(kiosk.locator(".slip")).to_contain_text("前面还有 0 人等候")
        expect(board.locator("#board-waiting")).to_contain_text("综合业务1", timeout=2000)

        # 3. The clerk logs in and calls the next number from the console.
        console = desk.new_page()
        console.set_default_timeout(10_000)
        console.goto(f"{base}/accounts/login/?next=/queue/console/")
        console.fill("#id_username", "clerk")
        console.fill("#id_password", PASSWORD)
        console.get_by_role("button", name="登录").click()
        console.wait_for_url("**/queue/console/")
        console.wait_for_function("window.htmx !== undefined")
        console.get_by_role("button", name="叫号").click()
        expect(console.locator("#current-number")).to_have_text("A001")

        # 4. The board shows the call within one second (it polls every 0.5 s).
        expect(board.locator("#board-current")).to_contain_text("请 A001 号到 1 号窗口办理", timeout=1000)
        expect(board.locator("#board-recent")).to_contain_text("A001")
        # ... and says it aloud, twice, in Chinese, digit by digit.
        board.wait_for_function("window.__spoken.length >= 2")
        assert board.evaluate("window.__spoken") == ["zh-CN|请 A零零一 号，到 1 号窗口办理"] * 2

        # 5. Calling again with nobody waiting says so in Chinese, in place.
        console.get_by_role("button", name="叫号").click()
        expect(console.locator(".console-error")).to_have_text("当前没有等候的号")
        expect(console.locator("#current-number")).to_have_text("A001")
    finally:
        for ctx in (tv, hall, desk):
            ctx.close()


def test_board_clock_shows_server_time_whatever_the_tv_box_says(
    browser: Any, live_server: Any, e2e_world: Any
) -> None:
    """The TV box sits in another time zone with a wrong clock: the board still shows Beijing time
    from the server (issue 14: the board's clock comes from the server, not the box)."""
    import datetime as dt
    from unittest import mock

    from playwright.sync_api import expect

    server_now = dt.datetime(2026, 9, 29, 12, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    tv = browser.new_context(locale="zh-CN", timezone_id="America/Los_Angeles")
    try:
        with mock.patch("onewindow.queueing.services.local_now", return_value=server_now):
            board = tv.new_page()
            board.add_init_script(SPEECH_RECORDER)
            board.goto(f"{live_server.url}/queue/board/C-A/")
            # after the first polls, the JS clock still reads the server's wall time
            board.wait_for_timeout(1500)
            expect(board.locator("#board-clock")).to_contain_text("2026年9月29日 12:30")
            expect(board.locator("#board-hall")).to_contain_text("17:30 截止取号")
    finally:
        tv.close()


def test_booking_with_a_verified_phone(page: Any, live_server: Any, e2e_world: Any) -> None:
    """A resident books tomorrow's 09:00 slot online: the SMS code step, then the 预约码."""
    import datetime as dt
    from unittest import mock

    from playwright.sync_api import expect

    from tests.portal.resident_helpers import last_code

    phone = "13912345678"
    monday = dt.datetime(2026, 9, 28, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with mock.patch("onewindow.queueing.services.local_now", return_value=monday):
        page.goto(f"{live_server.url}/queue/book/C-A/")
        page.locator('input[name="start"][value="09:00"]').check()
        page.fill("#id_name", "巴特尔")
        page.fill("#id_phone", phone)
        # without the code the booking is refused in Chinese
        page.get_by_role("button", name="提交预约").click()
        expect(page.locator(".book-error")).to_contain_text("请先验证手机号")
        page.get_by_role("button", name="获取验证码").click()
        expect(page.locator(".book-sent")).to_contain_text("验证码已发送到 139****5678")
        expect(page.locator("#id_name")).to_have_value("巴特尔")
        page.fill("#id_sms_code", last_code(phone))
        page.get_by_role("button", name="提交预约").click()
        expect(page.locator("#appointment-code")).to_have_text(re.compile(r"^\d{6}$"))
        expect(page.locator("body")).to_contain_text("09:00–09:30")
