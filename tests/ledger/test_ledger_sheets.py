"""Issue 15: every exported ledger sheet adds up — the 合计 line equals the sum of the rows in every
counted column — and names a resident's own online application "网上申请（群众）", never her
internal account; the PDF report draws daily counts as bars on a whole-number axis with labels that
do not overlap."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from onewindow.feedback import services as feedback
from onewindow.ledger import exports, fold, svg
from onewindow.ledger.exports import COLUMNS, PERCENT, TABLES
from onewindow.portal.models import ResidentAccount
from onewindow.privacy.identifiers import id_check_digit
from onewindow.queueing import services as queue
from tests.cases.conftest import act, applicant, intake, user
from tests.factories import make_item

pytestmark = pytest.mark.django_db
RATES = {h for k, h, rate in COLUMNS if rate or k in PERCENT}


def _world(clock: Any, world: Any) -> Any:
    """Window cases, a resident's own online application, a proxy case, a ticket (no item, no
    case), a rating, a complaint without a centre — over two months."""
    make_item("MZ-009", "网办测试事项", world["department"], world["domain"], online=True)
    clock.set_day(dt.date(2026, 9, 2))
    window = intake()  # accepted at the window
    intake(channel="proxy")
    intake(actor=user("outsider"), centre="C-B")
    resident = get_user_model().objects.create(username="r-13912345678")
    ResidentAccount.objects.create(
        user=resident, phone="13912345678", phone_index="idx-r", resident=window.applicant
    )
    online = intake(actor=resident, item="MZ-009", channel="online", applicant={})
    queue.ticket_issue(centre="C-A", category="comprehensive")
    feedback.complaint_submit(category="suggestion", content="建议延长午间服务")
    clock.set_day(dt.date(2026, 10, 12))
    act("reviewer", window, "approve")
    act("clerk", window, "ready")
    act("clerk", window, "deliver", to="window", signed_by="巴特尔")
    feedback.rating_submit(number=window.number, check="002X", level=2, comment="等太久")
    clock.set_day(dt.date(2026, 10, 20))
    fold.fold()
    return resident, online


def _check_sheet(ws: Any, table: str) -> None:
    rows = list(ws.iter_rows(values_only=True))
    header, body, total = rows[0], rows[1:-1], rows[-1]
    assert total[0] == "合计", table
    assert body, f"{table}: no rows"
    checked = 0
    for col, name in enumerate(header):
        if col == 0 or name in RATES:
            continue
        values = [r[col] for r in body]
        assert all(isinstance(v, int) for v in values), (table, name)
        assert sum(values) == total[col], f"{table} / {name}: rows {sum(values)} ≠ 合计 {total[col]}"
        checked += 1
    assert checked == len(COLUMNS) - len(RATES)


def test_every_exported_ledger_sheet_adds_up(ledger_world: Any, clock: Any, login: Any) -> None:
    resident, _online = _world(clock, ledger_world)
    client = login("supervisor")
    seen_totals = set()
    for table in TABLES:
        r = client.get(f"/ledger/export/{table}.xlsx", {"from": "2026-09-01", "to": "2026-10-20"})
        assert r.status_code == 200, table
        wb = load_workbook(io.BytesIO(r.content))
        ws = wb.worksheets[0]
        _check_sheet(ws, table)
        total = list(ws.iter_rows(values_only=True))[-1]
        seen_totals.add(tuple(total[1:]))
        labels = [row[0] for row in ws.iter_rows(min_row=2, values_only=True)]
        assert resident.username not in labels and str(resident.pk) not in labels, table
    # every grouping shows the same 合计 (one set of figures, however it is cut)
    assert len(seen_totals) == 1
    received = dict(zip(COLUMNS, next(iter(seen_totals)), strict=False))
    assert received[COLUMNS[0]] == 4  # four cases received


def test_clerk_ledger_names_online_applicants(ledger_world: Any, clock: Any, login: Any) -> None:
    _world(clock, ledger_world)
    # a second resident's online application joins the same row
    other = get_user_model().objects.create(username="r-13700000000")
    first17 = "15252219800101001"
    by_window = intake(applicant=applicant(name="其木格", id_number=first17 + id_check_digit(first17)))
    ResidentAccount.objects.create(
        user=other, phone="13700000000", phone_index="idx-o", resident=by_window.applicant
    )
    intake(actor=other, item="MZ-009", channel="online", applicant={})
    fold.fold()
    data = exports.table_xlsx(ledger_world["county"], dt.date(2026, 9, 1), dt.date(2026, 10, 20), "clerk")
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    header = next(ws.iter_rows(max_row=1, values_only=True))
    col = header.index("收件")
    assert rows["网上申请（群众）"][col] == 2
    assert rows["综窗甲"][col] == 3 and rows["综窗乙"][col] == 1
    assert "r-13700000000" not in rows and "r-13912345678" not in rows
    assert rows["无经办人（排队取号、评价等）"][header.index("取号")] == 1
    _check_sheet(ws, "clerk")


def test_drill_exports_count_their_rows(ledger_world: Any, clock: Any, login: Any) -> None:
    _world(clock, ledger_world)
    client = login("supervisor")
    for figure in ("received", "accepted", "decided", "ratings", "bad", "complaints", "proxy"):
        r = client.get("/ledger/cases.xlsx", {"figure": figure, "from": "2026-09-01", "to": "2026-10-20"})
        assert r.status_code == 200, figure
        rows = list(load_workbook(io.BytesIO(r.content)).worksheets[0].iter_rows(values_only=True))
        assert rows[-1][0] == "合计" and rows[-1][1] == f"{len(rows) - 2} 件", figure


# --- the PDF report's daily chart -----------------------------------------------------------------


def test_count_ticks_are_whole_numbers() -> None:
    assert svg.count_ticks(0) == [0, 1]
    assert svg.count_ticks(3) == [0, 1, 2, 3]
    assert svg.count_ticks(5) == [0, 1, 2, 3, 4, 5]
    assert svg.count_ticks(7) == [0, 2, 4, 6, 8]
    assert svg.count_ticks(23) == [0, 5, 10, 15, 20, 25]
    assert svg.count_ticks(480) == [0, 100, 200, 300, 400, 500]
    for v in range(0, 300):
        ticks = svg.count_ticks(v)
        assert ticks[-1] >= v and len(ticks) <= 6 and all(isinstance(t, int) for t in ticks)


def test_daily_chart_is_bars_with_readable_labels() -> None:
    labels = [f"{d}日" for d in range(1, 32)]
    chart = svg.columns_chart(labels, {"收件": [d % 4 for d in range(31)], "办结": [1] * 31})
    assert "<polyline" not in chart
    bars = re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"', chart)
    assert len(bars) == 23 + 31 + 2  # one per non-zero day and series, and the two legend keys
    ticks = re.findall(r'text-anchor="end" fill="#555">([^<]+)<', chart)
    assert ticks == ["0", "1", "2", "3"]  # counts: no 0.75, 1.5…
    xs = [float(x) for x in re.findall(r'<text x="([\d.]+)" y="\d+" text-anchor="middle">\d+日', chart)]
    assert 4 <= len(xs) < 31 and xs[0] < xs[1]
    widest = max(svg._text_width(lab) for lab in labels)
    assert min(b - a for a, b in itertools.pairwise(xs)) > widest  # no two labels overlap


def test_monthly_report_draws_the_daily_trend_as_bars(ledger_world: Any, clock: Any) -> None:
    _world(clock, ledger_world)
    ctx = exports.centre_report_context(ledger_world["centres"]["a"], dt.date(2026, 9, 1))
    import base64

    trend = base64.b64decode(ctx["charts"][0].split(",", 1)[1]).decode()
    assert "逐日收件与办结" in trend and "<polyline" not in trend and "<title>2日 收件 3</title>" in trend
