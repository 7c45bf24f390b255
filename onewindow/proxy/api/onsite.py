"""Proxy API: on-site service (上门服务) for special groups and the public agent board."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Schema
from pydantic import Field

from onewindow.core.apischemas import BodyIn, Error, Page, page_of, responses, row_out
from onewindow.org.actors import request_actor
from onewindow.proxy import onsite
from onewindow.proxy.api.common import ListQuery, act, router
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


def flags_out(f: Any) -> dict[str, Any]:
    return row_out(FlagsOut, f, resident=f.resident_id)


@router.post(
    "/proxy/residents/{resident_id}/flags", response=responses(FlagsOut, 409), summary="标记上门服务对象"
)
def resident_flags(request: HttpRequest, resident_id: int, payload: FlagsIn) -> Any:
    obj, flag = f"resident:{resident_id}", onsite.resident_flags_set
    return act(request, "resident_flags", obj, flag, flags_out, payload, "note", resident=resident_id)


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
    return row_out(
        VisitOut,
        v,
        id=v.pk,
        resident=v.resident_id,
        resident_name=v.resident.masked_name,
        village=v.village.code,
        agent=v.agent.username,
        request=v.request_id,
    )


@router.post("/proxy/visits", response=responses(VisitOut, 409, status=201), summary="预约上门服务")
def visit_book(request: HttpRequest, payload: VisitIn) -> Any:
    obj, book = f"resident:{payload.resident}", onsite.visit_book
    return act(
        request, "visit_book", obj, book, visit_out, payload, "purpose", get=onsite.visit_get, status=201
    )


@router.get("/proxy/visits", response=responses(Page[VisitOut]), summary="上门服务预约列表")
def visit_list(request: HttpRequest, filters: Query[ListQuery]) -> Any:
    return page_of(onsite.visit_scope(request_actor(request)).order_by("start"), filters, visit_out)


class VisitCompleteIn(BodyIn):
    outcome: str
    request: RequestIn | None = Field(None, description="上门受理的代办申请（与 POST /proxy/requests 相同）")


@router.post(
    "/proxy/visits/{pk}/complete", response=responses(VisitOut, 409), summary="登记上门结果（可生成代办申请）"
)
def visit_complete(request: HttpRequest, pk: int, payload: VisitCompleteIn) -> Any:
    body = payload.request
    fields: dict[str, Any] = {
        "outcome": payload.outcome,
        "request": body.dict(exclude={"onsite"}) if body is not None else None,
    }
    complete = onsite.visit_complete
    return act(
        request, "visit_complete", f"visit:{pk}", complete, visit_out, get=onsite.visit_get, pk=pk, **fields
    )


@router.post("/proxy/visits/{pk}/cancel", response=responses(VisitOut, 409), summary="取消上门预约")
def visit_cancel(request: HttpRequest, pk: int, payload: RevokeIn) -> Any:
    return act(request, "visit_cancel", f"visit:{pk}", onsite.visit_cancel, visit_out, payload, pk=pk)


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
