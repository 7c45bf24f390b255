"""Reading the rollups: every number the dashboards, the API and the exports show comes from here,
as sums over :class:`~onewindow.ledger.models.CoarseFact` / ``Fact`` rows (never a scan of cases).

Every named figure (rates ``None`` when the denominator is 0) is defined once in
:mod:`onewindow.ledger.metrics` (指标说明); :func:`with_rates` adds them all to a row of sums.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from onewindow.cases.models import CLOCK_STATES, Case
from onewindow.catalog.models import Domain, Item
from onewindow.core.actor import Actor
from onewindow.core.errors import Invalid, NotFound
from onewindow.ledger import metrics
from onewindow.ledger.models import MEASURE_NAMES, CoarseFact, Fact, MonthFact
from onewindow.org import access
from onewindow.org.models import Centre, Jurisdiction, Level, Staff, Window

GROUPS = ["month", "day", "item", "centre", "window", "agent", "clerk", "domain", "jurisdiction"]
GROUP_LABELS = {
    "month": "月份",
    "day": "日期",
    "item": "事项",
    "centre": "服务中心",
    "window": "窗口",
    "agent": "代办员",
    "clerk": "经办人",
    "domain": "领域",
    "jurisdiction": "下级区域",
}
SUMS = {m: Sum(m) for m in MEASURE_NAMES}
ONLINE_LABEL = "网上申请（群众）"  # the 经办人 of a case a resident submitted online herself
ONLINE_KEY = "online"
NONE_KEY = "none"
# the row of the figures that have no value of the grouping (so the rows always add up to 合计)
NONE_LABELS = {
    "item": "未关联事项（排队、投诉等）",
    "centre": "未关联服务中心",
    "window": "未经窗口（网上申请等）",
    "agent": "非代办",
    "clerk": "无经办人（排队取号、评价等）",
    "domain": "未关联领域",
}
FINE_GROUPS = {"item", "window", "agent", "clerk"}  # only in the fine table


def resolve_period(date_from: dt.date | None, date_to: dt.date | None) -> tuple[dt.date, dt.date]:
    """Default: this month up to today. A period starting in the future or reversed is refused."""
    today = timezone.localdate()
    start = date_from or (date_to or today).replace(day=1)
    end = date_to or (today if start <= today else start)
    if start > today:
        raise Invalid(
            f"统计期间不能在未来（起始日期 {start} 晚于今天 {today}）",
            code="period_in_future",
            details={"from": ["不能晚于今天"]},
        )
    if start > end:
        raise Invalid(
            "起始日期不能晚于结束日期", code="invalid_period", details={"from": ["应早于或等于结束日期"]}
        )
    return start, min(end, today)


def jurisdiction_for(actor: Actor, code: str | None) -> Jurisdiction:
    """The requested jurisdiction if in the actor's scope (default: the actor's own); else 404."""
    staff = access.require_perm(actor, access.Perm.LEDGER_VIEW)
    if not code:
        return staff.jurisdiction
    j = Jurisdiction.objects.filter(code=code).first()
    if j is None or not access.in_scope(actor, j):
        raise NotFound(f"区域 {code} 不存在", code="not_found")
    return j


class FineFacts:
    """The fine rows of a period that holds whole months: ``MonthFact`` rows for those months and
    ``Fact`` day rows for the days before and after them. :func:`totals` and :func:`grouped` sum over
    both parts, so a year reads 12 month rows per combination instead of 365 day rows."""

    model = Fact

    def __init__(self, parts: list[QuerySet[Any]]) -> None:
        self.parts = parts

    def filter(self, *args: Any, **kwargs: Any) -> FineFacts:
        return FineFacts([p.filter(*args, **kwargs) for p in self.parts])


Facts = QuerySet[Any] | FineFacts


def facts(
    jurisdiction: Jurisdiction,
    date_from: dt.date,
    date_to: dt.date,
    *,
    domain: str | None = None,
    centre: Centre | None = None,
    fine: bool = False,
    daily: bool = False,
) -> Any:
    """The fact rows of a jurisdiction's subtree in a period: the coarse table (month rows for the
    whole months, day rows for the rest; only day rows if ``daily``) unless ``fine`` — needed to group
    by item, window, agent or clerk: then the fine month rows for the whole months and the fine day
    rows for the rest (a :class:`FineFacts`), or only day rows when no whole month is inside."""
    ids = subtree_ids(jurisdiction)
    out: Facts
    if fine:
        months = whole_months(date_from, date_to)
        if months is None or daily:
            out = Fact.objects.filter(jurisdiction_id__in=ids, day__gte=date_from, day__lte=date_to)
        else:
            first_full, last_full = months
            out = FineFacts(
                [
                    MonthFact.objects.filter(jurisdiction_id__in=ids, day__gte=first_full, day__lt=last_full),
                    Fact.objects.filter(_edge_days(date_from, date_to, months), jurisdiction_id__in=ids),
                ]
            )
    else:
        out = CoarseFact.objects.filter(period_q(date_from, date_to, daily=daily), jurisdiction_id__in=ids)
    if domain:
        out = out.filter(domain__code=domain)
    if centre is not None:
        out = out.filter(centre=centre)
    return out


def _next_month(d: dt.date) -> dt.date:
    return (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def whole_months(date_from: dt.date, date_to: dt.date) -> tuple[dt.date, dt.date] | None:
    """[first, last) of the whole months inside [from, to], or None when there is none."""
    first_full = date_from if date_from.day == 1 else _next_month(date_from)
    last_full = (
        _next_month(date_to)
        if _next_month(date_to) - dt.timedelta(days=1) == date_to
        else date_to.replace(day=1)
    )
    return None if first_full >= last_full else (first_full, last_full)


def _edge_days(date_from: dt.date, date_to: dt.date, months: tuple[dt.date, dt.date]) -> Q:
    first_full, last_full = months
    return Q(day__gte=date_from, day__lt=first_full) | Q(day__gte=last_full, day__lte=date_to)


def period_q(date_from: dt.date, date_to: dt.date, *, daily: bool = False) -> Q:
    """CoarseFact rows of [from, to]: month rows for the months wholly inside, day rows for the rest."""
    days = Q(grain="day", day__gte=date_from, day__lte=date_to)
    months = whole_months(date_from, date_to)
    if daily or months is None:  # no whole month inside the period
        return days
    first_full, last_full = months
    return Q(grain="month", day__gte=first_full, day__lt=last_full) | (
        Q(grain="day") & _edge_days(date_from, date_to, months)
    )


def subtree_ids(jurisdiction: Jurisdiction) -> list[int]:
    """The ids of a jurisdiction and everything under it (a few hundred at most): the fact queries
    filter on them through the (jurisdiction, day) index."""
    return list(Jurisdiction.objects.filter(path__startswith=jurisdiction.path).values_list("pk", flat=True))


def with_rates(m: dict[str, Any]) -> dict[str, Any]:
    """The counters plus every named figure of :mod:`onewindow.ledger.metrics` (the one definition)."""
    row: dict[str, Any] = {k: int(m.get(k) or 0) for k in MEASURE_NAMES}
    row.update(metrics.figures(row))
    row["good_rate"] = row["satisfaction_rate"]  # 好评率 = 满意率 (kept for older API clients)
    return row


def _parts(qs: Any) -> list[QuerySet[Any]]:
    return list(qs.parts) if isinstance(qs, FineFacts) else [qs]


def _sums(qs: Any, field: str) -> list[dict[str, Any]]:
    """``{field, <measures>}`` per value of ``field`` (not null), summed over every part, by value."""
    acc: dict[Any, dict[str, int]] = {}
    for part in _parts(qs):
        for r in part.exclude(**{f"{field}__isnull": True}).values(field).annotate(**SUMS).order_by(field):
            row = acc.setdefault(r.pop(field), defaultdict(int))
            for k, v in r.items():
                row[k] += int(v or 0)
    return [{field: key, **acc[key]} for key in sorted(acc)]


def totals(qs: Any) -> dict[str, Any]:
    sums: dict[str, int] = defaultdict(int)
    for part in _parts(qs):
        for k, v in part.aggregate(**SUMS).items():
            sums[k] += int(v or 0)
    return with_rates(sums)


def _names(model: Any, ids: set[int], attr: str = "name") -> dict[int, str]:
    return {o.pk: getattr(o, attr) for o in model.objects.filter(pk__in=ids)}


def _item_names(ids: set[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for item in Item.objects.filter(pk__in=ids).select_related("published"):
        v = item.published or item.latest()
        out[item.pk] = f"{item.code} {v.name if v else ''}".strip()
    return out


def _user_names(ids: set[int]) -> dict[int, str]:
    """Staff by name; a resident's online account (who submitted her own case) as 网上申请（群众） —
    never her internal user id; any other account (a system account) by its user name."""
    names = dict(Staff.objects.filter(user_id__in=ids).values_list("user_id", "name"))
    others = get_user_model().objects.filter(pk__in=set(ids) - set(names))
    residents = set(others.filter(resident_account__isnull=False).values_list("pk", flat=True))
    for u in others:
        names[u.pk] = ONLINE_LABEL if u.pk in residents else u.get_username()
    return names


def _none_row(qs: Any, field: str) -> dict[str, int]:
    """The sums of the rows without a value of ``field`` (nothing when all are zero)."""
    sums: dict[str, int] = defaultdict(int)
    for part in _parts(qs):
        for k, v in part.filter(**{f"{field}__isnull": True}).aggregate(**SUMS).items():
            sums[k] += int(v or 0)
    return dict(sums) if any(sums.values()) else {}


def _merge_online(rows: list[dict[str, Any]], labels: dict[Any, str], field: str) -> list[dict[str, Any]]:
    """Every resident's own online submissions as one 网上申请（群众） row."""
    online: dict[str, int] = defaultdict(int)
    out = []
    for r in rows:
        if labels.get(r[field]) == ONLINE_LABEL:
            for k, v in r.items():
                if k != field:
                    online[k] += int(v or 0)
        else:
            out.append(r)
    if online:
        out.append({field: ONLINE_KEY, **online})
        labels[ONLINE_KEY] = ONLINE_LABEL
    return out


