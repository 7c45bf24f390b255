"""Every number on the dashboard and the ranking opens the list behind it, with the same count."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook

from onewindow.core import signals
from onewindow.feedback import services as feedback
from onewindow.feedback.models import Complaint
from tests.cases.conftest import act, intake, user
from tests.ledger.conftest import TZ

pytestmark = pytest.mark.django_db

PERIOD = {"from": "2026-09-01", "to": "2026-10-31"}
NUM = re.compile(r'<a class="num"(?: id="([\w-]+)")?(?: data-figure="(\w+)")? href="([^"]+)">(\d+)</a>')
COUNT = re.compile(r'<strong id="drill-count">共 (\d+) 件</strong>')


@pytest.fixture
def data(ledger_world: dict[str, Any], clock: Any) -> dict[str, Any]:
    clock.set_day(dt.date(2026, 9, 1))
    c1 = intake()
    c2 = intake(channel="proxy")
    act("clerk", c2, "accept")
    intake(materials=[{"code": "M01", "provided": True}])  # correction notice: received, not accepted
    intake(actor=ledger_world["chief"].user, centre="C-B")
    overdue = intake()
    feedback.complaint_submit(category="complaint", content="排队太久", centre="C-A")
    feedback.complaint_submit(category="suggestion", content="增加周末窗口", centre="C-A")
    closed = feedback.complaint_submit(category="complaint", content="态度不好", centre="C-B")
    _proxy_request()
    clock.set_day(dt.date(2026, 9, 4))
    act("reviewer", c1, "approve")
    act("reviewer", c1, "ready")
    act("clerk", c1, "deliver", to="window", signed_by="巴特尔")
    feedback.rating_submit(number=c1.number, check="002X", level=5, channel="online")
    feedback.rating_submit(number=c1.number, check="002X", level=3, channel="window")
    feedback.rating_submit(number=c1.number, check="002X", level=2, channel="sms", comment="太慢")
    clock.set_day(dt.date(2026, 10, 20))
    act("reviewer", c2, "deny", reason="条件不符", basis="《最低生活保障审核确认办法》第十条")
    clock.set_day(dt.date(2026, 10, 30))
    # closed after 43 working days (> LEDGER_COMPLAINT_DAYS): late
    closed.state, closed.closed_at = "closed", dt.datetime(2026, 10, 30, 9, tzinfo=TZ)
    closed.save()
    signals.complaint_event.send(sender=Complaint, complaint=closed, action="closed")
    clock.set_day(dt.date(2026, 10, 31))
    return {**ledger_world, "c1": c1, "c2": c2, "overdue": overdue}


def _proxy_request() -> None:
    """A village agent registers a proxy request through the API (as the tablet does)."""
    from django.test import Client

    from tests.conftest import otp_verify_session
    from tests.proxy.conftest import Api, entrust
    from tests.proxy.test_api import intake as proxy_intake

    c = Client()
    c.force_login(user("agent"))
    otp_verify_session(c, user("agent"))
    agent = Api(c)
    assert proxy_intake(agent, entrust(agent).json()["id"]).status_code == 201


def numbers(html: str) -> list[tuple[str, str, int]]:
    """(id or data-figure, href, number) of every linked number on a page."""
    return [(i or fig, htmllib.unescape(href), int(n)) for i, fig, href, n in NUM.findall(html)]


def listed(client: Any, href: str) -> int:
    r = client.get(href)
    assert r.status_code == 200, (href, r.status_code)
    m = COUNT.search(r.content.decode())
    assert m, href
    return int(m.group(1))


def exported(client: Any, href: str) -> int:
    r = client.get(href.replace("/ledger/cases/?", "/ledger/cases.xlsx?"))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(r.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[-1][0] == "合计"
    n = len(rows) - 2
    assert rows[-1][1] == f"{n} 件"
    return n


def test_every_dashboard_number_leads_to_as_many_cases(data: dict[str, Any], login: Any) -> None:
    c = login("supervisor")
    html = c.get("/ledger/", PERIOD).content.decode()
    found = numbers(html)
    by_id = {k: (href, n) for k, href, n in found}
    # the figures are what the services produced (not a comparison of two zeros)
    assert by_id["kpi-received"][1] == 5
    assert by_id["kpi-accepted"][1] == 4
    assert by_id["kpi-decided"][1] == 2
    assert by_id["kpi-late"][1] == 1
    assert by_id["kpi-proxy"][1] == 1
    assert by_id["kpi-good"][1] == 2 and by_id["kpi-bad"][1] == 1 and by_id["kpi-ratings"][1] == 3
    assert by_id["kpi-complaints"][1] == 3 and by_id["kpi-complaints-closed"][1] == 1
    assert by_id["kpi-complaints-late"][1] == 1 and by_id["kpi-proxy-requests"][1] == 1
    assert by_id["overdue-count"][1] == 2  # 甲镇 and 乙苏木 each have one
    assert len(found) > 20  # the KPI tiles and every row of the township / centre / item tables
    for _key, href, n in found:
        assert href.startswith("/ledger/cases/?")
        assert listed(c, href) == n, href
    for key in ("kpi-received", "kpi-late", "kpi-good"):
        assert exported(c, by_id[key][0]) == by_id[key][1]
    # the list shows the cases, the applicant masked
    page = c.get(by_id["kpi-late"][0]).content.decode()
    assert data["c2"].number in page and data["c1"].number not in page
    assert "巴**" in page and "巴特尔" not in page
    page = c.get(by_id["overdue-count"][0]).content.decode()
    assert data["overdue"].number in page


def test_township_rows_and_drilled_dashboard(data: dict[str, Any], login: Any) -> None:
    c = login("supervisor")
    # one level down (甲镇): its villages and its own level ("本级") still add up
    html = c.get("/ledger/", {**PERIOD, "j": "152522100000"}).content.decode()
    found = numbers(html)
    assert any("exact=1" in href for _k, href, _n in found)
    for _key, href, n in found:
        assert listed(c, href) == n, href


def test_ranking_numbers_lead_to_cases(data: dict[str, Any], login: Any) -> None:
    c = login("supervisor")
    html = c.get("/ledger/ranking/", PERIOD).content.decode()
    found = numbers(html)
    assert sorted(n for k, _h, n in found if k == "received") == [0, 0, 1, 4]
    assert sorted(n for k, _h, n in found if k == "complaints") == [0, 0, 1, 2]
    assert sorted(n for k, _h, n in found if k == "proxy_requests") == [0, 0, 1, 1]  # 甲一嘎查 and 甲镇
    for _key, href, n in found:
        assert listed(c, href) == n, href


def test_drill_down_is_scoped_to_the_viewer(data: dict[str, Any], login: Any) -> None:
    c = login("head")  # centre head of 甲镇
    html = c.get("/ledger/", PERIOD).content.decode()
    found = dict((k, (h, n)) for k, h, n in numbers(html))
    assert found["kpi-received"][1] == 4
    assert listed(c, found["kpi-received"][0]) == 4
    other = {**PERIOD, "figure": "received", "j": "152522200000"}  # 乙苏木
    assert c.get("/ledger/cases/", other).status_code == 404
    assert c.get("/ledger/cases.xlsx", other).status_code == 404
    r = c.get("/ledger/cases/", {**PERIOD, "figure": "received", "centre": "C-B"})
    assert r.status_code == 404
    assert login("clerk").get("/ledger/cases/", {**PERIOD, "figure": "received"}).status_code == 403
    assert (
        login("chief")
        .get("/ledger/cases/", {**PERIOD, "figure": "received"})
        .content.decode()
        .count("共 1 件")
    )


def test_bad_drill_parameters_are_clear_messages(data: dict[str, Any], login: Any) -> None:
    c = login("supervisor")
    r = c.get("/ledger/cases/", {**PERIOD, "figure": "nothing"})
    assert r.status_code == 422 and "指标应为" in r.content.decode()
    r = c.get("/ledger/cases/", {"figure": "received", "from": "2026-13-01"})
    assert r.status_code == 422 and "日期格式" in r.content.decode()
    r = c.get("/ledger/cases/", {"figure": "received", "centre": "NOPE"})
    assert r.status_code == 404


def test_local_day_boundaries_and_voided_ratings(
    ledger_world: dict[str, Any], clock: Any, login: Any
) -> None:
    """A decision at 00:00 Beijing time is the next day's (and late when the deadline was the day
    before), whatever the database's time zone; a voided rating is in no rating list."""
    from onewindow.core import signals
    from onewindow.feedback.models import Rating

    clock.set_day(dt.date(2026, 9, 1))
    a, b = intake(), intake()
    assert a.deadline == dt.date(2026, 9, 15)
    clock.set_day(dt.date(2026, 9, 15), hour=23)
    act("reviewer", a, "approve")
    clock.set_day(dt.date(2026, 9, 16), hour=0)
    act("reviewer", b, "approve")
    act("reviewer", b, "ready")
    act("clerk", b, "deliver", to="window", signed_by="巴特尔")
    bad = feedback.rating_submit(number=b.number, check="002X", level=1, channel="online", comment="太慢")
    feedback.rating_submit(number=b.number, check="002X", level=4, channel="window")
    bad.voided = True
    bad.save(update_fields=["voided"])
    signals.rating_changed.send(sender=Rating, rating=bad, action="voided")
    clock.set_day(dt.date(2026, 9, 30))
    c = login("supervisor")
    for day, expect in (("2026-09-15", {"kpi-decided": 1, "kpi-late": 0}), ("2026-09-16", {"kpi-late": 1})):
        found = {
            k: (h, n) for k, h, n in numbers(c.get("/ledger/", {"from": day, "to": day}).content.decode())
        }
        for key, n in expect.items():
            assert found[key][1] == n, (day, key)
        for key, (href, n) in found.items():
            assert listed(c, href) == n, (day, key)
    found = {k: (h, n) for k, h, n in numbers(c.get("/ledger/", {"from": "2026-09-01"}).content.decode())}
    assert found["kpi-ratings"][1] == 1 and found["kpi-bad"][1] == 0
    assert listed(c, found["kpi-ratings"][0]) == 1 and listed(c, found["kpi-bad"][0]) == 0
    on_time = listed(c, found["kpi-decided"][0].replace("figure=decided", "figure=on_time"))
    assert on_time == 1


