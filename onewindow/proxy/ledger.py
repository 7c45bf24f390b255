"""The proxy ledger (代办台账) and its monthly roll-up village → township → county (归档、上报).

Each request counts once, in the month it was recorded (一事一记), at every level: its village, the
village's township and the county. Columns: requests, distinct items, submitted in time (within the
pass-on limit), returns (补正), pre-review passed, delivered to the resident, followed up, average
working days from intake to delivery.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from onewindow.core.actor import Actor
from onewindow.core.errors import Invalid
from onewindow.org import access
from onewindow.org.models import Jurisdiction
from onewindow.proxy.models import ProxyRequest, RequestState
from onewindow.proxy.services import request_scope
from onewindow.worktime.calendar import WorkCalendar

GROUPS = ("agent", "village", "township", "county")
GROUP_LABELS = {"agent": "代办员", "village": "嘎查村", "township": "苏木乡镇", "county": "旗县"}
COLUMNS: list[tuple[str, str]] = [
    ("requests", "代办件数"),
    ("items", "涉及事项数"),
    ("on_time", "按时报送"),
    ("late", "超期报送/未报送"),
    ("returns", "退回补正次数"),
    ("passed", "预审通过"),
    ("delivered", "已送达"),
    ("followed_up", "已回访"),
    ("avg_days", "平均办理工作日"),
]
DELIVERED = {RequestState.HANDED_OVER, RequestState.CLOSED}
PASSED = {RequestState.PASSED, RequestState.COLLECTED, *DELIVERED}


@dataclass
class Row:
    key: str
    name: str
    requests: int = 0
    on_time: int = 0
    late: int = 0
    returns: int = 0
    passed: int = 0
    delivered: int = 0
    followed_up: int = 0
    item_codes: set[str] = field(default_factory=set)
    days: list[int] = field(default_factory=list)

    @property
    def items(self) -> int:
        return len(self.item_codes)

    @property
    def avg_days(self) -> float | None:
        return round(sum(self.days) / len(self.days), 1) if self.days else None

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "name": self.name} | {c: getattr(self, c) for c, _label in COLUMNS}

    def add(self, other: Row) -> None:
        for c in ("requests", "on_time", "late", "returns", "passed", "delivered", "followed_up"):
            setattr(self, c, getattr(self, c) + getattr(other, c))
        self.item_codes |= other.item_codes
        self.days += other.days


MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$", re.ASCII)
YEARS = range(1970, 2101)  # 9999-12 would overflow the month's end (a 500 before)


def parse_month(value: str | None) -> dt.date:
    if not value:
        return timezone.localdate().replace(day=1)
    m = MONTH_RE.match(value.strip())
    try:
        if m is None or int(m.group(1)) not in YEARS:
            raise ValueError(value)
        return dt.date(int(m.group(1)), int(m.group(2)), 1)
    except (ValueError, TypeError):
        raise Invalid(
            "月份格式应为 YYYY-MM（1970 至 2100 年）", code="invalid", details={"month": [str(value)[:20]]}
        ) from None


def _month_range(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(month, dt.time.min, tzinfo=tz),
        dt.datetime.combine(nxt, dt.time.min, tzinfo=tz),
    )


def _key(req: ProxyRequest, group_by: str, parents: dict[int, Jurisdiction]) -> tuple[str, str]:
    village = req.village
    if group_by == "agent":
        staff = getattr(req.agent, "staff", None)
        return req.agent.username, getattr(staff, "name", req.agent.username)
    if group_by == "village":
        return village.code, village.name
    township = parents[village.parent_id] if village.parent_id else village
    if group_by == "township":
        return township.code, township.name
    county = parents.get(township.parent_id or 0, township)
    return county.code, county.name


def ledger(*, actor: Actor, month: dt.date, group_by: str = "village") -> tuple[list[Row], Row]:
    """The month's ledger rows grouped by agent / village / township / county, and the total."""
    access.require_perm(actor, access.Perm.PROXY_LEDGER)
    if group_by not in GROUPS:
        raise Invalid(
            "分组应为 agent/village/township/county", code="invalid", details={"group_by": list(GROUPS)}
        )
    start, end = _month_range(month)
    qs = request_scope(actor).filter(created_at__gte=start, created_at__lt=end).select_related("follow_up")
    parents = {j.pk: j for j in Jurisdiction.objects.exclude(level="village")}
    cal = WorkCalendar()
    today = timezone.localdate()
    rows: dict[str, Row] = {}
    for req in qs.exclude(state=RequestState.WITHDRAWN):
        key, name = _key(req, group_by, parents)
        row = rows.setdefault(key, Row(key=key, name=name))
        row.requests += 1
        row.item_codes.add(req.item.code)
        created = timezone.localtime(req.created_at).date()
        sent = timezone.localtime(req.submitted_at).date() if req.submitted_at else None
        if sent is not None and sent <= req.pass_on_deadline:
            row.on_time += 1
        elif sent is not None or today > req.pass_on_deadline:
            row.late += 1
        row.returns += req.return_count
        row.passed += 1 if req.state in PASSED else 0
        if req.state in DELIVERED and req.handed_over_at:
            row.delivered += 1
            row.days.append(cal.workdays_between(created, timezone.localtime(req.handed_over_at).date()))
        fu = getattr(req, "follow_up", None) if req.state == RequestState.CLOSED else None
        row.followed_up += 1 if fu is not None and fu.done_at else 0
    total = Row(key="total", name="合计")
    for row in rows.values():
        total.add(row)
    return sorted(rows.values(), key=lambda r: r.key), total


def rollup(*, actor: Actor, month: dt.date) -> dict[str, tuple[list[Row], Row]]:
    """The monthly report at each level (village → township → county), each request once per level."""
    return {g: ledger(actor=actor, month=month, group_by=g) for g in ("village", "township", "county")}


def ledger_xlsx(*, actor: Actor, month: dt.date, group_by: str) -> bytes:
    rows, total = ledger(actor=actor, month=month, group_by=group_by)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"代办台账{month:%Y-%m}"
    ws.append([f"帮办代办台账（{month:%Y年%m月}，按{GROUP_LABELS[group_by]}）"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(["编码", GROUP_LABELS[group_by], *[label for _c, label in COLUMNS]])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for r in [*rows, total]:
        d = r.as_dict()
        ws.append([d["key"] if r is not total else "", d["name"], *[d[c] for c, _l in COLUMNS]])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 16
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
