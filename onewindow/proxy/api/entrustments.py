"""Proxy API: uploads (photos, scans) and entrustments (委托)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import File, Query, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field

from onewindow.core.apischemas import ERRORS_AUTH, BodyIn, Page, fields_of, page_of
from onewindow.files.services import file_response
from onewindow.org.actors import request_actor
from onewindow.proxy import selectors, services
from onewindow.proxy.api.common import (
    ENTRUST_AUTH,
    ERRORS_WRITE,
    ListQuery,
    act,
    reread,
    router,
)
from onewindow.proxy.models import Entrustment

# --- files ---------------------------------------------------------------------------------------


class FileOut(Schema):
    id: str
    content_type: str
    size: int
    original_size: int
    width: int | None
    height: int | None


@router.post(
    "/proxy/files",
    response={201: FileOut, **ERRORS_AUTH},
    summary="上传材料照片/扫描件（JPEG/PNG/PDF，按内容识别；图片压缩并去除EXIF）",
)
def proxy_file_upload(request: HttpRequest, file: UploadedFile = File(...)) -> Any:  # noqa: B008
    f = act(request, "file_upload", "", services.proxy_file_upload, upload=file)
    return Status(
        201,
        {
            "id": str(f.id),
            "content_type": f.content_type,
            "size": f.size,
            "original_size": f.original_size,
            "width": f.width,
            "height": f.height,
        },
    )


@router.get("/proxy/files/{file_id}", response={200: None, **ERRORS_AUTH}, summary="查看代办材料文件")
def proxy_file_get(request: HttpRequest, file_id: str) -> HttpResponse:
    f = services.proxy_file_get(actor=request_actor(request), file_id=file_id)
    return file_response(f)


# --- entrustments --------------------------------------------------------------------------------


class ResidentIn(BodyIn):
    """The entrusting resident: either ``{"id": <existing resident id>}`` (one in your jurisdiction)
    or the applicant data as at case intake ``{kind, name, id_number|credit_code, phone, address}``
    (an existing resident with that number is reused)."""

    id: int | None = None
    kind: Literal["person", "enterprise"] = "person"
    name: str | None = None
    id_number: str | None = None
    credit_code: str | None = None
    phone: str | None = None
    address: str | None = None


class EntrustmentIn(BodyIn):
    resident: ResidentIn
    items: list[str] = Field(description="委托事项编码（须为可代办事项）")
    valid_until: dt.date
    confirmation_file: str | None = Field(
        None, description="群众确认文件的 id（先 POST /proxy/files 上传签名/指印照片/纸质委托书扫描件）"
    )
    confirmation_kind: Literal["signature", "fingerprint", "paper_form"] = "signature"
    agent: str | None = Field(None, description="代办员用户名（综窗人员代为登记时必填；代办员本人登记省略）")


class ResidentOut(Schema):
    id: int
    name: str
    id_number: str


class EntrustmentOut(Schema):
    id: int
    resident: ResidentOut
    agent: str
    agent_name: str
    village: str
    village_name: str
    items: list[str]
    valid_until: dt.date
    valid: bool
    confirmation_kind: str
    confirmation_file: str | None
    revoked_at: dt.datetime | None
    revoke_reason: str
    created_at: dt.datetime


def entrustment_out(e: Entrustment) -> dict[str, Any]:
    return {
        "id": e.pk,
        "resident": {
            "id": e.resident_id,
            "name": e.resident.masked_name,
            "id_number": e.resident.masked_id_number,
        },
        "agent": e.agent.username,
        "agent_name": getattr(getattr(e.agent, "staff", None), "name", ""),
        "village": e.village.code,
        "village_name": e.village.name,
        "items": [i.code for i in e.items.all()],
        "valid_until": e.valid_until,
        "valid": not e.problem(today=services.local_today()),
        "confirmation_kind": e.confirmation_kind,
        "confirmation_file": str(e.confirmation_id) if e.confirmation_id else None,
        "revoked_at": e.revoked_at,
        "revoke_reason": e.revoke_reason,
        "created_at": e.created_at,
    }


@router.post(
    "/proxy/entrustments",
    response={201: EntrustmentOut, **ERRORS_WRITE},
    auth=ENTRUST_AUTH,
    summary="登记代办委托（委托）",
)
def entrustment_create(request: HttpRequest, payload: EntrustmentIn) -> Any:
    e = act(
        request,
        "entrustment_create",
        "",
        services.entrustment_create,
        **fields_of(payload, services.entrustment_create),
    )
    return Status(201, entrustment_out(reread(request, services.entrustment_get, e)))


class EntrustmentQuery(ListQuery):
    valid: bool = False


@router.get(
    "/proxy/entrustments", response={200: Page[EntrustmentOut], **ERRORS_AUTH}, summary="代办委托列表"
)
def entrustment_list(request: HttpRequest, filters: Query[EntrustmentQuery]) -> Any:
    qs = selectors.entrustment_list(actor=request_actor(request), valid_only=filters.valid)
    return page_of(qs, filters, entrustment_out)


@router.get("/proxy/entrustments/{pk}", response={200: EntrustmentOut, **ERRORS_AUTH}, summary="代办委托详情")
def entrustment_detail(request: HttpRequest, pk: int) -> Any:
    return entrustment_out(services.entrustment_get(actor=request_actor(request), pk=pk))


class RevokeIn(BodyIn):
    reason: str


@router.post(
    "/proxy/entrustments/{pk}/revoke",
    response={200: EntrustmentOut, **ERRORS_WRITE},
    auth=ENTRUST_AUTH,
    summary="撤销代办委托",
)
def entrustment_revoke(request: HttpRequest, pk: int, payload: RevokeIn) -> Any:
    return entrustment_out(
        act(
            request,
            "entrustment_revoke",
            f"entrustment:{pk}",
            services.entrustment_revoke,
            pk=pk,
            **fields_of(payload, services.entrustment_revoke),
        )
    )
