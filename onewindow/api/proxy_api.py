"""Proxy service (帮办代办, 三级代理) endpoints (see ../shared/API.md "Proxy service").

Every write is audited (``proxy.<action>``), a refused one with ``result=denied`` and its error code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from django.http import HttpRequest, HttpResponse
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field

from onewindow.core.apiauth import role_auth
from onewindow.core.apischemas import ERRORS_AUTH, BodyIn, Error, Page, paginate
from onewindow.files.services import file_response
from onewindow.org.access import has_any_role
from onewindow.org.models import Role
from onewindow.proxy import custody, documents, ledger, onsite, selectors, services
from onewindow.proxy.models import Batch, BatchAlert, Entrustment, ProxyRequest, RequestState, Visit

router = Router(tags=["帮办代办"])
ERRORS_WRITE: dict[int, Any] = {**ERRORS_AUTH, 409: Error}
T = TypeVar("T")

# Role before body (see role_auth): callers whose roles can never do these get 403 before validation.
AGENT_OR_WINDOW = frozenset({Role.AGENT, *services.WINDOW_ROLES})
ACTION_ROLES = frozenset().union(*(roles for _states, roles, _label in services.ACTIONS.values()))
ENTRUST_AUTH = role_auth(has_any_role(AGENT_OR_WINDOW), "登记或撤销代办委托")
INTAKE_AUTH = role_auth(has_any_role({Role.AGENT}), "登记代办申请")
ACTION_AUTH = role_auth(has_any_role(ACTION_ROLES), "办理代办申请")
BATCH_AUTH = role_auth(has_any_role(AGENT_OR_WINDOW), "发出交接批次")


def _audited(request: HttpRequest, action: str, obj: str, fn: Callable[[], T]) -> T:
    with services.audit_refusals(action, user=request.user, obj=obj, request=request):
        result = fn()
    services.audit(
        f"proxy.{action}", user=request.user, obj=obj or str(getattr(result, "pk", "")), request=request
    )
    return result


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
    f = _audited(
        request, "file_upload", "", lambda: services.proxy_file_upload(actor=request.user, upload=file)
    )
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
    f = services.proxy_file_get(actor=request.user, file_id=file_id)
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
    e = _audited(
        request,
        "entrustment_create",
        "",
        lambda: services.entrustment_create(
            actor=request.user,
            resident=payload.resident.dict(),
            items=payload.items,
            valid_until=payload.valid_until,
            confirmation_file=payload.confirmation_file,
            confirmation_kind=payload.confirmation_kind,
            agent=payload.agent,
        ),
    )
    return Status(201, entrustment_out(services.entrustment_get(actor=request.user, pk=e.pk)))


class ListQuery(Schema):
    page: int = 1
    page_size: int = 50


class EntrustmentQuery(ListQuery):
    valid: bool = False


@router.get(
    "/proxy/entrustments", response={200: Page[EntrustmentOut], **ERRORS_AUTH}, summary="代办委托列表"
)
def entrustment_list(request: HttpRequest, filters: Query[EntrustmentQuery]) -> Any:
    qs = selectors.entrustment_list(actor=request.user, valid_only=filters.valid)
    rows, count = paginate(qs, filters.page, filters.page_size)
    return {"items": [entrustment_out(e) for e in rows], "count": count}


@router.get("/proxy/entrustments/{pk}", response={200: EntrustmentOut, **ERRORS_AUTH}, summary="代办委托详情")
def entrustment_detail(request: HttpRequest, pk: int) -> Any:
    return entrustment_out(services.entrustment_get(actor=request.user, pk=pk))


class RevokeIn(BodyIn):
    reason: str


@router.post(
    "/proxy/entrustments/{pk}/revoke",
    response={200: EntrustmentOut, **ERRORS_WRITE},
    auth=ENTRUST_AUTH,
    summary="撤销代办委托",
)
def entrustment_revoke(request: HttpRequest, pk: int, payload: RevokeIn) -> Any:
    e = _audited(
        request,
        "entrustment_revoke",
        f"entrustment:{pk}",
        lambda: services.entrustment_revoke(actor=request.user, pk=pk, reason=payload.reason),
    )
    return entrustment_out(e)


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
    req = _audited(
        request,
        "request_create",
        f"entrustment:{payload.entrustment}",
        lambda: services.proxy_request_create(
            actor=request.user,
            entrustment=payload.entrustment,
            item=payload.item,
            materials=[m.dict() for m in payload.materials],
            form=payload.form,
            onsite=payload.onsite,
        ),
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
        "actions": services.actions_for(r, request.user),
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
        actor=request.user, state=filters.state, queue=filters.queue, mine=filters.mine, item=filters.item
    )
    rows, count = paginate(qs, filters.page, filters.page_size)
    return {"items": [request_row(r) for r in rows], "count": count}


@router.get("/proxy/requests/{pk}", response={200: RequestOut, **ERRORS_AUTH}, summary="代办申请详情")
def request_detail(request: HttpRequest, pk: int) -> Any:
    return request_out(request, services.proxy_request_get(actor=request.user, pk=pk))


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
    _audited(
        request,
        payload.action,
        f"proxy_request:{pk}",
        lambda: services.proxy_request_action(
            actor=request.user,
            pk=pk,
            action=payload.action,
            note=payload.note or "",
            materials=[m.dict() for m in payload.materials] if payload.materials else None,
            missing=[m.dict() for m in payload.missing] if payload.missing else None,
            signed_by=payload.signed_by or "",
            method=payload.method or "",
            outcome=payload.outcome or "",
            satisfied=payload.satisfied,
            override_reason=payload.override_reason or "",
            receipt_file=payload.receipt_file,
        ),
    )
    return request_out(request, services.proxy_request_get(actor=request.user, pk=pk))


@router.get(
    "/proxy/entrustments/{pk}/document.pdf", response={200: None, **ERRORS_AUTH}, summary="打印委托书（PDF）"
)
def entrustment_document(request: HttpRequest, pk: int) -> HttpResponse:
    return documents.entrustment_pdf_response(request, pk)


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
    to_user: str
    signed_by: str
    note: str


class BatchOut(Schema):
    id: int
    number: str
    from_: str = Field(alias="from")
    to: str
    holder: str
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
        "holder": b.holder.username,
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
                "to_user": h.to_user.username,
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
    b = _audited(
        request,
        "batch_create",
        "",
        lambda: custody.batch_create(
            actor=request.user,
            from_code=payload.from_,
            to_code=payload.to,
            requests=payload.requests,
            note=payload.note or "",
        ),
    )
    return Status(201, batch_out(custody.batch_get(actor=request.user, pk=b.pk)))


class BatchQuery(ListQuery):
    holding: bool = Field(False, description="本人保管的")
    incoming: bool = Field(False, description="待本区域签收的")


@router.get(
    "/proxy/batches", response={200: Page[BatchOut], **ERRORS_AUTH}, by_alias=True, summary="交接批次列表"
)
def batch_list(request: HttpRequest, filters: Query[BatchQuery]) -> Any:
    qs = custody.batches_for(request.user, holding=filters.holding, incoming=filters.incoming)
    rows, count = paginate(qs, filters.page, filters.page_size)
    return {"items": [batch_out(b) for b in rows], "count": count}


@router.get(
    "/proxy/batches/{pk}", response={200: BatchOut, **ERRORS_AUTH}, by_alias=True, summary="交接批次详情"
)
def batch_detail(request: HttpRequest, pk: int) -> Any:
    return batch_out(custody.batch_get(actor=request.user, pk=pk))


class HandOverIn(BodyIn):
    to: str = Field(description="接收人用户名（如送件司机）")
    signed_by: str | None = None
    note: str | None = None


@router.post(
    "/proxy/batches/{pk}/hand_over",
    response={200: BatchOut, **ERRORS_WRITE},
    by_alias=True,
    summary="途中交接（仅当前保管人）",
)
def batch_hand_over(request: HttpRequest, pk: int, payload: HandOverIn) -> Any:
    _audited(
        request,
        "batch_hand_over",
        f"batch:{pk}",
        lambda: custody.batch_hand_over(
            actor=request.user,
            pk=pk,
            to=payload.to,
            signed_by=payload.signed_by or "",
            note=payload.note or "",
        ),
    )
    return batch_out(custody.batch_get(actor=request.user, pk=pk))


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
    _audited(
        request,
        "batch_receive",
        f"batch:{pk}",
        lambda: custody.batch_receive(
            actor=request.user,
            pk=pk,
            received=payload.received,
            missing=payload.missing,
            damaged=payload.damaged,
            signed_by=payload.signed_by or "",
            note=payload.note or "",
        ),
    )
    return batch_out(custody.batch_get(actor=request.user, pk=pk))


@router.get(
    "/proxy/batches/{pk}/manifest.pdf", response={200: None, **ERRORS_AUTH}, summary="交接清单（PDF）"
)
def batch_manifest(request: HttpRequest, pk: int) -> HttpResponse:
    b = custody.batch_get(actor=request.user, pk=pk)
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
    rows, count = paginate(
        custody.alert_list(actor=request.user, open_only=filters.open), filters.page, filters.page_size
    )
    return {"items": [alert_out(a) for a in rows], "count": count}


class ResolveIn(BodyIn):
    resolution: str


@router.post("/proxy/alerts/{pk}/resolve", response={200: AlertOut, **ERRORS_WRITE}, summary="处理缺失告警")
def alert_resolve(request: HttpRequest, pk: int, payload: ResolveIn) -> Any:
    a = _audited(
        request,
        "alert_resolve",
        f"alert:{pk}",
        lambda: custody.alert_resolve(actor=request.user, pk=pk, resolution=payload.resolution),
    )
    return alert_out(a)


# --- ledger (代办台账) ----------------------------------------------------------------------------


class LedgerRowOut(Schema):
    key: str
    name: str
    requests: int
    items: int
    on_time: int
    late: int
    returns: int
    passed: int
    delivered: int
    followed_up: int
    avg_days: float | None


class LedgerOut(Schema):
    month: str
    group_by: Literal["agent", "village", "township", "county"]
    rows: list[LedgerRowOut]
    total: LedgerRowOut


class LedgerQuery(Schema):
    month: str | None = Field(None, description="YYYY-MM（默认本月）")
    group_by: Literal["agent", "village", "township", "county"] = "village"


@router.get(
    "/proxy/ledger",
    response={200: LedgerOut, **ERRORS_AUTH},
    summary="代办台账（按代办员/嘎查村/苏木乡镇/旗县）",
)
def proxy_ledger(request: HttpRequest, filters: Query[LedgerQuery]) -> Any:
    month = ledger.parse_month(filters.month)
    rows, total = ledger.ledger(actor=request.user, month=month, group_by=filters.group_by)
    return {
        "month": f"{month:%Y-%m}",
        "group_by": filters.group_by,
        "rows": [r.as_dict() for r in rows],
        "total": total.as_dict(),
    }


@router.get("/proxy/ledger.xlsx", response={200: None, **ERRORS_AUTH}, summary="导出代办台账（Excel）")
def proxy_ledger_xlsx(request: HttpRequest, filters: Query[LedgerQuery]) -> HttpResponse:
    month = ledger.parse_month(filters.month)
    data = ledger.ledger_xlsx(actor=request.user, month=month, group_by=filters.group_by)
    services.audit(
        "proxy.ledger_export", user=request.user, obj=f"{month:%Y-%m}/{filters.group_by}", request=request
    )
    resp = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f'attachment; filename="proxy-ledger-{month:%Y-%m}-{filters.group_by}.xlsx"'
    return resp


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
    f = _audited(
        request,
        "resident_flags",
        f"resident:{resident_id}",
        lambda: onsite.resident_flags_set(
            actor=request.user,
            resident=resident_id,
            elderly=payload.elderly,
            disabled=payload.disabled,
            sick=payload.sick,
            note=payload.note or "",
        ),
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
    v = _audited(
        request,
        "visit_book",
        f"resident:{payload.resident}",
        lambda: onsite.visit_book(
            actor=request.user,
            resident=payload.resident,
            start=payload.start,
            minutes=payload.minutes,
            purpose=payload.purpose or "",
            agent=payload.agent,
        ),
    )
    return Status(201, visit_out(onsite.visit_get(actor=request.user, pk=v.pk)))


@router.get("/proxy/visits", response={200: Page[VisitOut], **ERRORS_AUTH}, summary="上门服务预约列表")
def visit_list(request: HttpRequest, filters: Query[ListQuery]) -> Any:
    rows, count = paginate(
        onsite.visit_scope(request.user).order_by("start"), filters.page, filters.page_size
    )
    return {"items": [visit_out(v) for v in rows], "count": count}


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
    v = _audited(
        request,
        "visit_complete",
        f"visit:{pk}",
        lambda: onsite.visit_complete(
            actor=request.user,
            pk=pk,
            outcome=payload.outcome,
            request=(
                {
                    "entrustment": body.entrustment,
                    "item": body.item,
                    "materials": [m.dict() for m in body.materials],
                    "form": body.form,
                }
                if body is not None
                else None
            ),
        ),
    )
    return visit_out(onsite.visit_get(actor=request.user, pk=v.pk))


@router.post("/proxy/visits/{pk}/cancel", response={200: VisitOut, **ERRORS_WRITE}, summary="取消上门预约")
def visit_cancel(request: HttpRequest, pk: int, payload: RevokeIn) -> Any:
    v = _audited(
        request,
        "visit_cancel",
        f"visit:{pk}",
        lambda: onsite.visit_cancel(actor=request.user, pk=pk, reason=payload.reason),
    )
    return visit_out(v)


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
