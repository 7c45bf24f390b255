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
from onewindow.core.apischemas import BodyIn, Page, PageQuery, fields_of, page_of, responses, row_out
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


class MyFilter(PageQuery):
    state: State | None = None


@router.post(
    "/portal/otp", auth=None, response=responses(OtpSent, 429, public=True), summary="获取登录验证码"
)
def otp_send(request: HttpRequest, payload: OtpIn) -> Any:
    services.otp_rate_check(request)
    services.otp_send(phone=payload.phone, client=services.request_client(request))
    return {"sent": True, "expires_in": services.otp_ttl()}


@router.post(
    "/portal/login",
    auth=None,
    response=responses(LoginOut, 429, public=True),
    summary="验证码登录（首次即注册）",
)
def otp_login(request: HttpRequest, payload: LoginIn) -> Any:
    account, new = services.otp_login(
        phone=payload.phone, code=payload.code, client=services.request_client(request)
    )
    login(request, account.user, backend="django.contrib.auth.backends.ModelBackend")
    return {"new": new, "real_name": account.resident_id is not None}


@router.post("/my/realname", response=responses(RealNameOut, 409), summary="实名认证")
def real_name(request: HttpRequest, payload: RealNameIn) -> Any:
    account = services.require_account(request.user)
    account = services.account_bind_real_name(
        account=account, **fields_of(payload, services.account_bind_real_name)
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
    response=responses(ContactOut, 409, 429),
    summary="更换联系电话（验证码先经 /portal/otp 发到新号码）",
)
def contact_change(request: HttpRequest, payload: ContactIn) -> Any:
    account = services.require_account(request.user)
    client = services.request_client(request)
    account = services.resident_contact_change(
        account=account, **fields_of(payload, services.resident_contact_change), client=client
    )
    return {"phone": mask_phone(account.phone), "phone_verified": True}


def _row(case: Case, schema: type[Schema] = MyCaseRow, **given: Any) -> dict[str, Any]:
    """The resident's case as ``MyCaseRow`` (or, with the detail's ``given`` fields, as ``MyCaseOut``)."""
    return row_out(
        schema,
        case,
        item=case.item_version.item.code,
        item_name=case.item_version.name,
        state_label=str(State(case.state).label),
        centre=case.centre.code,
        centre_name=case.centre.name,
        **given,
    )


def _upload(
    u: Any, schema: type[Schema] = UploadOut, url: str = "portal:my_file", **given: Any
) -> dict[str, Any]:
    """An uploaded material as the resident sees it (``UploadOut``), or as the window sees it."""
    return row_out(
        schema,
        u,
        id=u.pk,
        material=u.material_code,
        reused=u.reused_from_id is not None,
        url=reverse(url, args=[u.pk]),
        **given,
    )


@router.get("/my/cases", response=responses(Page[MyCaseRow]), summary="我的办件")
def my_cases(request: HttpRequest, filters: Query[MyFilter]) -> Any:
    qs = my.my_case_list(resident_actor(request)).select_related("item_version__item")
    if filters.state:
        qs = qs.filter(state=filters.state)
    return page_of(qs, filters, _row)


@router.get("/my/cases/{number}", response=responses(MyCaseOut), summary="我的办件详情")
def my_case(request: HttpRequest, number: str) -> Any:
    case = my.my_case_get(resident_actor(request), number)
    return _row(
        case,
        MyCaseOut,
        hint=my.STATE_HINTS.get(case.state, ""),
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
        uploads=[_upload(u) for u in my.case_uploads(case)],
        rate_url=my.rating_link(case),
    )


@router.post(
    "/my/cases/{number}/supplement",
    response=responses(MyCaseRow, 409),
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


@router.get("/my/inbox", response=responses(Page[InboxOut]), summary="我的消息")
def my_inbox(request: HttpRequest, q: Query[PageQuery]) -> Any:
    return page_of(
        my.inbox(resident_actor(request)), q, lambda n: row_out(InboxOut, n, read=n.read_at is not None)
    )


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
    response=responses(list[StaffUploadOut]),
    summary="网上申请上传的材料（窗口核验用）",
)
def case_uploads(request: HttpRequest, number: str) -> Any:
    return [
        _upload(
            u,
            StaffUploadOut,
            "portal:staff_upload",
            content_type=u.file.content_type,
            size=u.file.size,
            uploaded_at=u.created_at,
        )
        for u in my.staff_case_uploads(request_actor(request), number)
    ]