def children_of(jurisdiction: Jurisdiction) -> list[Jurisdiction]:
    return list(Jurisdiction.objects.filter(parent=jurisdiction).order_by("sort", "code"))


def grouped(
    qs: Any, group_by: str, jurisdiction: Jurisdiction | None = None, *, complete: bool = False
) -> list[dict[str, Any]]:
    """Rows ``{key, label, <measures>, <rates>}`` for one grouping, sorted by key. With ``complete``
    (the Excel ledgers) a last row ``none`` holds what has no value of the grouping (a ticket has no
    item, an online case no window…), so that the rows add up to the totals."""
    if group_by not in GROUPS:
        raise Invalid(f"group_by 应为 {'|'.join(GROUPS)}", code="invalid", details={"group_by": GROUPS})
    if group_by == "jurisdiction":
        if jurisdiction is None:
            raise Invalid("按下级区域分组须指定区域", code="invalid")
        return _by_child(qs, jurisdiction)
    if group_by in FINE_GROUPS and qs.model is not Fact:
        raise ValueError(f"grouping by {group_by} needs the fine facts (facts(..., fine=True))")
    field = {
        "month": "month",
        "day": "day",
        "item": "item_id",
        "centre": "centre_id",
        "window": "window_id",
        "agent": "agent_id",
        "clerk": "clerk_id",
        "domain": "domain_id",
    }[group_by]
    rows = _sums(qs, field)
    ids = {r[field] for r in rows}
    if group_by == "item":
        labels = _item_names(ids)
    elif group_by == "centre":
        labels = _names(Centre, ids)
    elif group_by == "window":
        labels = {
            w.pk: f"{w.centre.name} {w.number}号窗口"
            for w in Window.objects.filter(pk__in=ids).select_related("centre")
        }
    elif group_by in {"agent", "clerk"}:
        labels = _user_names(ids)
    elif group_by == "domain":
        labels = _names(Domain, ids)
    else:
        labels = {}
    names: dict[Any, str] = dict(labels)
    if group_by == "clerk":
        rows = _merge_online(rows, names, field)
    if complete and group_by in NONE_LABELS and (rest := _none_row(qs, field)):
        rows.append({field: NONE_KEY, **rest})
        names[NONE_KEY] = NONE_LABELS[group_by]
    out = []
    for r in rows:
        key = r.pop(field)
        key_s = key.isoformat() if isinstance(key, dt.date) else str(key)
        out.append({"key": key_s, "label": names.get(key, key_s), **with_rates(r)})
    return out


