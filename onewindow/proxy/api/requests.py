"""Proxy API: requests (受理, 一事一记) and their actions (the state machine), the printable 委托书."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Schema
from ninja.responses import Status
from pydantic import Field

from onewindow.core.apischemas import ERRORS_AUTH, BodyIn, Page, fields_of, page_of
from onewindow.org.actors import request_actor
from onewindow.proxy import documents, selectors, services
from onewindow.proxy.api.common import (
    ACTION_AUTH,
    ERRORS_WRITE,
    INTAKE_AUTH,
    ListQuery,
    act,
    reread,
    router,
)
from onewindow.proxy.models import ProxyRequest, RequestState

# --- requests ------------------------------------------------------------------------------------


class ProxyMaterialIn(BodyIn):
    code: str
    provided: bool | None = None
    note: str | None = None
    paper_held: bool | None = Field(None, description="代办员持有纸质原件")
    files: list[str] = Field([], description="已上传文件的 id（POST /proxy/files）")


class RequestIn(BodyIn):
    entrustment: int
    item: str
    materials: list[ProxyMaterialIn] = []
    form: dict[str, Any] = {}
    onsite: bool = False


class RequestCreated(Schema):
    id: int
    number: str
    state: RequestState
    pass_on_deadline: dt.date


@router.post(
    "/proxy/requests",
    response={201: RequestCreated, **ERRORS_WRITE},
    auth=INTAKE_AUTH,
    summary="代办员登记受理（一事一记）",
)
def request_create(request: HttpRequest, payload: RequestIn) -> Any:
    req = act(
        request,
        "request_create",
        f"entrustment:{payload.entrustment}",
        services.proxy_request_create,
        **fields_of(payload, services.proxy_request_create),
    )
    return Status(
        201,
        {"id": req.pk, "number": req.number, "state": req.state, "pass_on_deadline": req.pass_on_deadline},
    )


class ProxyEventOut(Schema):
    seq: int
    at: dt.datetime
    action: str
    action_label: str
    actor: str
    state_from: str
    state_to: str
    note: str
    data: dict[str, Any]


class FollowUpOut(Schema):
    due: dt.date
    method: str
    outcome: str
    satisfied: bool | None
    done_at: dt.datetime | None


class RequestRow(Schema):
    id: int
    number: str
    state: RequestState
    state_label: str
    item: str
    item_name: str
    agent: str
    village: str
    village_name: str
    resident_name: str
    review_centre: str
    created_at: dt.datetime
    pass_on_deadline: dt.date
    pass_on_warning: Literal["none", "yellow", "red"]
    case: str | None
    return_count: int


class RequestOut(RequestRow):
    statutory_fee: str = Field(description="法定收费（如有，由群众缴纳）；代办服务本身免费")
    fee_basis: str
    form: dict[str, Any]
    materials: list[dict[str, Any]]
    notice: dict[str, Any]
    submitted_at: dt.datetime | None
    passed_at: dt.datetime | None
    case_state: str | None
    collected_at: dt.datetime | None
    handed_over_at: dt.datetime | None
    signed_by: str
    follow_up: FollowUpOut | None
    actions: list[str]
    timeline: list[ProxyEventOut]


def request_row(r: ProxyRequest) -> dict[str, Any]:
    return {
        "id": r.pk,
        "number": r.number,
        "state": r.state,
        "state_label": str(RequestState(r.state).label),
        "item": r.item.code,
        "item_name": services.item_name(r.item),
        "agent": r.agent.username,
        "village": r.village.code,
        "village_name": r.village.name,
        "resident_name": r.resident.masked_name,
        "review_centre": r.review_centre.code,
        "created_at": r.created_at,
        "pass_on_deadline": r.pass_on_deadline,
        "pass_on_warning": selectors.pass_on_warning(r),
        "case": r.case.number if r.case_id and r.case else None,
        "return_count": r.return_count,
    }


def request_out(request: HttpRequest, r: ProxyRequest) -> dict[str, Any]:
    version = services.published_version(r.item)
    fu = getattr(r, "follow_up", None) if hasattr(r, "follow_up") else None
    return request_row(r) | {
        "statutory_fee": str(version.fee or 0),
        "fee_basis": version.fee_basis,
        "form": r.form_data,
        "materials": r.materials,
        "notice": r.notice,
        "submitted_at": r.submitted_at,
        "passed_at": r.passed_at,
        "case_state": r.case.state if r.case else None,
        "collected_at": r.collected_at,
        "handed_over_at": r.handed_over_at,
        "signed_by": r.signed_by,
        "follow_up": (
            {
                "due": fu.due,
                "method": fu.method,
                "outcome": fu.outcome,
                "satisfied": fu.satisfied,
                "done_at": fu.done_at,
            }
            if fu
            else None
        ),
        "actions": services.actions_for(r, request_actor(request)),
        "timeline": [
            {
                "seq": e.seq,
                "at": e.at,
                "action": e.action,
                "action_label": services.ACTION_LABELS.get(e.action, e.action),
                "actor": e.actor_name,
                "state_from": e.state_from,
                "state_to": e.state_to,
                "note": e.note,
                "data": e.data,
            }
            for e in r.events.order_by("seq")
        ],
    }


class RequestQuery(ListQuery):
    state: RequestState | None = None
    item: str | None = None
    queue: bool = Field(False, description="本中心待预审（综窗人员）")
    mine: bool = Field(False, description="本人受理的（代办员）")


@router.get(
    "/proxy/requests", response={200: Page[RequestRow], **ERRORS_AUTH}, summary="代办申请列表（本辖区）"
)
def request_list(request: HttpRequest, filters: Query[RequestQuery]) -> Any:
    qs = selectors.proxy_request_list(
        actor=request_actor(request),
        state=filters.state,
        queue=filters.queue,
        mine=filters.mine,
        item=filters.item,
    )
    return page_of(qs, filters, request_row)


@router.get("/proxy/requests/{pk}", response={200: RequestOut, **ERRORS_AUTH}, summary="代办申请详情")
def request_detail(request: HttpRequest, pk: int) -> Any:
    return request_out(request, services.proxy_request_get(actor=request_actor(request), pk=pk))


class MissingIn(BodyIn):
    code: str
    reason: str | None = None


class RequestActionIn(BodyIn):
    action: Literal[
        "submit",
        "supplement",
        "prereview_pass",
        "prereview_return",
        "forward",
        "collect_result",
        "hand_over",
        "follow_up",
        "withdraw",
    ]
    note: str | None = None
    materials: list[ProxyMaterialIn] | None = Field(None, description="submit/supplement：补充或更正的材料")
    missing: list[MissingIn] | None = Field(
        None, description="prereview_return：不合格材料及原因（未提交的必需材料自动列入一次性告知）"
    )
    override_reason: str | None = None
    signed_by: str | None = Field(None, description="hand_over：签收群众姓名")
    receipt_file: str | None = Field(None, description="hand_over：签收单照片 id（可选）")
    method: Literal["call", "visit"] | None = Field(None, description="follow_up：回访方式")
    outcome: str | None = None
    satisfied: bool | None = None


@router.post(
    "/proxy/requests/{pk}/actions",
    response={200: RequestOut, **ERRORS_WRITE},
    auth=ACTION_AUTH,
    summary="代办申请操作",
)
def request_action(request: HttpRequest, pk: int, payload: RequestActionIn) -> Any:
    req = act(
        request,
        payload.action,
        f"proxy_request:{pk}",
        services.proxy_request_action,
        pk=pk,
        **fields_of(
            payload,
            services.proxy_request_action,
            "note",
            "signed_by",
            "method",
            "outcome",
            "override_reason",
        ),
    )
    return request_out(request, reread(request, services.proxy_request_get, req))


@router.get(
    "/proxy/entrustments/{pk}/document.pdf", response={200: None, **ERRORS_AUTH}, summary="打印委托书（PDF）"
)
def entrustment_document(request: HttpRequest, pk: int) -> HttpResponse:
    return documents.entrustment_pdf_response(request, pk)
