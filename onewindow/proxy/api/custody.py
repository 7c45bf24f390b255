"""Proxy API: the paper chain of custody (交接批次) and missing-paper alerts."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Schema
from pydantic import Field

from onewindow.core.apischemas import BodyIn, Page, page_of, responses, row_out
from onewindow.org.actors import request_actor
from onewindow.org.apicalls import as_caller
from onewindow.proxy import custody, documents
from onewindow.proxy.api.common import BATCH_AUTH, ListQuery, act, router
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
    return row_out(
        BatchOut,
        b,
        id=b.pk,
        from_=b.from_jurisdiction.code,
        to=b.to_jurisdiction.code,
        holder=b.holder.username if b.holder else None,
        items=[
            row_out(BatchItemOut, it, request=it.request_id, number=it.request.number)
            for it in b.items.select_related("request").order_by("pk")
        ],
        handovers=[
            row_out(
                HandoverOut,
                h,
                from_user=h.from_user.username if h.from_user else None,
                to_user=h.to_user.username if h.to_user else None,
            )
            for h in b.handovers.select_related("from_user", "to_user").order_by("at", "pk")
        ],
    )


@router.post(
    "/proxy/batches",
    response=responses(BatchOut, 409, status=201),
    by_alias=True,
    auth=BATCH_AUTH,
    summary="发出纸质材料交接批次",
)
def batch_create(request: HttpRequest, payload: BatchIn) -> Any:
    fields: dict[str, Any] = {"from_code": payload.from_, "to_code": payload.to}
    fields |= {"requests": payload.requests, "note": payload.note or ""}
    create = custody.batch_create
    return act(request, "batch_create", "", create, batch_out, get=custody.batch_get, status=201, **fields)


class BatchQuery(ListQuery):
    holding: bool = Field(False, description="本人保管的")
    incoming: bool = Field(False, description="待本区域签收的")


@router.get("/proxy/batches", response=responses(Page[BatchOut]), by_alias=True, summary="交接批次列表")
def batch_list(request: HttpRequest, filters: Query[BatchQuery]) -> Any:
    qs = custody.batches_for(request_actor(request), holding=filters.holding, incoming=filters.incoming)
    return page_of(qs, filters, batch_out)


@router.get("/proxy/batches/{pk}", response=responses(BatchOut), by_alias=True, summary="交接批次详情")
def batch_detail(request: HttpRequest, pk: int) -> Any:
    return batch_out(as_caller(request, custody.batch_get, pk=pk))


class SignedIn(BodyIn):
    """Who signed for the papers at a hop or a receipt (optional texts), with a note."""

    signed_by: str | None = None
    note: str | None = None


class HandOverIn(SignedIn):
    to: str = Field("", description="接收人用户名；接收人没有账号时留空，填 carrier_name 和 carrier_phone")
    carrier_name: str | None = Field(None, description="携带人姓名（如送件司机，无需账号）")
    carrier_phone: str | None = Field(None, description="携带人手机号码")


class ReceiveIn(SignedIn):
    received: list[int] = []
    missing: list[int] = []
    damaged: list[int] = []


def _batch_step(path: str, summary: str, payload_schema: type[SignedIn], step: Any, *texts: str) -> Any:
    """``POST /proxy/batches/{pk}/<path>``: a hop or a receipt of batch ``pk`` (``step``, audited as
    ``proxy.<step name>``), answered with the batch as read again. The handler bears the step's name."""

    def handler(request: HttpRequest, pk: int, payload: SignedIn) -> Any:
        obj, optional = f"batch:{pk}", ("signed_by", "note", *texts)
        return act(
            request, step.__name__, obj, step, batch_out, payload, *optional, get=custody.batch_get, pk=pk
        )

    handler.__annotations__["payload"] = payload_schema  # the step's own body
    handler.__name__ = handler.__qualname__ = step.__name__
    response = responses(BatchOut, 409)
    return router.post(f"/proxy/batches/{{pk}}/{path}", response=response, by_alias=True, summary=summary)(
        handler
    )


batch_hand_over = _batch_step(
    "hand_over",
    "途中交接（仅当前保管人）",
    HandOverIn,
    custody.batch_hand_over,
    "carrier_name",
    "carrier_phone",
)
batch_receive = _batch_step("receive", "签收交接批次", ReceiveIn, custody.batch_receive)


@router.get("/proxy/batches/{pk}/manifest.pdf", response=responses(None), summary="交接清单（PDF）")
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
    return row_out(
        AlertOut,
        a,
        id=a.pk,
        batch=a.item.batch.number,
        request=a.item.request_id,
        request_number=a.item.request.number,
        jurisdiction=a.jurisdiction.code,
        raised_by=a.raised_by.username,
    )


@router.get("/proxy/alerts", response=responses(Page[AlertOut]), summary="材料缺失告警")
def alert_list(request: HttpRequest, filters: Query[AlertQuery]) -> Any:
    return page_of(as_caller(request, custody.alert_list, open_only=filters.open), filters, alert_out)


class ResolveIn(BodyIn):
    resolution: str


@router.post("/proxy/alerts/{pk}/resolve", response=responses(AlertOut, 409), summary="处理缺失告警")
def alert_resolve(request: HttpRequest, pk: int, payload: ResolveIn) -> Any:
    return act(request, "alert_resolve", f"alert:{pk}", custody.alert_resolve, alert_out, payload, pk=pk)