def _by_child(qs: Any, parent: Jurisdiction) -> list[dict[str, Any]]:
    kids = children_of(parent)
    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in _sums(qs, "jpath"):
        path = r.pop("jpath")
        owner = next((kid.code for kid in kids if path.startswith(kid.path)), parent.code)
        for measure, v in r.items():
            sums[owner][measure] += int(v or 0)
    out = []
    for k in kids:
        out.append({"key": k.code, "label": k.name, "level": k.level, **with_rates(sums.get(k.code, {}))})
    if parent.code in sums:
        out.append(
            {
                "key": parent.code,
                "label": f"{parent.name}（本级）",
                "level": parent.level,
                **with_rates(sums[parent.code]),
            }
        )
    return out


def overdue_cases(jurisdiction: Jurisdiction, *, limit: int = 20, domain: str | None = None) -> list[Any]:
    """Open cases past their deadline, earliest deadline first: per open state the first ``limit`` of
    the ``case_state_deadline`` index (in deadline order, filtered on the copied centre path), merged,
    then the rows of the ``limit`` first only — never a walk of every past deadline."""
    qs = Case.objects.filter(centre_path__startswith=jurisdiction.path, deadline__lt=timezone.localdate())
    if domain:
        qs = qs.filter(item_version__domain__code=domain)
    first: list[tuple[Any, int]] = []
    for state in [*CLOCK_STATES, "suspended"]:
        first += qs.filter(state=state).order_by("deadline").values_list("deadline", "pk")[:limit]
    ids = [pk for _deadline, pk in sorted(first)[:limit]]
    rows = Case.objects.select_related("centre", "item_version").in_bulk(ids)
    return [rows[pk] for pk in ids]


def breadcrumbs(actor: Actor, j: Jurisdiction) -> list[Jurisdiction]:
    return [a for a in [*j.ancestors(), j] if access.in_scope(actor, a)]


def level_label(level: str) -> str:
    return str(Level(level).label)
