"""The supervisor opens the statistics dashboard, sees the ECharts, drills from the county into a
township by clicking its bar, and exports the ledger to Excel."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from openpyxl import load_workbook

from tests.cases.conftest import act, intake, user
from tests.conftest import otp_verify_session

pytestmark = pytest.mark.e2e


def test_supervisor_dashboard_drilldown_and_export(browser: Any, live_server: Any, e2e_world: Any) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    for _ in range(3):
        intake()
    approved = intake(channel="proxy")
    act("clerk", approved, "accept")
    act("reviewer", approved, "approve")
    intake(actor=user("outsider"), centre="C-B")

    supervisor = get_user_model().objects.get(username="supervisor")
    client = Client()
    client.force_login(supervisor)
    otp_verify_session(client, supervisor)
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
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
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{base}/ledger/")
        expect(page.locator("h1")).to_contain_text("测试旗")
        expect(page.locator("#kpi-received")).to_have_text("5")
        # the charts are drawn by the vendored ECharts (canvas renderer)
        page.wait_for_function(
            "window.echarts && echarts.getInstanceByDom(document.getElementById('chart-children'))"
        )
        expect(page.locator("#chart-children canvas")).to_have_count(1)
        expect(page.locator("#chart-trend canvas")).to_have_count(1)
        # click the 甲镇 bar (series 0, first category) where ECharts laid it out, once drawn
        page.locator("#chart-children").scroll_into_view_if_needed()
        page.wait_for_timeout(1200)  # the bars' entry animation
        layout = page.evaluate(
            """() => {
              const chart = echarts.getInstanceByDom(document.getElementById('chart-children'));
              const l = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(0);
              return {x: l.x + l.width / 2, y: l.y + l.height / 2};
            }"""
        )
        box = page.locator("#chart-children").bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + layout["x"], box["y"] + layout["y"])
        page.wait_for_url("**/ledger/?j=152522100000*")
        expect(page.locator("h1")).to_contain_text("甲镇")
        expect(page.locator(".crumbs")).to_contain_text("测试旗")
        expect(page.locator("#kpi-received")).to_have_text("4")
        page.wait_for_function("echarts.getInstanceByDom(document.getElementById('chart-children'))")

        # export the township's ledger by region
        with page.expect_download() as dl:
            page.get_by_role("link", name="分区域统计台账").click()
        path = dl.value.path()
        ws = load_workbook(io.BytesIO(Path(path).read_bytes())).worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
        total = dict(zip(rows[0], rows[-1], strict=True))
        assert rows[-1][0] == "合计" and total["收件"] == 4 and total["办结"] == 1
        assert errors == []
    finally:
        context.close()