def test_trend_bars_lead_to_their_days_and_months(data: dict[str, Any], login: Any) -> None:
    from tests.ledger.test_views import chart_data

    c = login("supervisor")
    for period, first in ((PERIOD, "2026-09-01"), ({"from": "2026-06-15", "to": "2026-10-31"}, "2026-06")):
        trend = chart_data(c.get("/ledger/", period).content.decode())["trend"]
        assert trend["labels"][0] == first
        checked = 0
        for fig in ("received", "decided", "late"):
            assert len(trend["urls"][fig]) == len(trend["labels"])
            for n, url in zip(trend[fig], trend["urls"][fig], strict=True):
                if n or checked < 3:  # every non-empty bar, and a few empty ones
                    assert listed(c, url) == n, url
                    checked += 1
        assert sum(trend["received"]) == 5
    # the first month bar of a period starting mid-month covers only the period's days
    assert "from=2026-06-15&to=2026-06-30" in trend["urls"]["received"][0]


def test_list_pages_keep_the_figure_and_the_export_has_every_row(
    data: dict[str, Any], login: Any, monkeypatch: Any
) -> None:
    from onewindow.ledger import drill

    monkeypatch.setattr(drill, "PAGE_SIZE", 2)
    c = login("supervisor")
    q = {**PERIOD, "figure": "received"}
    first = c.get("/ledger/cases/", q).content.decode()
    assert "共 5 件" in first and "第 1 / 3 页" in first
    nxt = htmllib.unescape(re.search(r'<a href="\?([^"]+)">下一页</a>', first).group(1))  # type: ignore[union-attr]
    assert "figure=received" in nxt and "page=2" in nxt
    second = re.findall(r'href="/cases/(\d+)/"', c.get(f"/ledger/cases/?{nxt}").content.decode())
    assert len(second) == 2 and not set(second) & set(re.findall(r'href="/cases/(\d+)/"', first))
    assert exported(c, "/ledger/cases/?" + "&".join(f"{k}={v}" for k, v in q.items())) == 5
