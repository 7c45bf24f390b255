"""Excel exports of the ledger tables and the monthly PDF report of a centre."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from onewindow.core.errors import Invalid
from onewindow.documents.pdf import render_pdf
from onewindow.ledger import assessment, fold, metrics, selectors, svg
from onewindow.ledger.models import MEASURE_LABELS, CoarseFact, Fact
from onewindow.org.models import Centre, Jurisdiction

# table slug → (title, group_by of selectors.grouped)
TABLES: dict[str, tuple[str, str]] = {
    "jurisdiction": ("分区域统计台账", "jurisdiction"),
    "centre": ("分中心统计台账", "centre"),
    "item": ("分事项统计台账", "item"),
    "domain": ("分领域统计台账", "domain"),
    "window": ("窗口工作台账", "window"),
    "clerk": ("窗口人员工作台账", "clerk"),
    "agent": ("代办员工作台账", "agent"),
    "month": ("月度统计台账", "month"),
    "day": ("逐日统计台账", "day"),
}

# (row key, Chinese header, is a rate/average computed from the sums)
COLUMNS: list[tuple[str, str, bool]] = [
    ("received", "收件", False),
    ("accepted", "受理", False),
    ("corrections", "补正告知", False),
    ("not_accepted", "不予受理", False),
    ("decided", "办结", False),
    ("approved", "准予", False),
    ("denied", "不予许可", False),
    ("on_time", "按时办结", False),
    ("late", "超期办结", False),
    ("on_time_rate", "按时办结率", True),
    ("workdays_sum", "办结用时合计（工作日）", False),
    ("avg_workdays", "平均办结用时（工作日）", True),
    ("delivered", "送达", False),
    ("withdrawn", "撤回", False),
    ("proxy_received", "代办收件", False),
    ("proxy_share", "代办占比", True),
    ("proxy_requests", "代办登记", False),
    ("tickets_issued", "取号", False),
    ("tickets_served", "叫号办理", False),
    ("wait_minutes", "等候时长合计（分钟）", False),
    ("avg_wait_minutes", "平均等候（分钟）", True),
    ("ratings", "有效评价", False),
    ("good", "好评", False),
    ("bad", "差评", False),
    *[(f"rating_{i}", MEASURE_LABELS[f"rating_{i}"], False) for i in (5, 4, 3, 2, 1)],
    ("ratings_default", "默认评价", False),
    ("ratings_voided", "已作废评价", False),
    ("satisfaction_rate", "满意率", True),
    ("complaints_received", "投诉建议受理", False),
    ("complaints_closed", "投诉建议办结", False),
    ("complaints_late", "投诉建议超期", False),
]
PERCENT = {"on_time_rate", "proxy_share", "satisfaction_rate"}
COLUMN_KEYS = {k for k, _h, _r in COLUMNS}


def metrics_url() -> str:
    """Where the definitions (指标说明) are published: absolute when ``SITE_URL`` is set."""
    return (settings.SITE_URL or "").rstrip("/") + reverse("ledger:metrics")


def _cell(value: Any) -> Any:
    """A figure that cannot be computed (None: zero denominator) is shown as "—", as on the pages."""
    return "—" if value is None else value


def _safe(value: str) -> str:
    """Neutralise cells Excel would read as formulas (= + - @)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def table_xlsx(
    jurisdiction: Jurisdiction, date_from: dt.date, date_to: dt.date, table: str, *, domain: str | None = None
) -> bytes:
    title, group_by = TABLES[table]
    as_of = fold.fresh()
    qs = selectors.facts(
        jurisdiction,
        date_from,
        date_to,
        domain=domain,
        fine=group_by in selectors.FINE_GROUPS,
        daily=group_by == "day",
    )
    rows = selectors.grouped(qs, group_by, jurisdiction, complete=True)
    totals = selectors.totals(qs)
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = title[:31]
    headers = [selectors.GROUP_LABELS[group_by], *[h for _k, h, _r in COLUMNS]]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append([_safe(str(r["label"])), *[_cell(r[k]) for k, _h, _r in COLUMNS]])
    ws.append(["合计", *[_cell(totals[k]) for k, _h, _r in COLUMNS]])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for col, (k, _h, _r) in enumerate(COLUMNS, start=2):
        if k in PERCENT:
            for row in ws.iter_rows(min_row=2, min_col=col, max_col=col):
                row[0].number_format = "0.0%"
    ws.column_dimensions["A"].width = 28
    ws.freeze_panes = "B2"
    info = wb.create_sheet("说明")
    for line in [
        ("台账", title),
        ("区域", f"{jurisdiction.name}（{jurisdiction.code}）"),
        ("统计期间", f"{date_from:%Y-%m-%d} 至 {date_to:%Y-%m-%d}"),
        ("领域", domain or "全部"),
        ("导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")),
        ("数据截至", timezone.localtime(as_of).strftime("%Y-%m-%d %H:%M:%S") if as_of else "—"),
        ("指标说明", metrics_url()),
    ]:
        info.append(list(line))
    for m in metrics.REGISTRY.values():
        if m.key in COLUMN_KEYS:
            info.append([m.name, m.formula])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def parse_month(raw: str | None) -> dt.date:
    today = timezone.localdate()
    if not raw:
        return today.replace(day=1)
    try:
        month = dt.date.fromisoformat(f"{raw.strip()}-01")
    except ValueError as exc:
        raise Invalid(
            f"月份格式应为 YYYY-MM：{raw}", code="invalid", details={"month": ["格式错误"]}
        ) from exc
    if month > today:
        raise Invalid(f"报告月份 {raw} 在未来", code="period_in_future", details={"month": ["不能晚于本月"]})
    return month


