"""A number from the kiosk to the display board: take a ticket, the clerk calls it, the TV shows it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.sessions import submit_login_form
from tests.e2e.waits import close_quietly, wait_js

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
        submit_login_form(console, base, "clerk", "/queue/console/")
        console.wait_for_url("**/queue/console/")
        wait_js(console, "window.htmx !== undefined")
        console.get_by_role("button", name="叫号").click()
        expect(console.locator("#current-number")).to_have_text("A001")

        # 4. The board shows the call within one second (it polls every 0.5 s).
        expect(board.locator("#board-current")).to_contain_text("请 A001 号到 1 号窗口办理", timeout=1000)
        expect(board.locator("#board-recent")).to_contain_text("A001")
        # ... and says it aloud, twice, in Chinese, digit by digit.
        wait_js(board, "window.__spoken.length >= 2")
        assert board.evaluate("window.__spoken") == ["zh-CN|请 A零零一 号，到 1 号窗口办理"] * 2

        # 5. Calling again while A001 is served asks first (it would be finished); with nobody waiting
        # the answer is said in Chinese, in place, and A001 stays in service.
        console.get_by_role("button", name="开始办理").click()
        expect(console.locator("#queue-panel")).to_contain_text("办理中")
        asked: list[str] = []
        console.once("dialog", lambda d: (asked.append(d.message), d.accept()))
        console.get_by_role("button", name="叫号").click()
        expect(console.locator(".console-error")).to_have_text("当前没有等候的号")
        assert asked == ["A001 号正在办理。叫下一位将把 A001 号记为办结，确定吗？"]
        expect(console.locator("#current-number")).to_have_text("A001")
        expect(console.locator("#queue-panel")).to_contain_text("办理中")
    finally:
        for ctx in (tv, hall, desk):
            close_quietly(ctx)


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
        close_quietly(tv)


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
        page.locator("#id_consent").check()  # the privacy notice's box comes first
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


def test_window_clerk_day_one_flow(browser: Any, live_server: Any, e2e_world: Any, settings: Any) -> None:
    """Issue 15, the window clerk's day: the kiosk (locked, keypad check-in, the slip's true place in
    line), the console's live waiting list with 优先 marks, calling over a pending call asks first, 过号
    asks first, 为此号受理 opens the workbench and links the case, and the locked pad of the window
    shows the rating of the finished ticket by itself."""
    import datetime as dt

    from playwright.sync_api import expect

    from onewindow.feedback.models import Rating
    from onewindow.feedback.services.pad import pad_token
    from onewindow.org.models import Window
    from onewindow.queueing import services
    from onewindow.queueing.models import Ticket
    from tests.factories import make_appointment

    settings.QUEUE_ENFORCE_HOURS = False
    settings.QUEUE_PRIORITY_RATIO = (1, 2)
    base = live_server.url
    hall = browser.new_context(locale="zh-CN", viewport={"width": 1080, "height": 1920}, has_touch=True)
    desk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    pad_device = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800}, has_touch=True)
    try:
        # 1. The kiosk is locked: no link to the full site. Two normal numbers, then an elderly one,
        # whose slip says what really happens: nobody ahead (the priority rule calls it first).
        kiosk = hall.new_page()
        kiosk.goto(f"{base}/queue/kiosk/C-A/")
        assert kiosk.evaluate("[...document.querySelectorAll('a[href]')].length") == 0
        for _ in range(2):
            kiosk.get_by_role("button", name="综合业务").click()
            kiosk.get_by_role("link", name="返回取号").click()
        kiosk.get_by_text("老年人", exact=True).click()
        kiosk.get_by_role("button", name="综合业务").click()
        expect(kiosk.locator("#ticket-number")).to_have_text("A003")
        expect(kiosk.locator(".slip")).to_contain_text("前面还有 0 人等候")
        assert kiosk.locator("#ticket-number").bounding_box()["height"] > 150  # big number on screen
        kiosk.get_by_role("link", name="返回取号").click()

        # 2. The console lists the line in call order with the 优先 marks and keeps it live.
        console = desk.new_page()
        submit_login_form(console, base, "clerk", "/queue/console/")
        console.wait_for_url("**/queue/console/")
        wait_js(console, "window.htmx !== undefined")
        line = console.locator("#waiting-line li")
        expect(line).to_have_count(3)
        expect(line.first).to_contain_text("A003")
        expect(line.first).to_contain_text("优先·老年人")
        # an appointment checked in at the kiosk with the on-screen keypad (phone + 预约码)
        now = services.local_now()
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        start = max(now - dt.timedelta(minutes=5), midnight)  # a slot of today around now
        end = min(now + dt.timedelta(minutes=25), midnight + dt.timedelta(hours=23, minutes=59))
        make_appointment(
            e2e_world["centres"]["a"],
            now.date(),
            start.time(),
            end.time(),
            name="其其格",
            phone="13912340000",
            phone_index=_blind("13912340000"),
            code="246810",
        )
        for key in "13912340000246810":  # a full phone number moves on to the 预约码 by itself
            kiosk.locator(f'.keypad [data-key="{key}"]').click()
        expect(kiosk.locator("#checkin-appointment")).to_have_value("13912340000")
        expect(kiosk.locator("#checkin-pin")).to_have_value("246810")
        kiosk.get_by_role("button", name="签到取号").click()
        expect(kiosk.locator("#ticket-number")).to_have_text("A004")
        expect(kiosk.locator(".slip")).to_contain_text("预约优先")
        # ... shows on the console by its poll, with no click of the clerk
        expect(line).to_have_count(4, timeout=8000)
        expect(console.locator("#waiting-line")).to_contain_text("优先·预约")
        expect(console.locator("#waiting-total")).to_have_text("4")
        before = [t.strip() for t in console.locator("#waiting-line .waiting-number").all_inner_texts()]
        assert before == ["A003", "A001", "A002", "A004"]

        # 3. 叫号 calls A003. Calling again while A003 is still called asks first; 取消 changes nothing.
        console.get_by_role("button", name="叫号").click()
        expect(console.locator("#current-number")).to_have_text("A003")
        questions: list[str] = []

        def answer(accept: bool) -> None:
            def handler(dialog: Any) -> None:
                questions.append(dialog.message)
                dialog.accept() if accept else dialog.dismiss()

            console.once("dialog", handler)

        answer(False)
        console.get_by_role("button", name="叫号").click()
        console.wait_for_timeout(300)
        assert questions[-1].startswith("A003 号已叫号，尚未开始办理")
        expect(console.locator("#current-number")).to_have_text("A003")
        assert Ticket.objects.get(number="A001").state == "waiting"
        # 过号 asks first too
        answer(False)
        console.get_by_role("button", name="过号").click()
        console.wait_for_timeout(300)
        assert questions[-1].startswith("确定将 A003 号记为过号吗")
        assert Ticket.objects.get(number="A003").state == "called"
        # confirmed: A003 becomes 过号 (it can be requeued) and A001 is called
        answer(True)
        console.get_by_role("button", name="叫号").click()
        expect(console.locator("#current-number")).to_have_text("A001")
        expect(console.locator(".skipped")).to_contain_text("A003")

        # 4. 为此号受理: one click to the workbench for that person; the case is linked to the ticket.
        console.get_by_role("link", name="为此号受理").click()
        console.wait_for_url("**/cases/new/?ticket=*")
        expect(console.locator("#visit-note")).to_contain_text("A001")
        wait_js(console, "window.htmx !== undefined")
        console.locator("#id_q").press_sequentially("dbsq", delay=40)
        console.locator("#item-results").get_by_role("link", name="最低生活保障申请").click()
        expect(console.locator("#item-panel")).to_contain_text("申请事由")
        console.fill("#id_f-reason", "家庭困难")
        console.check("input[name='m-M01-provided']")
        console.check("input[name='m-M02-provided']")
        console.fill("#id_a-name", "巴特尔")
        console.fill("#id_a-id_number", "11010519491231002X")
        console.fill("#id_a-phone", "13912345678")
        console.get_by_role("button", name="提交：受理 / 出具一次性告知书").click()
        dialog = console.locator("dialog#act-confirm")  # 受理 is a legal act: it asks once
        expect(dialog).to_contain_text("将受理本件")
        dialog.get_by_role("button", name="确认受理").click()
        console.wait_for_url("**/outcome/")
        number = console.locator(".case-number").first.inner_text().strip()
        assert Ticket.objects.get(number="A001").case_number == number
        console.goto(f"{base}/queue/console/")
        expect(console.locator("#current-case")).to_have_text(number)

        # 5. The window's pad: a locked public page on its own device, advancing by itself.
        window = Window.objects.get(centre__code="C-A", number=1)
        pad = pad_device.new_page()
        pad.goto(f"{base}/feedback/pad/w/{pad_token(window)}/")
        expect(pad.locator("#pad-idle")).to_be_visible()
        assert pad.evaluate("[...document.querySelectorAll('a[href]')].length") == 0
        assert pad.locator("nav").count() == 0
        console.get_by_role("button", name="办结").click()
        expect(console.locator("#current-number")).to_have_text("—")
        expect(pad.locator("#pad-number")).to_have_text("A001", timeout=8000)
        pad.get_by_role("button", name="满意", exact=True).click()
        expect(pad.locator("#pad-thanks")).to_be_visible()
        rating = Rating.objects.get()
        assert rating.level == 4 and rating.ticket.number == "A001" and rating.case.number == number
    finally:
        for ctx in (hall, desk, pad_device):
            close_quietly(ctx)


def _blind(phone: str) -> str:
    from onewindow.privacy.crypto import blind_index

    return blind_index(phone)
