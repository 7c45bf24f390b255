"""Proxy API: uploads (photos, scans) and entrustments (委托)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import File, Query, Schema
from ninja.files import UploadedFile
from pydantic import Field

from onewindow.cases.api import ApplicantIn
from onewindow.core.apischemas import BodyIn, Page, page_of, responses, row_out
from onewindow.files.services import file_response
from onewindow.org.apicalls import as_caller
from onewindow.proxy import selectors, services
from onewindow.proxy.api.common import ENTRUST_AUTH, ListQuery, act, router
from onewindow.proxy.models import Entrustment

# --- files ---------------------------------------------------------------------------------------


class FileOut(Schema):
    id: str
    content_type: str
    size: int
    original_size: int
    width: int | None
    height: int | None


def file_out(f: Any) -> dict[str, Any]:
    return row_out(FileOut, f, id=str(f.id))


@router.post(
    "/proxy/files",
    response=responses(FileOut, status=201),
    summary="上传材料照片/扫描件（JPEG/PNG/PDF，按内容识别；图片压缩并去除EXIF）",
)
def proxy_file_upload(request: HttpRequest, file: UploadedFile = File(...)) -> Any:  # noqa: B008
    return act(request, "file_upload", "", services.proxy_file_upload, file_out, status=201, upload=file)


@router.get("/proxy/files/{file_id}", response=responses(None), summary="查看代办材料文件")
def proxy_file_get(request: HttpRequest, file_id: str) -> HttpResponse:
    return file_response(as_caller(request, services.proxy_file_get, file_id=file_id))


# --- entrustments --------------------------------------------------------------------------------


class ResidentIn(ApplicantIn):
    """The entrusting resident: either ``{"id": <existing resident id>}`` (one in your jurisdiction)
    or the applicant data as at case intake ``{kind, name, id_number|credit_code, phone, address}``
    (an existing resident with that number is reused)."""

    id: int | None = None
    name: str | None = None  # type: ignore[assignment]  # not needed with an id


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
    return row_out(
        EntrustmentOut,
        e,
        id=e.pk,
        resident={
            "id": e.resident_id,
            "name": e.resident.masked_name,
            "id_number": e.resident.masked_id_number,
        },
        agent=e.agent.username,
        agent_name=getattr(getattr(e.agent, "staff", None), "name", ""),
        village=e.village.code,
        village_name=e.village.name,
        items=[i.code for i in e.items.all()],
        valid=not e.problem(today=services.local_today()),
        confirmation_file=str(e.confirmation_id) if e.confirmation_id else None,
    )


@router.post(
    "/proxy/entrustments",
    response=responses(EntrustmentOut, 409, status=201),
    auth=ENTRUST_AUTH,
    summary="登记代办委托（委托）",
)
def entrustment_create(request: HttpRequest, payload: EntrustmentIn) -> Any:
    create, get = services.entrustment_create, services.entrustment_get
    return act(request, "entrustment_create", "", create, entrustment_out, payload, get=get, status=201)


class EntrustmentQuery(ListQuery):
    valid: bool = False


@router.get("/proxy/entrustments", response=responses(Page[EntrustmentOut]), summary="代办委托列表")
def entrustment_list(request: HttpRequest, filters: Query[EntrustmentQuery]) -> Any:
    qs = as_caller(request, selectors.entrustment_list, valid_only=filters.valid)
    return page_of(qs, filters, entrustment_out)


@router.get("/proxy/entrustments/{pk}", response=responses(EntrustmentOut), summary="代办委托详情")
def entrustment_detail(request: HttpRequest, pk: int) -> Any:
    return entrustment_out(as_caller(request, services.entrustment_get, pk=pk))


class RevokeIn(BodyIn):
    reason: str


@router.post(
    "/proxy/entrustments/{pk}/revoke",
    response=responses(EntrustmentOut, 409),
    auth=ENTRUST_AUTH,
    summary="撤销代办委托",
)
def entrustment_revoke(request: HttpRequest, pk: int, payload: RevokeIn) -> Any:
    revoke, obj = services.entrustment_revoke, f"entrustment:{pk}"
    return act(request, "entrustment_revoke", obj, revoke, entrustment_out, payload, pk=pk)
