"""Proxy requests (受理 at the village, 一事一记): recording one, and reading them in the actor's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from onewindow.cases import services as case_services
from onewindow.catalog.models import ItemVersion
from onewindow.core.actor import Actor
from onewindow.core.clock import local_today
from onewindow.core.errors import Conflict
from onewindow.core.locking import retry_atomic
from onewindow.org import access
from onewindow.org.models import Centre, Jurisdiction, Role
from onewindow.proxy.models import ProxyAttachment, ProxyRequest, RequestState
from onewindow.proxy.services.common import (
    attachment_for,
    next_number,
    one_in_scope,
    pass_on_days,
    proxy_item,
    record,
    require_roles,
    staff_required,
)
from onewindow.proxy.services.entrustments import check_entrustment, entrustment_get
from onewindow.worktime.calendar import WorkCalendar


def clean_materials(
    actor: Actor,
    version: ItemVersion,
    given: list[dict[str, Any]],
    previous: list[dict[str, Any]] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[ProxyAttachment]]:
    """Merge ``given`` over ``previous``; check against the guide; the attachments to link."""
    merged: dict[str, dict[str, Any]] = {str(m["code"]): dict(m) for m in (previous or [])}
    new_files: list[ProxyAttachment] = []
    for m in given:
        code = str(m.get("code") or "")
        entry = merged.setdefault(code, {"code": code, "files": []})
        for key in ("provided", "note", "paper_held"):
            if key in m and m[key] is not None:
                entry[key] = m[key]
        for fid in m.get("files") or []:
            att = attachment_for(actor, str(fid), f"materials.{code}.files")
            att.material_code = code
            new_files.append(att)
            entry.setdefault("files", []).append(str(att.file_id))
            entry["provided"] = True if m.get("provided") is None else entry.get("provided")
    checklist, missing = case_services.check_materials(version, list(merged.values()))
    for row in checklist:
        extra = merged.get(row["code"], {})
        row["paper_held"] = bool(extra.get("paper_held"))
        row["files"] = list(extra.get("files") or [])
    return checklist, missing, new_files


def link_attachments(req: ProxyRequest, atts: list[ProxyAttachment]) -> None:
    for att in atts:
        att.request = req
        att.save(update_fields=["request", "material_code"])


def township_centre(village: Jurisdiction) -> Centre:
    centre = Centre.objects.filter(jurisdiction=village.parent, is_active=True).order_by("code").first()
    if centre is None:
        raise Conflict("所属苏木乡镇没有便民服务中心", code="no_township_centre")
    return centre


@retry_atomic
def proxy_request_create(
    *,
    actor: Actor,
    entrustment: int,
    item: str,
    materials: list[dict[str, Any]],
    form: dict[str, Any] | None = None,
    onsite: bool = False,
) -> ProxyRequest:
    """The agent records a request at the village: one record per request (一事一记)."""
    staff_required(actor)
    require_roles(actor, {Role.AGENT}, "登记代办申请")
    item_obj, version = proxy_item(item)
    ent = entrustment_get(actor=actor, pk=entrustment)
    check_entrustment(ent, actor=actor, item=item_obj)
    cleaned_form = case_services.validate_form(version, form or {})
    checklist, _missing, atts = clean_materials(actor, version, materials)
    today = local_today()
    req = ProxyRequest(
        number=next_number("DB"),
        entrustment=ent,
        agent=actor.user,
        village=ent.village,
        item=item_obj,
        resident=ent.resident,
        state=RequestState.DRAFT,
        form_data=cleaned_form,
        materials=checklist,
        review_centre=township_centre(ent.village),
        pass_on_deadline=WorkCalendar().add_workdays(today, pass_on_days()),
        onsite=onsite,
    )
    req.save()
    link_attachments(req, atts)
    record(req, actor=actor, action="created", state_from="", data={"item": item_obj.code})
    return req


def request_scope(actor: Actor, qs: QuerySet[ProxyRequest] | None = None) -> QuerySet[ProxyRequest]:
    """Requests of villages in the actor's jurisdiction (an agent: their village(s))."""
    access.require_perm(actor, access.Perm.PROXY_VIEW)
    base = qs if qs is not None else ProxyRequest.objects.all()
    return access.scope(
        actor,
        base.select_related(
            "item__published",
            "village",
            "resident",
            "agent__staff",
            "review_centre__jurisdiction",
            "case",
            "entrustment",
        ),
        "village__path",
    )


def proxy_request_get(*, actor: Actor, pk: int) -> ProxyRequest:
    return one_in_scope(request_scope(actor), pk, "代办申请不存在")
