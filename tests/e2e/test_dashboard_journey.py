"""The supervisor opens the statistics dashboard, sees the ECharts, drills from the county into a
township by clicking its bar, and exports the ledger to Excel."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from tests.cases.conftest import act, intake, user
from tests.e2e.sessions import signed_in_page
from tests.e2e.waits import wait_js
from tests.ledger.conftest import TZ

pytestmark = pytest.mark.e2e


def click_bar(page: Any, chart_id: str, index: int) -> None:
    """Click bar ``index`` of series 0 of the ECharts chart ``chart_id`` where ECharts laid it out."""
    page.locator(f"#{chart_id}").scroll_into_view_if_needed()
    page.wait_for_timeout(1200)  # the bars' entry animation
    layout = page.evaluate(
        """([id, index]) => {
          const chart = echarts.getInstanceByDom(document.getElementById(id));
          const l = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(index);
          return {x: l.x + l.width / 2, y: l.y + l.height / 2};
        }""",
        [chart_id, index],
    )
    box = page.locator(f"#{chart_id}").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + layout["x"], box["y"] + layout["y"])


def test_supervisor_dashboard_drilldown_and_export(browser: Any, live_server: Any, e2e_world: Any) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    for _ in range(3):
        intake()
    approved = intake(channel="proxy")
    act("clerk", approved, "accept")
    act("reviewer", approved, "approve")
    intake(actor=user("outsider"), centre="C-B")

    context, page, errors = _supervisor_page(browser, base)
    try:
        page.goto(f"{base}/ledger/")
        expect(page.locator("h1")).to_contain_text("测试旗")
        expect(page.locator("#kpi-received")).to_have_text("5")
        # the charts are drawn by the vendored ECharts (canvas renderer)
        wait_js(page, "window.echarts && echarts.getInstanceByDom(document.getElementById('chart-children'))")
        expect(page.locator("#chart-children canvas")).to_have_count(1)
        expect(page.locator("#chart-trend canvas")).to_have_count(1)
        expect(page.locator("#chart-rates canvas")).to_have_count(1)
        # click the 甲镇 bar (series 0, first category) where ECharts laid it out, once drawn
        click_bar(page, "chart-children", 0)
        page.wait_for_url("**/ledger/?j=152522100000*")
        expect(page.locator("h1")).to_contain_text("甲镇")
        expect(page.locator(".crumbs")).to_contain_text("测试旗")
        expect(page.locator("#kpi-received")).to_have_text("4")
        wait_js(page, "echarts.getInstanceByDom(document.getElementById('chart-children'))")

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


def test_supervisor_clicks_numbers_and_sees_as_many_cases(
    browser: Any, live_server: Any, e2e_world: Any
) -> None:
    """收件, 超期办结 and a township's 收件 cell each open the case list behind them: "共 N 件" is the
    number clicked, and the list's Excel has as many rows. The trend chart draws daily bars."""
    import datetime as dt
    from unittest import mock

    from playwright.sync_api import expect

    from tests.support import Clock

    clock = Clock(dt.datetime(2026, 11, 2, 10, tzinfo=TZ))
    with mock.patch("django.utils.timezone.now", clock):
        on_time, late = intake(), intake(channel="proxy")
        act("clerk", late, "accept")
        intake(actor=user("outsider"), centre="C-B")
        clock.set_day(dt.date(2026, 11, 5))
        act("reviewer", on_time, "approve")
        clock.set_day(dt.date(2026, 11, 25))
        act("reviewer", late, "deny", reason="条件不符", basis="《最低生活保障审核确认办法》第十条")

    base = live_server.url
    context, page, errors = _supervisor_page(browser, base)
    try:
        page.goto(f"{base}/ledger/?from=2026-11-01&to=2026-11-30")
        wait_js(page, "window.echarts && echarts.getInstanceByDom(document.getElementById('chart-trend'))")
        trend = page.evaluate(
            """() => {
              const o = echarts.getInstanceByDom(document.getElementById('chart-trend')).getOption();
              return {types: o.series.map(s => s.type), smooth: o.series.map(s => !!s.smooth),
                      labels: o.xAxis[0].data, rotate: o.xAxis[0].axisLabel.rotate,
                      interval: o.xAxis[0].axisLabel.interval, minInterval: o.yAxis[0].minInterval};
            }"""
        )
        assert trend["types"] == ["bar", "bar", "bar"] and not any(trend["smooth"])
        assert trend["labels"][0] == "11-01" and trend["labels"][-1] == "11-30" and trend["rotate"] == 45
        assert trend["interval"] == 1  # 30 days: every other date labelled
        assert trend["minInterval"] == 1  # counts: whole-number ticks only

        def click_and_count(locator: Any) -> int:
            number = int(locator.inner_text())
            locator.click()
            page.wait_for_url("**/ledger/cases/?**")
            expect(page.locator("#drill-count")).to_have_text(f"共 {number} 件")
            assert page.locator("#drill-rows tbody tr td a").count() == number
            return number

        assert click_and_count(page.locator("#kpi-received")) == 3
        page.go_back()
        assert click_and_count(page.locator("#kpi-late")) == 1
        expect(page.locator("#drill-rows")).to_contain_text(late.number)
        page.go_back()
        township = page.locator("#children tr", has_text="甲镇").locator("a[data-figure=received]")
        assert click_and_count(township) == 2
        expect(page.locator("#drill-rows")).not_to_contain_text("乙苏木")

        with page.expect_download() as dl:
            page.locator("#drill-export").click()
        ws = load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes())).worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
        assert rows[0][0] == "办件编号" and rows[-1] == ("合计", "2 件", *[None] * (len(rows[0]) - 2))
        assert len(rows) - 2 == 2

        # a bar of the trend: 收件 on 11-02 (series 0, second day)
        page.goto(f"{base}/ledger/?from=2026-11-01&to=2026-11-30")
        wait_js(page, "window.echarts && echarts.getInstanceByDom(document.getElementById('chart-trend'))")
        click_bar(page, "chart-trend", 1)
        page.wait_for_url("**/ledger/cases/?**figure=received**")
        assert "from=2026-11-02&to=2026-11-02" in page.url
        expect(page.locator("#drill-count")).to_have_text("共 3 件")
        assert errors == []
    finally:
        context.close()


def _supervisor_page(browser: Any, base: str) -> tuple[Any, Any, list[str]]:
    supervisor = get_user_model().objects.get(username="supervisor")
    context, page = signed_in_page(browser, base, supervisor, accept_downloads=True)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page, errors
