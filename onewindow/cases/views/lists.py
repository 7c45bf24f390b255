"""3. Queues, lists and the supervisor's warning board (all through the scoped selectors)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from onewindow.cases import selectors, services
from onewindow.cases.models import Case, State, Warning
from onewindow.cases.views.common import (
    BOARD_ROLES,
    OUTPUT_ROLES,
    QUEUE_ROLES,
    case_page,
    hx_target,
    page_of,
)
from onewindow.catalog import selectors as catalog
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


@case_page()
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state") or ""
    state = state if state in State.values else ""
    warning = request.GET.get("warning") or ""
    warning = warning if warning in (Warning.YELLOW, Warning.RED) else ""
    item = (request.GET.get("item") or "").strip()[:40]
    qs = selectors.case_list(
        actor=request_actor(request), state=state or None, item=item or None, warning=warning or None
    )
    page = page_of(request, qs)
    context = {
        "page": page,
        "rows": _list_rows(page.object_list, services.local_today()),
        "state": state,
        "warning": warning,
        "item": item,
        "states": State.choices,
        "items": catalog.item_list(),
        "query": "&".join(
            f"{k}={quote(v)}" for k, v in (("state", state), ("item", item), ("warning", warning)) if v
        ),
    }
    template = "cases/list.html"
    if hx_target(request) == "results":
        template += "#results"
    return render(request, template, context)


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
