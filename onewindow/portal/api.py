"""The portal router (see ../shared/API.md): resident accounts and "my cases" (一网通办).

A resident logs in with a mobile number and an SMS code (``/portal/otp`` then ``/portal/login``, which
starts a browser session) and applies with ``POST /api/v1/cases`` and ``channel: online`` (the same
``case_intake`` service: the case arrives ``submitted`` at the centre's comprehensive window).
Everything under ``/my/`` shows only the caller's own cases; anyone else's is a 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import login
from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema

from onewindow.cases.documents import DOCUMENT_TITLES, document_kinds
from onewindow.cases.models import Case, State
from onewindow.core.apischemas import ERRORS_AUTH, ERRORS_PUBLIC, BodyIn, Error, Page, page_of, paginate
from onewindow.org.actors import request_actor
from onewindow.portal import applications, my, pending, services
from onewindow.portal.edge import resident_actor
from onewindow.privacy.masking import mask_phone

router = Router(tags=["一网通办（群众）"])


class OtpIn(BodyIn):
    phone: str


class OtpSent(Schema):
    sent: bool
    expires_in: int


class LoginIn(BodyIn):
    phone: str
    code: str


class LoginOut(Schema):
    new: bool
    real_name: bool


class RealNameIn(BodyIn):
    name: str
    id_number: str
    jurisdiction: str


class RealNameOut(Schema):
    name: str
    id_number: str  # masked
    jurisdiction: str


class MyCaseRow(Schema):
    number: str
    item: str
    item_name: str
    state: State
    state_label: str
    centre: str
    centre_name: str
    received_at: dt.datetime
    deadline: dt.date | None


class PortalStepOut(Schema):
    at: dt.datetime
    text: str
    where: str
    note: str


class PortalMissingOut(Schema):
    code: str
    name: str
    reason: str


class DocumentOut(Schema):
    kind: str
    title: str
    url: str


class UploadOut(Schema):
    id: int
    material: str
    material_name: str
    stage: str
    reused: bool
    url: str


class MyCaseOut(MyCaseRow):
    hint: str
    accepted_at: dt.datetime | None
    promised_days: int
    missing: list[PortalMissingOut]
    timeline: list[PortalStepOut]
    documents: list[DocumentOut]
    uploads: list[UploadOut]
    rate_url: str


class InboxOut(Schema):
    id: int
    subject: str
    body: str
    case_number: str
    created_at: dt.datetime
    read: bool


class MyFilter(Schema):
    state: State | None = None
    page: int = 1
    page_size: int = 50


@router.post(
    "/portal/otp", auth=None, response={200: OtpSent, **ERRORS_PUBLIC, 429: Error}, summary="获取登录验证码"
)
def otp_send(request: HttpRequest, payload: OtpIn) -> Any:
    services.otp_rate_check(request)
    services.otp_send(phone=payload.phone, client=services.request_client(request))
    return {"sent": True, "expires_in": services.otp_ttl()}


@router.post(
    "/portal/login",
    auth=None,
    response={200: LoginOut, **ERRORS_PUBLIC, 429: Error},
    summary="验证码登录（首次即注册）",
)
def otp_login(request: HttpRequest, payload: LoginIn) -> Any:
    account, new = services.otp_login(
        phone=payload.phone, code=payload.code, client=services.request_client(request)
    )
    login(request, account.user, backend="django.contrib.auth.backends.ModelBackend")
    return {"new": new, "real_name": account.resident_id is not None}


@router.post("/my/realname", response={200: RealNameOut, **ERRORS_AUTH, 409: Error}, summary="实名认证")
def real_name(request: HttpRequest, payload: RealNameIn) -> Any:
    account = services.require_account(request.user)
    account = services.account_bind_real_name(
        account=account, name=payload.name, id_number=payload.id_number, jurisdiction=payload.jurisdiction
    )
    r = account.resident
    assert r is not None
    return {"name": r.masked_name, "id_number": r.masked_id_number, "jurisdiction": r.jurisdiction.code}


class ContactIn(BodyIn):
    phone: str
    code: str
    address: str | None = None


class ContactOut(Schema):
    phone: str
    phone_verified: bool


@router.post(
    "/my/contact",
    response={200: ContactOut, **ERRORS_AUTH, 409: Error, 429: Error},
    summary="更换联系电话（验证码先经 /portal/otp 发到新号码）",
)
def contact_change(request: HttpRequest, payload: ContactIn) -> Any:
    account = services.require_account(request.user)
    account = services.resident_contact_change(
        account=account,
        phone=payload.phone,
        code=payload.code,
        address=payload.address,
        client=services.request_client(request),
    )
    return {"phone": mask_phone(account.phone), "phone_verified": True}


def _row(case: Case) -> dict[str, Any]:
    return {
        "number": case.number,
        "item": case.item_version.item.code,
        "item_name": case.item_version.name,
        "state": case.state,
        "state_label": str(State(case.state).label),
        "centre": case.centre.code,
        "centre_name": case.centre.name,
        "received_at": case.received_at,
        "deadline": case.deadline,
    }


@router.get("/my/cases", response={200: Page[MyCaseRow], **ERRORS_AUTH}, summary="我的办件")
def my_cases(request: HttpRequest, filters: Query[MyFilter]) -> Any:
    qs = my.my_case_list(resident_actor(request)).select_related("item_version__item")
    if filters.state:
        qs = qs.filter(state=filters.state)
    return page_of(qs, filters, _row)


@router.get("/my/cases/{number}", response={200: MyCaseOut, **ERRORS_AUTH}, summary="我的办件详情")
def my_case(request: HttpRequest, number: str) -> Any:
    case = my.my_case_get(resident_actor(request), number)
    out = _row(case)
    out.update(
        hint=my.STATE_HINTS.get(case.state, ""),
        accepted_at=case.accepted_at,
        promised_days=case.promised_days,
        missing=(case.notice or {}).get("missing", []) if case.state == State.CORRECTION_NEEDED else [],
        timeline=[s.__dict__ for s in my.plain_timeline(case)],
        documents=[
            {
                "kind": k,
                "title": DOCUMENT_TITLES[k],
                "url": reverse("portal:my_document", args=[case.number, k]),
            }
            for k in document_kinds(case)
        ],
        uploads=[
            {
                "id": u.pk,
                "material": u.material_code,
                "material_name": u.material_name,
                "stage": u.stage,
                "reused": u.reused_from_id is not None,
                "url": reverse("portal:my_file", args=[u.pk]),
            }
            for u in my.case_uploads(case)
        ],
        rate_url=my.rating_link(case),
    )
    return out


@router.post(
    "/my/cases/{number}/supplement",
    response={200: MyCaseRow, **ERRORS_AUTH, 409: Error},
    summary="提交补正材料（multipart：file-<材料编码>，可多个文件，或 reuse-<材料编码>=<以前的材料 id>）",
)
def my_supplement(request: HttpRequest, number: str) -> Any:
    actor = resident_actor(request)
    account = services.require_account(request.user)
    case = my.my_case_get(actor, number)
    materials = {m.code: m.name for m in case.item_version.materials.all()}
    uploads = {c: request.FILES.getlist(f"file-{c}") for c in materials if request.FILES.getlist(f"file-{c}")}
    reuse = {c: request.POST[f"reuse-{c}"] for c in materials if request.POST.get(f"reuse-{c}")}
    scope = pending.scope_supplement(case.number)
    ids, error = pending.pending_stash(
        account=account, scope=scope, materials=materials, uploads=uploads, keep=[]
    )
    try:
        if error is not None:
            raise error
        case = applications.application_supplement(actor=actor, number=number, pending_ids=ids, reuse=reuse)
    except Exception:
        for pid in ids:  # an API client sends its files again: nothing is kept for it
            pending.pending_drop(account=account, scope=scope, pid=pid)
        raise
    return _row(case)


@router.get("/my/inbox", response={200: Page[InboxOut], **ERRORS_AUTH}, summary="我的消息")
def my_inbox(request: HttpRequest, page: int = 1, page_size: int = 50) -> Any:
    rows, count = paginate(my.inbox(resident_actor(request)), page, page_size)
    return {
        "items": [
            {
                "id": n.pk,
                "subject": n.subject,
                "body": n.body,
                "case_number": n.case_number,
                "created_at": n.created_at,
                "read": n.read_at is not None,
            }
            for n in rows
        ],
        "count": count,
    }


class StaffUploadOut(Schema):
    id: int
    material: str
    material_name: str
    stage: str
    reused: bool
    content_type: str
    size: int
    uploaded_at: dt.datetime
    url: str


@router.get(
    "/cases/{number}/uploads",
    response={200: list[StaffUploadOut], **ERRORS_AUTH},
    summary="网上申请上传的材料（窗口核验用）",
)
def case_uploads(request: HttpRequest, number: str) -> Any:
    return [
        {
            "id": u.pk,
            "material": u.material_code,
            "material_name": u.material_name,
            "stage": u.stage,
            "reused": u.reused_from_id is not None,
            "content_type": u.file.content_type,
            "size": u.file.size,
            "uploaded_at": u.created_at,
            "url": reverse("portal:staff_upload", args=[u.pk]),
        }
        for u in my.staff_case_uploads(request_actor(request), number)
    ]