def _month_end(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def centre_report_context(centre: Centre, month: dt.date) -> dict[str, Any]:
    start, end = month, min(_month_end(month), timezone.localdate())
    as_of = fold.fresh()
    qs = CoarseFact.objects.filter(grain="day", centre=centre, day__gte=start, day__lte=end)
    totals = selectors.totals(qs)
    prev_start = (month - dt.timedelta(days=1)).replace(day=1)
    prev = selectors.totals(CoarseFact.objects.filter(grain="month", centre=centre, day=prev_start))
    days = {r["key"]: r for r in selectors.grouped(qs, "day")}
    labels = [(start + dt.timedelta(days=i)) for i in range((end - start).days + 1)]
    empty = selectors.with_rates({})
    trend = svg.columns_chart(
        [f"{d.day}日" for d in labels],
        {
            "收件": [days.get(d.isoformat(), empty)["received"] for d in labels],
            "办结": [days.get(d.isoformat(), empty)["decided"] for d in labels],
        },
        title="逐日收件与办结",
    )
    items = selectors.grouped(Fact.objects.filter(centre=centre, day__gte=start, day__lte=end), "item")
    items.sort(key=lambda r: -r["received"])
    items_chart = svg.bar_chart(
        [r["label"].split(" ", 1)[-1] for r in items[:8]],
        [r["received"] for r in items[:8]],
        title="主要事项收件量",
    )
    ratings_chart = svg.bar_chart(
        ["非常满意", "满意", "基本满意", "不满意", "非常不满意"],
        [totals[f"rating_{i}"] for i in (5, 4, 3, 2, 1)],
        title="好差评分布",
    )
    return {
        "centre": centre,
        "month": month,
        "start": start,
        "end": end,
        "t": totals,
        "prev": prev,
        "items": items[:15],
        "charts": [svg.data_uri(trend), svg.data_uri(items_chart), svg.data_uri(ratings_chart)],
        # the ranking's own score of the centre's jurisdiction, same period (one definition)
        "score": assessment.score_of(centre.jurisdiction, start, end),
        "score_scope": centre.jurisdiction,
        "metrics_url": metrics_url(),
        "generated": timezone.localtime(),
        "as_of": as_of,
    }


def centre_report_pdf(centre: Centre, month: dt.date) -> bytes:
    return render_pdf("ledger/pdf/centre_report.html", centre_report_context(centre, month))
