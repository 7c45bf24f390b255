"""Proxy API: on-site service (上门服务) for special groups and the public agent board."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Schema
from ninja.responses import Status
from pydantic import Field

from onewindow.core.apischemas import ERRORS_AUTH, BodyIn, Error, Page, fields_of, page_of
from onewindow.org.actors import request_actor
from onewindow.proxy import onsite
from onewindow.proxy.api.common import ERRORS_WRITE, ListQuery, act, reread, router
from onewindow.proxy.api.entrustments import RevokeIn
from onewindow.proxy.api.requests import RequestIn
from onewindow.proxy.models import Visit

# --- on-site service (上门服务) and the public agent board --------------------------------------------


class FlagsIn(BodyIn):
    elderly: bool = False
    disabled: bool = False
    sick: bool = False
    note: str | None = None


class FlagsOut(Schema):
    resident: int
    elderly: bool
    disabled: bool
    sick: bool
    eligible: bool


@router.post(
    "/proxy/residents/{resident_id}/flags",
    response={200: FlagsOut, **ERRORS_WRITE},
    summary="标记上门服务对象",
)
def resident_flags(request: HttpRequest, resident_id: int, payload: FlagsIn) -> Any:
    f = act(
        request,
        "resident_flags",
        f"resident:{resident_id}",
        onsite.resident_flags_set,
        resident=resident_id,
        **fields_of(payload, onsite.resident_flags_set, "note"),
    )
    return {
        "resident": f.resident_id,
        "elderly": f.elderly,
        "disabled": f.disabled,
        "sick": f.sick,
        "eligible": f.eligible,
    }


class VisitIn(BodyIn):
    resident: int = Field(description="群众 id（须已标记为高龄/残疾/重病）")
    start: dt.datetime
    minutes: int = 60
    purpose: str | None = None
    agent: str | None = Field(None, description="上门代办员用户名（综窗人员预约时必填）")


class VisitOut(Schema):
    id: int
    resident: int
    resident_name: str
    village: str
    agent: str
    start: dt.datetime
    end: dt.datetime
    purpose: str
    state: Literal["booked", "done", "cancelled"]
    outcome: str
    request: int | None


def visit_out(v: Visit) -> dict[str, Any]:
    return {
        "id": v.pk,
        "resident": v.resident_id,
        "resident_name": v.resident.masked_name,
        "village": v.village.code,
        "agent": v.agent.username,
        "start": v.start,
        "end": v.end,
        "purpose": v.purpose,
        "state": v.state,
        "outcome": v.outcome,
        "request": v.request_id,
    }


@router.post("/proxy/visits", response={201: VisitOut, **ERRORS_WRITE}, summary="预约上门服务")
def visit_book(request: HttpRequest, payload: VisitIn) -> Any:
    v = act(
        request,
        "visit_book",
        f"resident:{payload.resident}",
        onsite.visit_book,
        **fields_of(payload, onsite.visit_book, "purpose"),
    )
    return Status(201, visit_out(reread(request, onsite.visit_get, v)))


@router.get("/proxy/visits", response={200: Page[VisitOut], **ERRORS_AUTH}, summary="上门服务预约列表")
def visit_list(request: HttpRequest, filters: Query[ListQuery]) -> Any:
    return page_of(onsite.visit_scope(request_actor(request)).order_by("start"), filters, visit_out)


class VisitCompleteIn(BodyIn):
    outcome: str
    request: RequestIn | None = Field(None, description="上门受理的代办申请（与 POST /proxy/requests 相同）")


@router.post(
    "/proxy/visits/{pk}/complete",
    response={200: VisitOut, **ERRORS_WRITE},
    summary="登记上门结果（可生成代办申请）",
)
def visit_complete(request: HttpRequest, pk: int, payload: VisitCompleteIn) -> Any:
    body = payload.request
    v = act(
        request,
        "visit_complete",
        f"visit:{pk}",
        onsite.visit_complete,
        pk=pk,
        outcome=payload.outcome,
        request=body.dict(exclude={"onsite"}) if body is not None else None,
    )
    return visit_out(reread(request, onsite.visit_get, v))


@router.post("/proxy/visits/{pk}/cancel", response={200: VisitOut, **ERRORS_WRITE}, summary="取消上门预约")
def visit_cancel(request: HttpRequest, pk: int, payload: RevokeIn) -> Any:
    return visit_out(
        act(
            request,
            "visit_cancel",
            f"visit:{pk}",
            onsite.visit_cancel,
            pk=pk,
            **fields_of(payload, onsite.visit_cancel),
        )
    )


class AgentOut(Schema):
    name: str
    photo: str | None
    phone: str
    post: str
    village: str
    area: str
    township: str


class AgentQuery(Schema):
    village: str | None = None


@router.get(
    "/proxy/agents", response={200: list[AgentOut], 422: Error}, auth=None, summary="代办员公示（公开）"
)
def agent_board(request: HttpRequest, filters: Query[AgentQuery]) -> Any:
    return onsite.public_agents(filters.village)
