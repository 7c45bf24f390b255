"""Proxy API: the paper chain of custody (交接批次) and missing-paper alerts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Schema
from ninja.responses import Status
from pydantic import Field

from onewindow.core.apischemas import ERRORS_AUTH, BodyIn, Page, fields_of, page_of
from onewindow.org.actors import request_actor
from onewindow.proxy import custody, documents
from onewindow.proxy.api.common import (
    BATCH_AUTH,
    ERRORS_WRITE,
    ListQuery,
    act,
    reread,
    router,
)
from onewindow.proxy.models import Batch, BatchAlert

# --- batches (paper chain of custody) ------------------------------------------------------------


class BatchIn(BodyIn):
    from_: str = Field(alias="from", description="发出区域的区划代码（本人所在区域）")
    to: str = Field(description="接收区域的区划代码（相邻的上级或下级）")
    requests: list[int] = Field(description="代办申请 id：上行为代办员持有的纸质原件，下行为办理结果")
    note: str | None = None


class BatchItemOut(Schema):
    request: int
    number: str
    papers: list[dict[str, Any]]
    state: Literal["sent", "received", "missing", "damaged"]
    received_at: dt.datetime | None


class HandoverOut(Schema):
    at: dt.datetime
    from_user: str | None
    to_user: str | None
    to_phone: str = ""
    signed_by: str
    note: str


class BatchOut(Schema):
    id: int
    number: str
    from_: str = Field(alias="from")
    to: str
    holder: str | None
    carrier_name: str = ""
    carrier_phone: str = ""
    state: Literal["in_transit", "received", "incomplete"]
    created_at: dt.datetime
    received_at: dt.datetime | None
    items: list[BatchItemOut]
    handovers: list[HandoverOut]


def batch_out(b: Batch) -> dict[str, Any]:
    return {
        "id": b.pk,
        "number": b.number,
        "from": b.from_jurisdiction.code,
        "to": b.to_jurisdiction.code,
        "holder": b.holder.username if b.holder else None,
        "carrier_name": b.carrier_name,
        "carrier_phone": b.carrier_phone,
        "state": b.state,
        "created_at": b.created_at,
        "received_at": b.received_at,
        "items": [
            {
                "request": it.request_id,
                "number": it.request.number,
                "papers": it.papers,
                "state": it.state,
                "received_at": it.received_at,
            }
            for it in b.items.select_related("request").order_by("pk")
        ],
        "handovers": [
            {
                "at": h.at,
                "from_user": h.from_user.username if h.from_user else None,
                "to_user": h.to_user.username if h.to_user else None,
                "to_phone": h.to_phone,
                "signed_by": h.signed_by,
                "note": h.note,
            }
            for h in b.handovers.select_related("from_user", "to_user").order_by("at", "pk")
        ],
    }


@router.post(
    "/proxy/batches",
    response={201: BatchOut, **ERRORS_WRITE},
    by_alias=True,
    auth=BATCH_AUTH,
    summary="发出纸质材料交接批次",
)
def batch_create(request: HttpRequest, payload: BatchIn) -> Any:
    b = act(
        request,
        "batch_create",
        "",
        custody.batch_create,
        from_code=payload.from_,
        to_code=payload.to,
        requests=payload.requests,
        note=payload.note or "",
    )
    return Status(201, batch_out(reread(request, custody.batch_get, b)))


class BatchQuery(ListQuery):
    holding: bool = Field(False, description="本人保管的")
    incoming: bool = Field(False, description="待本区域签收的")


@router.get(
    "/proxy/batches", response={200: Page[BatchOut], **ERRORS_AUTH}, by_alias=True, summary="交接批次列表"
)
def batch_list(request: HttpRequest, filters: Query[BatchQuery]) -> Any:
    qs = custody.batches_for(request_actor(request), holding=filters.holding, incoming=filters.incoming)
    return page_of(qs, filters, batch_out)


@router.get(
    "/proxy/batches/{pk}", response={200: BatchOut, **ERRORS_AUTH}, by_alias=True, summary="交接批次详情"
)
def batch_detail(request: HttpRequest, pk: int) -> Any:
    return batch_out(custody.batch_get(actor=request_actor(request), pk=pk))


def _batch_write(
    request: HttpRequest, pk: int, action: str, write: Callable[..., Batch], **kwargs: Any
) -> dict[str, Any]:
    """``write`` on batch ``pk`` (a hop or a receipt), audited; the batch as read again afterwards."""
    return batch_out(
        reread(request, custody.batch_get, act(request, action, f"batch:{pk}", write, pk=pk, **kwargs))
    )


class HandOverIn(BodyIn):
    to: str = Field("", description="接收人用户名；接收人没有账号时留空，填 carrier_name 和 carrier_phone")
    carrier_name: str | None = Field(None, description="携带人姓名（如送件司机，无需账号）")
    carrier_phone: str | None = Field(None, description="携带人手机号码")
    signed_by: str | None = None
    note: str | None = None


@router.post(
    "/proxy/batches/{pk}/hand_over",
    response={200: BatchOut, **ERRORS_WRITE},
    by_alias=True,
    summary="途中交接（仅当前保管人）",
)
def batch_hand_over(request: HttpRequest, pk: int, payload: HandOverIn) -> Any:
    return _batch_write(
        request,
        pk,
        "batch_hand_over",
        custody.batch_hand_over,
        **fields_of(payload, custody.batch_hand_over, "signed_by", "note", "carrier_name", "carrier_phone"),
    )


class ReceiveIn(BodyIn):
    received: list[int] = []
    missing: list[int] = []
    damaged: list[int] = []
    signed_by: str | None = None
    note: str | None = None


@router.post(
    "/proxy/batches/{pk}/receive",
    response={200: BatchOut, **ERRORS_WRITE},
    by_alias=True,
    summary="签收交接批次",
)
def batch_receive(request: HttpRequest, pk: int, payload: ReceiveIn) -> Any:
    return _batch_write(
        request,
        pk,
        "batch_receive",
        custody.batch_receive,
        **fields_of(payload, custody.batch_receive, "signed_by", "note"),
    )


@router.get(
    "/proxy/batches/{pk}/manifest.pdf", response={200: None, **ERRORS_AUTH}, summary="交接清单（PDF）"
)
def batch_manifest(request: HttpRequest, pk: int) -> HttpResponse:
    b = custody.batch_get(actor=request_actor(request), pk=pk)
    return documents.pdf_response(documents.manifest_pdf(b), f"manifest-{b.number}.pdf")


class AlertOut(Schema):
    id: int
    kind: Literal["missing", "damaged"]
    batch: str
    request: int
    request_number: str
    jurisdiction: str
    raised_at: dt.datetime
    raised_by: str
    resolved_at: dt.datetime | None
    resolution: str


class AlertQuery(ListQuery):
    open: bool = True


def alert_out(a: BatchAlert) -> dict[str, Any]:
    return {
        "id": a.pk,
        "kind": a.kind,
        "batch": a.item.batch.number,
        "request": a.item.request_id,
        "request_number": a.item.request.number,
        "jurisdiction": a.jurisdiction.code,
        "raised_at": a.raised_at,
        "raised_by": a.raised_by.username,
        "resolved_at": a.resolved_at,
        "resolution": a.resolution,
    }


@router.get("/proxy/alerts", response={200: Page[AlertOut], **ERRORS_AUTH}, summary="材料缺失告警")
def alert_list(request: HttpRequest, filters: Query[AlertQuery]) -> Any:
    return page_of(
        custody.alert_list(actor=request_actor(request), open_only=filters.open), filters, alert_out
    )


class ResolveIn(BodyIn):
    resolution: str


@router.post("/proxy/alerts/{pk}/resolve", response={200: AlertOut, **ERRORS_WRITE}, summary="处理缺失告警")
def alert_resolve(request: HttpRequest, pk: int, payload: ResolveIn) -> Any:
    return alert_out(
        act(
            request,
            "alert_resolve",
            f"alert:{pk}",
            custody.alert_resolve,
            pk=pk,
            **fields_of(payload, custody.alert_resolve),
        )
    )
