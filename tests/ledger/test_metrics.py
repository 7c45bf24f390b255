"""指标说明 and the ranking rule: one definition per named figure; no score and no rank on no data."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from onewindow.feedback import services as feedback
from onewindow.ledger import assessment, metrics
from onewindow.org.models import Centre, Jurisdiction, Level, OpeningHours, Window
from tests.cases.conftest import act, intake

pytestmark = pytest.mark.django_db

SEPT = {"from": "2026-09-01", "to": "2026-09-30"}
CHECK = "002X"  # last 4 of the applicant's ID number (tests.cases.conftest.GOOD_ID)


def add_township(county: Jurisdiction, n: int, *, village: bool = True) -> Jurisdiction:
    t = Jurisdiction.objects.create(
        code=f"1525223{n:02d}000", name=f"新{n}镇", level=Level.TOWNSHIP, parent=county
    )
    if village:
        Jurisdiction.objects.create(code=f"1525223{n:02d}201", name=f"新{n}村", level=Level.VILLAGE, parent=t)
    return t


def add_centre(t: Jurisdiction, code: str) -> Centre:
    c = Centre.objects.create(code=code, name=f"{t.name}便民服务中心", jurisdiction=t, address="1号")
    OpeningHours.objects.create(centre=c, weekdays="12345", start=dt.time(8, 30), end=dt.time(17, 30))
    Window.objects.create(centre=c, number=1, name="综合受理", kind="comprehensive")
    return c


def deliver(case: Any, clerk: str) -> Any:
    act(clerk, case, "ready")
    return act(clerk, case, "deliver", to="window", signed_by="巴特尔")


def ranking_rows(html: str, table_id: str) -> list[list[str]]:
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', html, re.S)
    assert table, table_id
    rows = re.findall(r"<tr><td>(.*?)</tr>", table.group(1), re.S)
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.split(r"</td>\s*<td>", r)] for r in rows]


def test_ranking_never_ranks_units_without_cases(
    ledger_world: dict[str, Any], clock: Any, login: Any
) -> None:
    """The issue's county: six townships and every village without a case; the one township that
    worked (7 cases, all on time, six default 基本满意 and one 不满意). Before: the idle towns scored
    66.7 and the working town ranked last; now it is the only one ranked."""
    county = ledger_world["county"]
    for n in range(1, 6):
        add_township(county, n)
    clock.set_day(dt.date(2026, 9, 1))
    cases = [intake() for _ in range(7)]
    clock.set_day(dt.date(2026, 9, 2))
    cases = [deliver(act("reviewer", c, "approve"), "clerk") for c in cases]
    clock.set_day(dt.date(2026, 9, 3))
    feedback.rating_submit(number=cases[0].number, check=CHECK, level=2, comment="等太久")
    clock.set_day(dt.date(2026, 9, 20))
    assert feedback.rating_apply_defaults() == 6
    clock.set_day(dt.date(2026, 9, 30))

    rows = assessment.ranking(county, dt.date(2026, 9, 1), dt.date(2026, 9, 30), level="township")
    by = {r["j"].name: r for r in rows}
    worked = by["甲镇"]
    assert worked["received"] == 7 and worked["on_time_rate"] == 1.0
    assert worked["satisfaction_rate"] == round(6 / 7, 4)  # 基本满意 is 好评, the default counts
    assert worked["rank"] == 1 and worked["score"] == round(100 * (0.4 * 1 + 0.3 * 6 / 7) / 0.7, 1)
    idle = [r for r in rows if r["j"].name != "甲镇"]
    assert len(idle) == 6
    assert all(r["score"] is None and r["rank"] is None for r in idle)
    assert all(v is None for r in idle for v in r["parts"].values())
    villages = assessment.ranking(county, dt.date(2026, 9, 1), dt.date(2026, 9, 30), level="village")
    assert villages and all(r["rank"] is None and r["score"] is None for r in villages)

    staff = login("supervisor")
    html = staff.get("/ledger/ranking/", SEPT).content.decode()
    town_rows = ranking_rows(html, "rank-township")
    assert town_rows[0][:3] == ["1", "甲镇", str(worked["score"])]
    assert len(town_rows) == 7 and all(r[0] == "—" and r[2] == "—" for r in town_rows[1:])
    assert all(r[0] == "—" and r[2] == "—" for r in ranking_rows(html, "rank-village"))
    # the centre's monthly PDF shows the ranking's own score for the same period (was: another formula)
    pdf = staff.get("/ledger/report/C-A.pdf", {"month": "2026-09"})
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    label = r"考核参考得分（甲镇，与考核排名同口径）\s*"
    assert re.search(label + re.escape(str(worked["score"])), text), text
    assert "/ledger/metrics/" in text
    idle_pdf = staff.get("/ledger/report/C-B.pdf", {"month": "2026-09"})
    idle_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(idle_pdf.content)).pages)
    assert re.search(r"同口径）\s*—", idle_text)


def test_minimum_volumes_are_configurable(ledger_world: dict[str, Any], clock: Any, settings: Any) -> None:
    clock.set_day(dt.date(2026, 9, 1))
    c = intake()
    b1 = intake(actor=ledger_world["chief"].user, centre="C-B")
    intake(actor=ledger_world["chief"].user, centre="C-B")
    period = (dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    by = {r["j"].name: r for r in assessment.ranking(ledger_world["county"], *period, level="township")}
    # cases received but nothing to measure yet (no decision, rating, complaint, proxy): no score
    assert by["乙苏木"]["score"] is None and by["乙苏木"]["rank"] is None
    clock.set_day(dt.date(2026, 9, 2))
    deliver(act("reviewer", c, "approve"), "clerk")
    act("reviewer", b1, "approve")
    feedback.rating_submit(number=c.number, check=CHECK, level=5)
    by = {r["j"].name: r for r in assessment.ranking(ledger_world["county"], *period, level="township")}
    assert by["甲镇"]["parts"]["satisfaction"] == 1.0 and by["甲镇"]["rank"] is not None
    assert by["乙苏木"]["parts"]["on_time"] == 1.0 and by["乙苏木"]["parts"]["satisfaction"] is None
    settings.ASSESSMENT_MIN_CASES = 2
    settings.ASSESSMENT_MIN_RATINGS = 2
    by = {r["j"].name: r for r in assessment.ranking(ledger_world["county"], *period, level="township")}
    assert by["甲镇"]["score"] is None and by["甲镇"]["rank"] is None  # one case: below the minimum
    assert by["甲镇"]["parts"]["satisfaction"] is None  # one rating: below the minimum
    assert by["乙苏木"]["rank"] == 1
    settings.ASSESSMENT_MIN_CASES = 0  # a rank is never given on no data, whatever the setting
    assert metrics.minimums()["cases"] == 1


def test_zero_denominators_are_none_never_0_or_100() -> None:
    empty = metrics.figures({})
    rates = [k for k, m in metrics.REGISTRY.items() if m.kind in {"rate", "average"}]
    assert rates and all(empty[k] is None for k in rates)
    assert all(empty[k] == 0 for k, m in metrics.REGISTRY.items() if m.kind == "count")
    assert metrics.assessment_score({}) is None
    assert metrics.pct(None) == "—"
    # 满意率 = levels 3–5 over valid ratings (voided are not in the level counters)
    c = {"rating_5": 1, "rating_4": 1, "rating_3": 2, "rating_2": 1, "rating_1": 0, "ratings_voided": 3}
    assert metrics.satisfaction_rate(c) == 0.8 and metrics.good(c) == 4 and metrics.bad(c) == 1


def test_metrics_page_is_public_and_linked(ledger_world: dict[str, Any], client: Any, login: Any) -> None:
    r = client.get("/ledger/metrics/")
    assert r.status_code == 200
    html = r.content.decode()
    for m in metrics.REGISTRY.values():
        assert f'id="metric-{m.key}"' in html and m.name in html and m.formula in html
    assert "非常满意 + 满意 + 基本满意" in html
    for url in ("/feedback/results/", "/feedback/centres/C-A/"):
        assert 'href="/ledger/metrics/"' in client.get(url).content.decode(), url
    staff = login("supervisor")
    for url in ("/ledger/", "/ledger/ranking/"):
        assert 'href="/ledger/metrics/"' in staff.get(url).content.decode(), url
    xlsx = staff.get("/ledger/export/centre.xlsx")
    notes = {r[0]: r[1] for r in load_workbook(io.BytesIO(xlsx.content))["说明"].iter_rows(values_only=True)}
    assert notes["指标说明"] == "/ledger/metrics/"
    assert notes["满意率"] == metrics.REGISTRY["satisfaction_rate"].formula
