from __future__ import annotations

import datetime as dt
import io
import json
import re
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from onewindow.ledger import assessment, svg
from tests.cases.conftest import act, intake

pytestmark = pytest.mark.django_db

PERIOD = {"from": "2026-09-01", "to": "2026-10-31"}


@pytest.fixture
def data(ledger_world: dict[str, Any], clock: Any) -> dict[str, Any]:
    clock.set_day(dt.date(2026, 9, 1))
    c1 = intake()
    c2 = intake(channel="proxy")
    act("clerk", c2, "accept")
    intake(actor=ledger_world["chief"].user, centre="C-B")
    overdue = intake()
    clock.set_day(dt.date(2026, 9, 4))
    act("reviewer", c1, "approve")
    clock.set_day(dt.date(2026, 10, 20))
    act("reviewer", c2, "deny", reason="条件不符", basis="《最低生活保障审核确认办法》第十条")
    clock.set_day(dt.date(2026, 10, 31))
    return {**ledger_world, "overdue": overdue}


def chart_data(html: str) -> dict[str, Any]:
    m = re.search(r'<script id="ledger-data" type="application/json">(.*?)</script>', html, re.S)
    assert m, "chart data block missing"
    return json.loads(m.group(1))


def test_supervisor_dashboard_and_drilldown(data: dict[str, Any], login: Any) -> None:
    c = login("supervisor")
    r = c.get("/ledger/", PERIOD)
    assert r.status_code == 200
    html = r.content.decode()
    assert "vendor/echarts/echarts.min.js" in html and "ledger/dashboard.js" in html
    assert "<script>" not in html.replace("<script src", "")  # no inline script (CSP)
    d = chart_data(html)
    assert d["children"]["labels"] == ["甲镇", "乙苏木"]
    assert d["children"]["received"] == [3, 1]
    assert d["children"]["urls"][0].startswith("/ledger/?j=152522100000")
    assert sum(d["trend"]["received"]) == 4 and len(d["trend"]["labels"]) == 61
    assert data["overdue"].number in html  # overdue list (deadline 2026-09-15 passed)
    # drill down: township → its villages
    r = c.get(d["children"]["urls"][0])
    d2 = chart_data(r.content.decode())
    assert d2["children"]["labels"] == ["甲一嘎查", "甲镇（本级）"]
    assert d2["children"]["received"] == [0, 3]
    assert "测试旗" in r.content.decode()  # breadcrumb back to the county


def test_domain_filter_and_future_period(data: dict[str, Any], login: Any) -> None:
    c = login("supervisor")
    d = chart_data(c.get("/ledger/", {**PERIOD, "domain": "nothing"}).content.decode())
    assert d["children"]["received"] == [0, 0]
    r = c.get("/ledger/", {"from": "2027-01-01"})
    assert r.status_code == 422 and "未来" in r.content.decode()


def test_scoping_of_pages(data: dict[str, Any], login: Any) -> None:
    c = login("head")
    d = chart_data(c.get("/ledger/", PERIOD).content.decode())
    assert d["children"]["labels"] == ["甲一嘎查", "甲镇（本级）"]
    assert c.get("/ledger/", {"j": "152522200000"}).status_code == 404
    assert c.get("/ledger/report/C-B.pdf").status_code == 404
    assert login("clerk").get("/ledger/").status_code == 403


def test_excel_export_totals_match_api(data: dict[str, Any], login: Any) -> None:
    c = login("supervisor")
    api = c.get("/api/v1/stats", PERIOD).json()["totals"]
    for table in ("jurisdiction", "centre", "item", "month", "clerk", "window", "day", "domain"):
        r = c.get(f"/ledger/export/{table}.xlsx", PERIOD)
        assert r.status_code == 200, table
        ws = load_workbook(io.BytesIO(r.content)).worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
        headers = rows[0]
        assert "收件" in headers and "按时办结率" in headers and "满意率" in headers
        total = dict(zip(headers, rows[-1], strict=True))
        assert rows[-1][0] == "合计"
        assert total["收件"] == api["received"] == 4
        assert total["办结"] == api["decided"] == 2
        assert total["超期办结"] == api["late"]
        assert total["按时办结率"] == api["on_time_rate"]
        body = rows[1:-1]
        col = headers.index("收件")
        if table not in {"clerk", "window"}:  # cases recorded without a window / clerk are left out
            assert sum(r[col] for r in body) == total["收件"]
    assert c.get("/ledger/export/nothing.xlsx").status_code == 404


def test_monthly_report_pdf(data: dict[str, Any], login: Any) -> None:
    r = login("supervisor").get("/ledger/report/C-A.pdf", {"month": "2026-09"})
    assert r.status_code == 200
    assert r.content.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    assert "甲镇便民服务中心" in text
    assert "2026年9月" in text
    bad = login("supervisor").get("/ledger/report/C-A.pdf", {"month": "2027-02"})
    assert bad.status_code == 422


def test_svg_generator() -> None:
    bar = svg.bar_chart(["甲", "乙<"], [3, 7], title="测试")
    assert bar.startswith("<svg") and bar.count("<rect") == 3 and "乙&lt;" in bar
    cols = svg.columns_chart(["1", "2", "3"], {"收件": [1, 4, 2]})
    assert "<polyline" not in cols and cols.count("<rect") == 1 + 3 + 1 and "收件" in cols
    assert svg.data_uri(bar).startswith("data:image/svg+xml;base64,")


def test_assessment_ranking(data: dict[str, Any], login: Any, settings: Any) -> None:
    county = data["county"]
    rows = assessment.ranking(county, dt.date(2026, 9, 1), dt.date(2026, 10, 31), level="township")
    by = {r["j"].code: r for r in rows}
    a = by["152522100000"]
    # township A: on-time 1/2, no ratings and no complaints (both left out: no data), proxy 1 of max 1
    assert a["parts"] == {"on_time": 0.5, "satisfaction": None, "complaints": None, "proxy": 1.0}
    assert a["score"] == round(100 * (0.4 * 0.5 + 0.1 * 1) / 0.5, 1)
    b = by["152522200000"]
    # township B received one case (not by proxy) and decided nothing yet
    assert b["parts"]["on_time"] is None and b["parts"]["proxy"] == 0.0
    assert b["score"] == 0.0
    assert [r["rank"] for r in rows] == [1, 2] and rows[0]["j"].code == "152522100000"
    settings.ASSESSMENT_WEIGHTS = {"on_time": 0, "proxy": 1, "complaints": 0}
    rows = assessment.ranking(county, dt.date(2026, 9, 1), dt.date(2026, 10, 31), level="township")
    assert {r["j"].code: r["score"] for r in rows} == {"152522100000": 100.0, "152522200000": 0.0}
    page = login("supervisor").get("/ledger/ranking/", PERIOD)
    assert page.status_code == 200
    html = page.content.decode()
    assert "甲镇" in html and "甲一嘎查" in html and 'id="rank-village"' in html
