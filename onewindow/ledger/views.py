"""Dashboards (统计看板), exports and the assessment ranking. Every number is read from the rollups."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from onewindow.catalog.models import Domain, Item
from onewindow.core import audit
from onewindow.core.errors import Invalid, NotFound
from onewindow.ledger import assessment, drill, exports, fold, metrics, selectors
from onewindow.org import access
from onewindow.org.access import Perm
from onewindow.org.actors import request_actor
from onewindow.org.edge import staff_page
from onewindow.org.models import Centre, Jurisdiction

ERR = "ledger/error.html"


def _date(request: HttpRequest, name: str) -> dt.date | None:
    raw = (request.GET.get(name) or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise Invalid(
            f"日期格式应为 YYYY-MM-DD：{raw}", code="invalid", details={name: ["格式错误"]}
        ) from exc


def _filters(request: HttpRequest) -> dict[str, Any]:
    j = selectors.jurisdiction_for(request_actor(request), request.GET.get("j"))
    start, end = selectors.resolve_period(_date(request, "from"), _date(request, "to"))
    domain = (request.GET.get("domain") or "").strip() or None
    # folds a small backlog first; the pages state "数据截至" (ledger/_as_of.html)
    as_of = fold.fresh()
    return {"j": j, "from": start, "to": end, "domain": domain, "as_of": as_of, "today": timezone.now()}


def _query(f: dict[str, Any], **extra: Any) -> str:
    q = {"j": f["j"].code, "from": f["from"].isoformat(), "to": f["to"].isoformat()}
    if f.get("domain"):
        q["domain"] = f["domain"]
    q.update({k: v for k, v in extra.items() if v is not None})
    return urlencode(q)


def _trend(f: dict[str, Any]) -> dict[str, Any]:
    """Daily points for periods up to 62 days, else monthly; missing days/months are zeros."""
    start, end = f["from"], f["to"]
    daily = (end - start).days <= 62
    qs = selectors.facts(f["j"], start, end, domain=f["domain"], daily=daily)
    if daily:
        rows = {r["key"]: r for r in selectors.grouped(qs, "day")}
        keys = [(start + dt.timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]
    else:
        rows = {r["key"]: r for r in selectors.grouped(qs, "month")}
        keys, d = [], start.replace(day=1)
        while d <= end:
            keys.append(d.strftime("%Y-%m"))
            d = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    empty = selectors.with_rates({})
    series = [rows.get(k, empty) for k in keys]
    return {
        "labels": keys,
        "received": [r["received"] for r in series],
        "decided": [r["decided"] for r in series],
        "late": [r["late"] for r in series],
    }


def _rate_pct(v: float | None) -> float | None:
    return None if v is None else round(v * 100, 1)


def _domains() -> list[Any]:
    return list(Domain.objects.order_by("sort", "code"))


@staff_page(perm=Perm.LEDGER_VIEW, error_template=ERR)
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    f = _filters(request)
    j = f["j"]
    qs = selectors.facts(j, f["from"], f["to"], domain=f["domain"])
    totals = selectors.totals(qs)
    children = selectors.grouped(qs, "jurisdiction", j)
    for c in children:
        c["url"] = (
            f"{reverse('ledger:dashboard')}?{_query({**f, 'j': Jurisdiction(code=c['key'])})}"
            if c["key"] != j.code
            else ""
        )
    chart = {
        "trend": _trend(f),
        "children": {
            "labels": [c["label"] for c in children],
            "urls": [c["url"] for c in children],
            "received": [c["received"] for c in children],
            "decided": [c["decided"] for c in children],
            "on_time_rate": [_rate_pct(c["on_time_rate"]) for c in children],
            "satisfaction_rate": [_rate_pct(c["satisfaction_rate"]) for c in children],
        },
    }
    context = {
        "f": f,
        "j": j,
        "crumbs": [
            (a, f"{reverse('ledger:dashboard')}?{_query({**f, 'j': a})}")
            for a in selectors.breadcrumbs(actor, j)
        ],
        "totals": totals,
        "children": children,
        "child_level": selectors.level_label(children[0]["level"]) if children else "",
        "centres": selectors.grouped(qs, "centre"),
        "items": sorted(
            selectors.grouped(selectors.facts(j, f["from"], f["to"], domain=f["domain"], fine=True), "item"),
            key=lambda r: -r["received"],
        )[:15],
        "overdue": selectors.overdue_cases(j, domain=f["domain"]),
        "chart": chart,
        "domains": _domains(),
        "query": _query(f),
        "tables": exports.TABLES,
        "report_centres": access.scope(actor, Centre.objects.filter(is_active=True)).filter(
            jurisdiction__path__startswith=j.path
        ),
        "report_month": f["to"].strftime("%Y-%m"),
    }
    _add_drill_links(context, f)
    return render(request, "ledger/dashboard.html", context)


@staff_page(perm=Perm.LEDGER_EXPORT, error_template=ERR)
def export_xlsx(request: HttpRequest, table: str) -> HttpResponse:
    if table not in exports.TABLES:
        raise NotFound(f"没有名为 {table} 的台账", code="not_found")
    f = _filters(request)
    data = exports.table_xlsx(f["j"], f["from"], f["to"], table, domain=f["domain"])
    _audit(request, "ledger.export", f"{table} {f['j'].code} {f['from']}~{f['to']}")
    filename = f"ledger-{table}-{f['j'].code}-{f['from']:%Y%m%d}-{f['to']:%Y%m%d}.xlsx"
    resp = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


@staff_page(perm=Perm.LEDGER_EXPORT, error_template=ERR)
def centre_report(request: HttpRequest, code: str) -> HttpResponse:
    centre = access.get_in_scope_or_404(
        request_actor(request), Centre.objects.select_related("jurisdiction"), code=code
    )
    month = exports.parse_month(request.GET.get("month"))
    pdf = exports.centre_report_pdf(centre, month)
    _audit(request, "ledger.report", f"{centre.code} {month:%Y-%m}")
    resp = HttpResponse(pdf, content_type="application/pdf")
    resp["Content-Disposition"] = f'attachment; filename="report-{centre.code}-{month:%Y%m}.pdf"'
    return resp


@staff_page(perm=Perm.LEDGER_VIEW, error_template=ERR)
def ranking(request: HttpRequest) -> HttpResponse:
    f = _filters(request)
    county = f["j"].county() if access.in_scope(request_actor(request), f["j"].county()) else f["j"]
    context = {
        "f": f,
        "county": county,
        "weights": assessment.weights(),
        "minimums": metrics.minimums(),
        "townships": assessment.ranking(county, f["from"], f["to"], level="township"),
        "villages": assessment.ranking(county, f["from"], f["to"], level="village"),
        "query": _query(f),
    }
    for r in [*context["townships"], *context["villages"]]:
        r["links"] = _links({**f, "j": r["j"]}, CASE_LINKS)
    return render(request, "ledger/ranking.html", context)


def metrics_page(request: HttpRequest) -> HttpResponse:
    """指标说明 (public): every named figure with its formula, generated from the registry."""
    return render(
        request,
        "ledger/metrics.html",
        {
            "metrics": list(metrics.REGISTRY.values()),
            "weights": [(metrics.COMPONENT_LABELS[k], w) for k, w in metrics.weights().items()],
            "minimums": metrics.minimums(),
        },
    )


def _audit(request: HttpRequest, action: str, obj: str) -> None:
    audit.record(action, request=request, obj=obj)


# --- drill-down: the cases behind a figure -------------------------------------------------------


def drill_url(f: dict[str, Any], figure: str, **extra: Any) -> str:
    """The link from a number to its case list (same jurisdiction, period and domain as ``f``)."""
    return f"{reverse('ledger:cases')}?{_query(f, figure=figure, **extra)}"


def _links(f: dict[str, Any], figures: tuple[str, ...], **extra: Any) -> dict[str, str]:
    return {fig: drill_url(f, fig, **extra) for fig in figures}


CASE_LINKS = (
    "received",
    "accepted",
    "decided",
    "on_time",
    "late",
    "proxy",
    "ratings",
    "good",
    "bad",
    "complaints",
    "complaints_closed",
    "complaints_late",
    "proxy_requests",
)


def _add_drill_links(context: dict[str, Any], f: dict[str, Any]) -> None:
    """``links`` (figure → case list URL) on the totals and on every row of the dashboard tables."""
    context["links"] = {**_links(f, CASE_LINKS), "overdue": drill_url(f, "overdue")}
    trend = context["chart"]["trend"]
    trend["urls"] = {fig: [] for fig in ("received", "decided", "late")}
    for key in trend["labels"]:  # a day "YYYY-MM-DD" or a month "YYYY-MM", clipped to the period
        first = dt.date.fromisoformat(key if len(key) == 10 else f"{key}-01")
        last = first
        if len(key) == 7:  # the month's last day
            last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        bar = {**f, "from": max(first, f["from"]), "to": min(last, f["to"])}
        for fig, urls in trend["urls"].items():
            urls.append(drill_url(bar, fig))
    t = context["totals"]
    context["rating_counts"] = {
        "good": t["rating_3"] + t["rating_4"] + t["rating_5"],
        "bad": t["rating_1"] + t["rating_2"],
    }
    context["overdue_count"] = drill.case_rows(
        drill.Scope("overdue", f["j"], f["from"], f["to"], domain=f["domain"])
    ).count()
    for c in context["children"]:
        own = c["key"] == f["j"].code
        j = f["j"] if own else Jurisdiction(code=c["key"])
        c["links"] = _links({**f, "j": j}, CASE_LINKS, exact="1" if own else None)
    codes = dict(
        Centre.objects.filter(pk__in=[c["key"] for c in context["centres"]]).values_list("pk", "code")
    )
    for c in context["centres"]:
        c["links"] = _links(f, CASE_LINKS, centre=codes.get(int(c["key"])))
    items = dict(Item.objects.filter(pk__in=[c["key"] for c in context["items"]]).values_list("pk", "code"))
    for c in context["items"]:
        c["links"] = _links(f, CASE_LINKS, item=items.get(int(c["key"])))


def _drill_scope(request: HttpRequest) -> drill.Scope:
    f = _filters(request)
    item = (request.GET.get("item") or "").strip()[:40] or None
    return drill.Scope(
        figure=drill.parse_figure(request.GET.get("figure")),
        j=f["j"],
        date_from=f["from"],
        date_to=f["to"],
        domain=f["domain"],
        centre=drill.centre_in(f["j"], (request.GET.get("centre") or "").strip()),
        item=item,
        exact=request.GET.get("exact") == "1",
    )


@staff_page(perm=Perm.LEDGER_VIEW, error_template=ERR)
def drill_cases(request: HttpRequest) -> HttpResponse:
    s = _drill_scope(request)
    page = Paginator(drill.pages(s), drill.PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    query = params.urlencode()
    back = {"j": s.j, "from": s.date_from, "to": s.date_to, "domain": s.domain}
    context = {
        "s": s,
        "scope_text": drill.describe(s),
        "headers": drill.headers(s),
        "page": page,
        "rows": [(drill.row_link(s, obj), drill.row_cells(s, obj)) for obj in page.object_list],
        "query": query,
        "back": f"{reverse('ledger:dashboard')}?{_query(back)}",
    }
    return render(request, "ledger/cases.html", context)


@staff_page(perm=Perm.LEDGER_EXPORT, error_template=ERR)
def drill_cases_xlsx(request: HttpRequest) -> HttpResponse:
    s = _drill_scope(request)
    data, n = drill.xlsx(s)
    _audit(request, "ledger.export", f"cases {s.figure} {s.j.code} {s.date_from}~{s.date_to} {n}")
    filename = f"ledger-cases-{s.figure}-{s.j.code}-{s.date_from:%Y%m%d}-{s.date_to:%Y%m%d}.xlsx"
    resp = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp
