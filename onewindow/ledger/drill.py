"""Drill-down (穿透查询): the cases (or ratings) behind a dashboard figure.

A figure's list uses the same definition as the rollup measure it explains (see ``rollup.py``), so
its count equals the number shown:

- ``received`` 收件: cases whose first timeline entry falls in the period;
- ``proxy`` 代办收件: of those, the proxy-channel cases (the numerator of 代办占比);
- ``accepted`` 受理: cases accepted (accept / supplement / deemed acceptance) in the period;
- ``decided`` 办结: cases approved or denied in the period;
- ``on_time`` / ``late`` 按时 / 超期办结: of those, decided on or before / after the deadline;
- ``overdue`` 超期未办结: open cases on the clock (or suspended) past their deadline today, any period;
- ``complaints`` / ``complaints_closed`` / ``complaints_late`` 投诉建议受理 / 办结 / 超期办结: by the
  complaint's own jurisdiction, created / closed in the period;
- ``proxy_requests`` 代办登记: proxy requests registered in the period in a village of the subtree;
- ``ratings`` 有效评价, ``good`` 好评 (levels 3–5), ``bad`` 差评 (levels 1–2): ratings given in the period,
  voided ones excluded (the rows are ratings: a case can be rated once per channel).

Scope: cases accepted at a centre of the jurisdiction's subtree (``exact``: of the jurisdiction
itself, the "本级" row), optionally one centre, one item, one domain — the rollup's attribution.
The jurisdiction itself must be in the viewer's scope (``selectors.jurisdiction_for``: else 404).
Ratings, complaints and proxy requests are listed from the models their apps registered in
:mod:`onewindow.core.ledger_contrib`.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Left, TruncDate
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from onewindow.cases.models import CLOCK_STATES, Case, CaseEvent
from onewindow.core import ledger_contrib
from onewindow.core.errors import Invalid, NotFound
from onewindow.core.paging import IdsFirst
from onewindow.ledger import fold, log, rollup, selectors
from onewindow.org.models import Centre, Jurisdiction

CASE_FIGURES: dict[str, str] = {
    "received": "收件",
    "proxy": "代办收件",
    "accepted": "受理",
    "decided": "办结",
    "on_time": "按时办结",
    "late": "超期办结",
    "overdue": "超期未办结",
}
RATING_FIGURES: dict[str, str] = {
    "ratings": "有效评价",
    "good": "好评（基本满意及以上）",
    "bad": "差评（不满意、非常不满意）",
}
OTHER_FIGURES: dict[str, str] = {
    "complaints": "投诉建议受理",
    "complaints_closed": "投诉建议办结",
    "complaints_late": "投诉建议超期办结",
    "proxy_requests": "代办登记",
}
FIGURES = {**CASE_FIGURES, **RATING_FIGURES, **OTHER_FIGURES}
DEFINITIONS: dict[str, str] = {
    "received": "统计期间内登记收件的办件（含待受理、补正、不予受理）",
    "proxy": "统计期间内收件、渠道为帮办代办的办件（代办占比的分子）",
    "accepted": "统计期间内受理（含补正后受理、逾期视为受理）的办件",
    "decided": "统计期间内作出准予或不予许可决定的办件",
    "on_time": "统计期间内办结、决定日不晚于办结期限的办件",
    "late": "统计期间内办结、决定日晚于办结期限的办件",
    "overdue": "截至今天已过办结期限仍未办结（审查中或中止）的办件，不受统计期间限制",
    "ratings": "统计期间内的有效评价（不含已作废评价），每个评价渠道一条",
    "good": "统计期间内评价等级为非常满意、满意、基本满意的有效评价",
    "bad": "统计期间内评价等级为不满意、非常不满意的有效评价",
    "complaints": "统计期间内登记的投诉建议（按所属区域）",
    "complaints_closed": "统计期间内办结的投诉建议",
    "complaints_late": "统计期间内办结、但超过办理期限的投诉建议",
    "proxy_requests": "统计期间内代办员登记的代办申请（按嘎查村）",
}
# a case figure's number on the dashboard: the sum of these rollup measures (``rollup.py``)
FIGURE_MEASURES: dict[str, tuple[str, ...]] = {
    "received": ("received",),
    "proxy": ("proxy_received",),
    "accepted": ("accepted",),
    "decided": ("approved", "denied"),
    "on_time": ("on_time",),
    "late": ("late",),
}
RATING_LEVELS = {"ratings": (1, 2, 3, 4, 5), "good": (3, 4, 5), "bad": (1, 2)}
PAGE_SIZE = 50
ACCEPT_ACTIONS = ("accept", "supplement", "deemed_accept")
SELECTED = ("item_version", "centre", "queue_department")  # what a case row shows


@dataclass
class Scope:
    figure: str
    j: Jurisdiction
    date_from: dt.date
    date_to: dt.date
    domain: str | None = None
    centre: Centre | None = None
    item: str | None = None
    exact: bool = False

    @property
    def label(self) -> str:
        return FIGURES[self.figure]

    @property
    def definition(self) -> str:
        return DEFINITIONS[self.figure]

    @property
    def is_rating(self) -> bool:
        return self.figure in RATING_FIGURES

    @property
    def kind(self) -> str:
        if self.figure in CASE_FIGURES:
            return "case"
        if self.is_rating:
            return "rating"
        return "proxy" if self.figure == "proxy_requests" else "complaint"


def parse_figure(raw: str | None) -> str:
    figure = (raw or "").strip()
    if figure not in FIGURES:
        raise Invalid(
            f"指标应为 {'、'.join(FIGURES)} 之一",
            code="invalid",
            details={"figure": list(FIGURES)},
        )
    return figure


def centre_in(j: Jurisdiction, code: str | None) -> Centre | None:
    """The centre ``code`` if it lies in ``j``'s subtree (the viewer's scope), else 404."""
    if not code:
        return None
    centre = Centre.objects.select_related("jurisdiction").filter(code=code).first()
    if centre is None or not centre.jurisdiction.path.startswith(j.path):
        raise NotFound(f"服务中心 {code} 不存在", code="not_found")
    return centre


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _source(kind: str) -> Any:
    """The model of a contribution kind, as its app registered it (``core.ledger_contrib``); a figure
    whose app is not installed has nothing behind it: 404."""
    model = ledger_contrib.model(kind)
    if model is None:
        raise NotFound(f"指标来源 {kind} 未安装", code="not_found")
    return model


def _place_q(s: Scope, prefix: str) -> Q:
    if s.centre is not None:
        return Q(**{f"{prefix}centre": s.centre})
    if s.exact:
        return Q(**{f"{prefix}centre__jurisdiction": s.j})
    return Q(**{f"{prefix}centre__jurisdiction__path__startswith": s.j.path})


def case_rows(s: Scope) -> QuerySet[Any]:
    """The cases behind a case figure (distinct cases, newest first)."""
    if s.centre is not None or s.exact:
        qs = Case.objects.filter(_place_q(s, ""))
    elif s.figure in {"received", "proxy"}:  # on the INCLUDE column of case_received_cover (_received)
        qs = Case.objects.alias(scope=Left("centre_path", len(s.j.path))).filter(scope=s.j.path)
    else:
        qs = Case.objects.filter(centre_path__startswith=s.j.path)
    if s.domain:
        qs = qs.filter(item_version__domain__code=s.domain)
    if s.item:
        qs = qs.filter(item__code=s.item)
    if s.figure == "overdue":
        qs = qs.filter(state__in=[*CLOCK_STATES, "suspended"], deadline__lt=timezone.localdate())
    elif s.figure in {"received", "proxy"}:
        qs = _received(qs, s)
    else:
        events = CaseEvent.objects.filter(
            at__gte=_start_of(s.date_from), at__lt=_start_of(s.date_to + dt.timedelta(days=1))
        )
        if s.figure == "accepted":
            events = events.filter(action__in=ACCEPT_ACTIONS, state_to="accepted")
        else:  # decided, on_time, late
            events = events.filter(
                Q(action="approve", state_to="approved") | Q(action="deny", state_to="denied")
            )
            if s.figure != "decided":
                day = TruncDate("at", tzinfo=timezone.get_current_timezone())
                events = events.annotate(local_day=day)
                late = Q(case__deadline__isnull=False, local_day__gt=F("case__deadline"))
                events = events.filter(late) if s.figure == "late" else events.exclude(late)
        qs = qs.filter(pk__in=events.values("case_id"))
    return qs.select_related(*SELECTED).order_by("-received_at", "-pk")


def _received(qs: QuerySet[Any], s: Scope) -> QuerySet[Any]:
    """The cases whose first timeline entry falls in the period. That entry is never later than the
    receipt (``received_at``: the intake's time; a proxy case's first entry is the agent's earlier
    submission), so only the cases received since the period began are candidates: a page walks them
    newest first on ``case_received_cover`` and checks each one's first entry through the unique
    (case, seq) index — it reads about a page of cases, not every entry of the period (issue #18)."""
    start, end = _start_of(s.date_from), _start_of(s.date_to + dt.timedelta(days=1))
    first = CaseEvent.objects.filter(case=OuterRef("pk"), seq=1).order_by().values("at")[:1]
    qs = qs.filter(received_at__gte=start).annotate(first_at=Subquery(first))
    qs = qs.filter(first_at__gte=start, first_at__lt=end)
    return qs.filter(channel="proxy") if s.figure == "proxy" else qs


class CasePages(IdsFirst):
    """A case list for the paginator, sliced in two steps (``core.paging.IdsFirst``): the page's ids
    first (for a figure of the jurisdiction's subtree an index-only walk of ``case_received_cover``: no
    table row per candidate), then those cases with their item version, centre and department.
    ``n``: :func:`count`."""

    def __init__(self, qs: QuerySet[Any], n: int) -> None:
        super().__init__(qs, qs.model._default_manager.select_related(*SELECTED))
        self.n = n

    def count(self) -> int:
        return self.n


def pages(s: Scope) -> Any:
    """What the list page pages: the case rows in two steps (:class:`CasePages`), the others as they are."""
    qs = rows(s)
    return CasePages(qs, count(s)) if s.kind == "case" else qs


def figure_count(s: Scope) -> int | None:
    """The number of a case figure as the rollups hold it — the dashboard's own number, read from
    rows bounded by places × days, not by cases — when every logged event is folded (``fold.fresh``
    folds a small backlog first, as the dashboard does). None for a figure without a measure
    (overdue, ratings, complaints, proxy requests) or while events wait: then the rows are counted."""
    measures = FIGURE_MEASURES.get(s.figure)
    if measures is None:
        return None
    fold.fresh()
    if log.backlog(1):
        return None
    qs = selectors.facts(s.j, s.date_from, s.date_to, domain=s.domain, centre=s.centre, fine=bool(s.item))
    if s.exact:
        qs = qs.filter(jurisdiction=s.j)
    if s.item:
        qs = qs.filter(item__code=s.item)
    figures = selectors.totals(qs)
    return sum(int(figures[m]) for m in measures)


def count(s: Scope) -> int:
    """How many rows :func:`rows` lists: the rollup figure when it is complete, else a count."""
    n = figure_count(s)
    return rows(s).count() if n is None else n


def rating_rows(s: Scope) -> QuerySet[Any]:
    """The valid ratings behind a rating figure, newest first."""
    qs = _source("rating").objects.filter(
        _place_q(s, ""),
        voided=False,
        level__in=RATING_LEVELS[s.figure],
        created_at__gte=_start_of(s.date_from),
        created_at__lt=_start_of(s.date_to + dt.timedelta(days=1)),
    )
    if s.domain:
        qs = qs.filter(case__item_version__domain__code=s.domain)
    if s.item:
        qs = qs.filter(Q(case__item__code=s.item) | Q(case__isnull=True, item__code=s.item))
    return qs.select_related("case__item_version", "centre", "item").order_by("-created_at", "-pk")


def _in_period(field: str, s: Scope) -> Q:
    return Q(
        **{
            f"{field}__gte": _start_of(s.date_from),
            f"{field}__lt": _start_of(s.date_to + dt.timedelta(days=1)),
        }
    )


def complaint_rows(s: Scope) -> QuerySet[Any]:
    """Complaints of the jurisdiction (its own ``jurisdiction``, as the rollup attributes them):
    received = created in the period; closed / late = closed in the period (late: ``rollup``'s rule).
    They carry no item or domain: with either filter the list is empty, like the figure."""
    if s.centre is not None:
        place = Q(centre=s.centre)
    elif s.exact:
        place = Q(jurisdiction=s.j)
    else:
        place = Q(jurisdiction__path__startswith=s.j.path)
    qs = _source("complaint").objects.filter(place)
    if s.domain or s.item:
        qs = qs.none()
    if s.figure == "complaints":
        qs = qs.filter(_in_period("created_at", s))
    else:
        qs = qs.filter(_in_period("closed_at", s))
        if s.figure == "complaints_late":
            cal = rollup._Calendar()
            late = [
                c.pk for c in qs.only("pk", "created_at", "closed_at") if rollup.complaint_is_late(c, cal)
            ]
            qs = qs.filter(pk__in=late)
    return qs.select_related("centre", "jurisdiction").order_by("-created_at", "-pk")


def proxy_rows(s: Scope) -> QuerySet[Any]:
    """Proxy requests registered in the period in a village of the jurisdiction (no centre, no domain
    in the rollup: with either filter the list is empty, like the figure)."""
    place = Q(village=s.j) if s.exact else Q(village__path__startswith=s.j.path)
    qs = _source("proxy").objects.filter(place, _in_period("created_at", s))
    if s.domain or s.centre is not None:
        qs = qs.none()
    if s.item:
        qs = qs.filter(item__code=s.item)
    return qs.select_related("village", "item", "case").order_by("-created_at", "-pk")


def rows(s: Scope) -> QuerySet[Any]:
    return {"case": case_rows, "rating": rating_rows, "complaint": complaint_rows, "proxy": proxy_rows}[
        s.kind
    ](s)


# --- presentation --------------------------------------------------------------------------------


HEADERS = {
    "case": ["办件编号", "事项", "申请人", "渠道", "受理中心", "状态", "收件时间", "办结期限"],
    "rating": ["办件编号", "评价时间", "评价等级", "评价渠道", "事项", "服务中心"],
    "complaint": ["编号", "类别", "来源", "状态", "所属区域", "服务中心", "登记时间", "办结时间"],
    "proxy": ["代办编号", "事项", "嘎查村", "状态", "登记时间", "办件编号"],
}


def _fmt(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _item_name(rating: Any) -> str:
    if rating.case_id:
        return str(rating.case.item_version.name)
    if rating.item_id:
        return str(rating.item.code)
    return ""


def row_cells(s: Scope, obj: Any) -> list[str]:
    """One list row, personal data masked (the applicant's name only, masked for a person; no
    complaint text, no resident of a proxy request)."""
    if s.kind == "rating":
        return [
            obj.case.number if obj.case_id else "",
            _fmt(obj.created_at),
            str(obj.get_level_display()),
            str(obj.get_channel_display()),
            _item_name(obj),
            obj.centre.name,
        ]
    if s.kind == "complaint":
        return [
            obj.number,
            str(obj.get_category_display()),
            str(obj.get_source_display()),
            str(obj.get_state_display()),
            obj.jurisdiction.name,
            obj.centre.name if obj.centre_id else "",
            _fmt(obj.created_at),
            _fmt(obj.closed_at),
        ]
    if s.kind == "proxy":
        return [
            obj.number,
            obj.item.code,
            obj.village.name,
            str(obj.get_state_display()),
            _fmt(obj.created_at),
            obj.case.number if obj.case_id else "",
        ]
    return [
        obj.number,
        str(obj.item_version.name),
        obj.applicant_masked_name,
        str(obj.get_channel_display()),
        obj.centre.name,
        str(obj.get_state_display()),
        _fmt(obj.received_at),
        obj.deadline.isoformat() if obj.deadline else "",
    ]


def row_link(s: Scope, obj: Any) -> str:
    """Where the first cell of a row leads (the page the viewer may open), or ''."""
    if s.kind == "case":
        return reverse("cases:detail", args=[obj.number])
    if s.kind == "rating":
        return reverse("cases:detail", args=[obj.case.number]) if obj.case_id else ""
    if s.kind == "complaint":
        return reverse("feedback:complaint", args=[obj.number])
    return reverse("proxy:detail", args=[obj.pk])


def headers(s: Scope) -> list[str]:
    return HEADERS[s.kind]


def describe(s: Scope) -> str:
    parts = [f"{s.j.name}{'（本级）' if s.exact else ''}"]
    if s.centre is not None:
        parts.append(s.centre.name)
    if s.item:
        parts.append(f"事项 {s.item}")
    if s.domain:
        parts.append(f"领域 {s.domain}")
    if s.figure == "overdue":
        parts.append(f"截至 {timezone.localdate():%Y-%m-%d}")
    else:
        parts.append(f"{s.date_from:%Y-%m-%d} 至 {s.date_to:%Y-%m-%d}")
    return "，".join(parts)


def _safe(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def xlsx(s: Scope) -> tuple[bytes, int]:
    """The whole list as a workbook (headers, one row per case/rating, a 合计 row) and its count."""
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = s.label[:31]
    ws.append(headers(s))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    n = 0
    for obj in rows(s).iterator(chunk_size=2000):
        ws.append([_safe(v) for v in row_cells(s, obj)])
        n += 1
    ws.append(["合计", f"{n} 件"])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 24
    ws.freeze_panes = "A2"
    info = wb.create_sheet("说明")
    for line in [
        ("指标", s.label),
        ("口径", s.definition),
        ("范围", describe(s)),
        ("件数", n),
        ("导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")),
    ]:
        info.append(list(line))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), n
