"""The workbench's person block: look a returning applicant up by ID number (htmx), fill in what is
known and warn about a duplicate (same person, same item, an open case) before submit.

The ID-card reader hook (``cases/static/cases/person.js``, docs/id-card-reader.md) fills the ID
number and triggers the same look-up.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from onewindow.cases import search
from onewindow.cases.views.common import WINDOW_ROLES, case_page
from onewindow.core.errors import DomainError
from onewindow.core.ratelimit import RateLimited, check_rate
from onewindow.core.web import client_ip
from onewindow.org.actors import request_actor

LOOKUP_RATE = (20, 60)  # look-ups per user and minute: enough for a window, too few to enumerate


@case_page(WINDOW_ROLES)
@require_POST
def person_lookup(request: HttpRequest) -> HttpResponse:
    """POST: the ID number never stands in a URL (browser history, access logs)."""
    raw = (request.POST.get("a-id_number") or request.POST.get("id_number") or "").strip()[:18]
    item = (request.POST.get("item") or "").strip()[:40]
    context: dict[str, object] = {"asked": bool(raw)}
    status = 200
    if raw:
        try:
            check_rate(
                request, f"person_lookup:{request.user.pk}", limit=LOOKUP_RATE[0], per_seconds=LOOKUP_RATE[1]
            )
            found = search.person_lookup(
                actor=request_actor(request), id_number=raw, item=item, ip=client_ip(request)
            )
            context.update(found=found, resident=found.resident, duplicates=found.duplicates)
        except RateLimited as exc:
            context["error"], status = exc.message, exc.status
        except DomainError as exc:
            context["error"] = exc.message  # a mistyped number: said next to the field, not an error page
    return render(request, "cases/_person_lookup.html", context, status=status)
