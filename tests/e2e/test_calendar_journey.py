"""Issue 14 part 1 in a real browser: on 2026-12-07, with no 2027 arrangement, the clerk accepts a
20-working-day case (provisional deadline, said on the page); the administrator pastes the 2027 notice,
previews the year with its differences and loads it; the deadlines are recomputed."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest

from tests.cases.test_provisional_deadline import NOTE, NOTICE_2027
from tests.e2e.test_case_journey import ID_NUMBER, log_in, log_out

pytestmark = pytest.mark.e2e


def test_provisional_deadline_then_notice_loaded(
    page: Any, live_server: Any, e2e_world: Any, totp_log_in: Any
) -> None:
    from playwright.sync_api import expect

    from onewindow.cases import services
    from onewindow.cases.models import Case
    from onewindow.org.actors import actor_of
    from onewindow.worktime.models import CalendarDay, CalendarYear
    from tests.cases.conftest import ALL_MATERIALS, applicant
    from tests.factories import make_item

    CalendarDay.objects.filter(date__year__gte=2027).delete()
    CalendarYear.objects.filter(year__gte=2027).delete()
    w = e2e_world
    make_item("MZ-020", "特困人员救助供养申请", w["department"], w["domain"], promised_days=20)
    make_item("MZ-045", "联办测试事项", w["department"], w["domain"], promised_days=45, legal_days=45)
    base = live_server.url
    today = dt.date(2026, 12, 7)
    with (
        mock.patch("onewindow.cases.services.local_today", return_value=today),
        mock.patch("onewindow.worktime.status.local_today", return_value=today),
    ):
        other = services.case_intake(
            actor=actor_of(w["people"]["clerk"].user),
            item="MZ-045",
            centre="C-A",
            applicant=applicant(),
            materials=ALL_MATERIALS,
            form={"reason": "测试"},
        )
        assert other.deadline == dt.date(2027, 2, 11) and other.deadline_provisional

        # 1. The window accepts; the outcome page says the deadline is provisional.
        log_in(page, base, "clerk", "/cases/new/?item=MZ-020")
        page.fill("#id_f-reason", "家庭困难")
        page.check("input[name='m-M01-provided']")
        page.check("input[name='m-M02-provided']")
        page.fill("#id_a-name", "巴特尔")
        page.fill("#id_a-id_number", ID_NUMBER)
        page.fill("#id_a-phone", "13912345678")
        page.locator("#id_a-phone").press("Enter")
        dialog = page.locator("dialog#act-confirm")
        expect(dialog).to_contain_text("将受理本件，出具受理回执")
        dialog.get_by_role("button", name="确认").click()
        page.wait_for_url("**/outcome/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("受理")
        expect(page.locator("main")).to_contain_text("2027年1月5日")
        expect(page.locator("[data-provisional]")).to_contain_text(NOTE)
        number = page.locator(".case-number").first.inner_text().strip()
        log_out(page)

        # 2. The administrator sees the banner, pastes the notice, previews the year, confirms.
        totp_log_in(page, base, "admin", "/manage/calendar/")
        expect(page.locator("#calendar-banner")).to_contain_text("2027年节假日安排尚未导入")
        page.fill("#notice-text", NOTICE_2027)
        page.get_by_role("button", name="识别并预览").click()
        preview = page.locator("#preview")
        expect(preview).to_contain_text("预览：2027年")
        expect(preview.locator("td.differs[data-date='2027-02-09']")).to_be_visible()
        expect(preview.locator("td.differs[data-date='2027-02-20']")).to_contain_text("班")
        expect(page.locator("#diff-list")).to_contain_text("2027-10-04")
        page.get_by_role("button", name="确认导入2027年安排").click()
        page.wait_for_url("**/manage/calendar/")
        expect(page.locator(".messages")).to_contain_text("已导入2027年节假日安排")
        expect(page.locator(".messages")).to_contain_text("其中1件期限有变化")
        expect(page.locator("#calendar-banner")).to_have_count(0)
        log_out(page)

        # 3. The cases now count on the official days, with the change on their timeline.
        log_in(page, base, "clerk", f"/cases/{other.number}/")
        expect(page.locator("main")).to_contain_text("2027-02-17")
        expect(page.locator("main")).not_to_contain_text(NOTE)
        expect(page.locator("main")).to_contain_text("办结期限按国务院节假日安排重新核定")
        page.goto(f"{base}/cases/{number}/")
        expect(page.locator("main")).to_contain_text("2027-01-05")
        expect(page.locator("main")).not_to_contain_text(NOTE)
    assert Case.objects.get(number=number).deadline_provisional is False
