"""Reads of the proxy service, always scoped to the actor's jurisdiction (villages under it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from onewindow.catalog.models import ItemVersion
from onewindow.core.actor import Actor
from onewindow.core.clock import local_today
from onewindow.files.models import StoredFile
from onewindow.org.models import Role
from onewindow.proxy.models import PASS_ON_STATES, Entrustment, ProxyRequest, RequestState
from onewindow.proxy.services import entrustment_scope, request_scope
from onewindow.worktime.calendar import WorkCalendar


def pass_on_warning(req: ProxyRequest, today: dt.date | None = None, cal: WorkCalendar | None = None) -> str:
    """none / yellow (the pass-on deadline is today or the next working day) / red (passed)."""
    if req.state not in PASS_ON_STATES:
        return "none"
    today = today or local_today()
    if today > req.pass_on_deadline:
        return "red"
    if (cal or WorkCalendar()).workdays_between(today, req.pass_on_deadline) <= 1:
        return "yellow"
    return "none"


def proxy_request_list(
    *,
    actor: Actor,
    state: str | None = None,
    queue: bool = False,
    mine: bool = False,
    item: str | None = None,
) -> QuerySet[ProxyRequest]:
    """Requests in the actor's scope. ``queue``: waiting for pre-review at the actor's centre.
    ``mine``: the actor's own requests (an agent)."""
    qs = request_scope(actor)
    if queue:
        qs = qs.filter(
            review_centre_id=getattr(actor.staff, "centre_id", None),
            state__in=[RequestState.SUBMITTED, RequestState.FORWARDED],
        )
    if mine:
        qs = qs.filter(agent=actor.user)
    if state:
        qs = qs.filter(state=state)
    if item:
        qs = qs.filter(item__code=item)
    return qs.order_by("-created_at")


def entrustment_list(*, actor: Actor, valid_only: bool = False) -> QuerySet[Entrustment]:
    qs = entrustment_scope(actor).prefetch_related("items")
    if Role.AGENT in actor.roles and not actor.roles - {Role.AGENT}:
        qs = qs.filter(agent=actor.user)
    if valid_only:
        qs = qs.filter(revoked_at__isnull=True, valid_until__gte=local_today())
    return qs.order_by("-created_at")


def form_rows(version: ItemVersion, form_data: dict[str, Any]) -> list[tuple[str, str]]:
    """The application form as the clerk checks it: (field label, value) in the guide's order, then any
    key the guide no longer has; yes/no in words."""
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    for f in version.fields.all():
        seen.add(f.key)
        rows.append((f.label, _field_value(form_data.get(f.key))))
    rows += [(str(k), _field_value(v)) for k, v in form_data.items() if k not in seen]
    return rows


def _field_value(value: Any) -> str:
    if value is None or value == "":
        return "（未填）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(map(str, value))
    return str(value)


def material_rows(req: ProxyRequest) -> list[dict[str, Any]]:
    """The request's materials with their files, each marked as a photo (shown inline) or a document."""
    ids = [str(f) for m in req.materials for f in m.get("files") or []]
    kinds = {
        str(pk): ct for pk, ct in StoredFile.objects.filter(pk__in=ids).values_list("pk", "content_type")
    }
    return [
        m
        | {
            "photos": [f for f in m.get("files") or [] if kinds.get(str(f), "").startswith("image/")],
            "documents": [f for f in m.get("files") or [] if not kinds.get(str(f), "").startswith("image/")],
        }
        for m in req.materials
    ]
