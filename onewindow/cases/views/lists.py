"""3. Queues, lists and the supervisor's warning board (all through the scoped selectors)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from onewindow.cases import search, selectors, services
from onewindow.cases.models import Case, Channel, State, Warning
from onewindow.cases.views.common import (
    BOARD_ROLES,
    OUTPUT_ROLES,
    QUEUE_ROLES,
    case_page,
    hx_target,
    page_of,
)
from onewindow.catalog import selectors as catalog
from onewindow.core.errors import DomainError
from onewindow.core.ratelimit import RateLimited, check_rate
from onewindow.core.web import client_ip
from onewindow.org import access
from onewindow.org.actors import request_actor


def _list_rows(cases: Iterable[Case], today: Any) -> list[dict[str, Any]]:
    rows = []
    for c in cases:
        rows.append(
            {
                "case": c,
                "applicant": c.applicant_masked_name,
                "state_label": State(c.state).label,
                "warning": selectors.warning_for(c, today),
            }
        )
    return rows


def _list_page(request: HttpRequest, qs: Any, template: str, title: str) -> HttpResponse:
    """One page of the actor's cases ``qs`` as list rows on ``template``."""
    page = page_of(request, qs)
    rows = _list_rows(page.object_list, services.local_today())
    return render(request, template, {"page": page, "rows": rows, "title": title})


@case_page(QUEUE_ROLES)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    qs = selectors.case_queue(actor=request_actor(request))
    return _list_page(request, qs, "cases/queue.html", "审批队列")


@case_page(OUTPUT_ROLES)
@require_GET
def output(request: HttpRequest) -> HttpResponse:
    qs = selectors.case_output_list(actor=request_actor(request))
    return _list_page(request, qs, "cases/output.html", "统一出件")


SEARCH_RATE = (30, 60)  # searches per user and minute: the box must not serve to enumerate people
WARNING_FILTERS = (Warning.YELLOW, Warning.RED, selectors.WARNING_ANY)


def _filters(request: HttpRequest) -> dict[str, str]:
    g = request.GET
    state = g.get("state") or ""
    warning = g.get("warning") or ""
    channel = g.get("channel") or ""
    return {
        "state": state if state in State.values else "",
        "item": (g.get("item") or "").strip()[:40],
        "warning": warning if warning in WARNING_FILTERS else "",
        "channel": channel if channel in Channel.values else "",
        "supplemented": "1" if g.get("supplemented") == "1" else "",
    }


def _searched(request: HttpRequest, qs: Any, q: str) -> tuple[Any, str, DomainError | None]:
    """The list narrowed by the search box: (rows, what was searched, the error)."""
    if not q:
        return qs, "", None
    user = request.user
    try:
        check_rate(request, f"case_search:{user.pk}", limit=SEARCH_RATE[0], per_seconds=SEARCH_RATE[1])
        term, qs = search.case_search(actor=request_actor(request), q=q, base=qs, ip=client_ip(request))
    except DomainError as exc:
        return qs.none(), "", exc
    return qs, term.label, None


@case_page()
@require_http_methods(["GET", "POST"])
def case_list(request: HttpRequest) -> HttpResponse:
    """The jurisdiction's cases with filters (GET); the search box is POSTed, so that an ID number or
    a phone never stands in a URL (browser history, access logs)."""
    f = _filters(request)
    q = (request.POST.get("q") or "").strip()[:50] if request.method == "POST" else ""
    actor = request_actor(request)
    filters = {k: f[k] or None for k in ("state", "item", "warning", "channel")}
    rows: Any
    if q or f["supplemented"]:
        qs = selectors.case_list(actor=actor, supplemented=bool(f["supplemented"]), **filters)
        rows, searched_by, error = _searched(request, qs, q)
    else:  # the plain filtered list: counted and paged by index (selectors.ScopedPage)
        rows, searched_by, error = selectors.case_list_page(actor=actor, **filters), "", None
    page = page_of(request, rows)
    context = {
        "page": page,
        "rows": _list_rows(page.object_list, services.local_today()),
        **f,
        "q": q,
        "searched_by": searched_by,
        "search_error": error.message if error else "",
        "channels": Channel.choices,
        "states": State.choices,
        "items": catalog.item_list(),
        "query": "&".join(f"{k}={quote(v)}" for k, v in f.items() if v),
    }
    template = "cases/list.html"
    if hx_target(request) == "results":
        template += "#results"
    # a refused search is a page with its message; only the rate limit answers with its own status
    return render(request, template, context, status=429 if isinstance(error, RateLimited) else 200)


@case_page(BOARD_ROLES)
@require_GET
def warnings(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    today = services.local_today()
    board = selectors.case_warning_board(actor=actor, today=today)
    page = page_of(request, board)
    for row in page.object_list:
        c = row["case"]
        row["state_label"] = State(c.state).label
        row["holder"] = c.queue_department.name
        row["assignee"] = _staff_name(c.assignee) if c.assignee_id else ""
    red = sum(1 for r in board if r["warning"] == Warning.RED)
    steps = selectors.case_step_overdue_list(actor=actor, today=today)[:100]
    for row in steps:
        row["state_label"] = State(row["case"].state).label
    return render(
        request,
        "cases/warnings.html",
        {
            "page": page,
            "today": today,
            "red": red,
            "yellow": len(board) - red,
            "total": len(board),
            "steps": steps,
            "notices": selectors.case_notice_board(actor=actor, today=today)[:100],
        },
    )


def _staff_name(user: Any) -> str:
    staff = access.staff_of(user)
    return staff.name if staff is not None else user.get_username()
