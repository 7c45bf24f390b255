"""What every case page shares: the edge decorator, the roles of each section, paging and htmx."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from onewindow.cases import documents
from onewindow.cases.models import Case
from onewindow.core.errors import DomainError
from onewindow.org.edge import View, render_error, staff_page
from onewindow.org.models import Role

WINDOW_ROLES = {Role.CLERK, Role.CENTRE_HEAD}
QUEUE_ROLES = {Role.REVIEWER, Role.CENTRE_HEAD, Role.SUPERVISOR, Role.ADMIN}
OUTPUT_ROLES = {Role.CLERK, Role.CENTRE_HEAD, Role.REVIEWER, Role.AGENT}
BOARD_ROLES = {Role.SUPERVISOR, Role.CENTRE_HEAD, Role.ADMIN}
PAGE_SIZE = 30


def error_page(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render_error(request, exc, "cases/error.html")


def case_page(roles: Iterable[str] | None = None) -> Callable[[View], View]:
    """Staff only: anonymous → login; without a staff profile or one of ``roles`` → 403 page;
    domain errors (e.g. a case outside the jurisdiction → 404) → their status page. Sets
    ``request.actor``."""
    return staff_page(roles=roles, error_template="cases/error.html")


def page_of(request: HttpRequest, rows: Any) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def hx_target(request: HttpRequest) -> str:
    return request.headers.get("HX-Target", "") if request.headers.get("HX-Request") else ""


def document_links(case: Case) -> list[dict[str, str]]:
    return [
        {
            "kind": k,
            "title": documents.DOCUMENT_TITLES[k],
            "url": reverse("cases:document", kwargs={"number": case.number, "kind": k}),
        }
        for k in documents.document_kinds(case)
    ]
