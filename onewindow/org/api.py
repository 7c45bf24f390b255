"""The organisation's API: the caller (``/me``), jurisdictions and centres (public), a resident's contact."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from onewindow.core.apiauth import AUTH
from onewindow.core.apischemas import Page, PageQuery, page_of, responses, row_out
from onewindow.core.errors import Forbidden, Invalid, NotFound, Unauthenticated
from onewindow.org.actors import request_actor
from onewindow.org.apicalls import serve
from onewindow.org.models import Centre, Jurisdiction, Level
from onewindow.org.services import resident_contact_update

router = Router(tags=["机构"])


class Me(Schema):
    username: str
    name: str
    roles: list[str]
    jurisdiction: str | None
    jurisdiction_name: str | None
    centre: str | None
    department: str | None


@router.get("/me", response=responses(Me), auth=None, summary="当前用户")
def me(request: HttpRequest) -> Any:
    user = None
    for auth in AUTH:
        user = auth(request)
        if user:
            break
    if not user:
        raise Unauthenticated("请先登录或提供有效的令牌")
    request_user = request.user if getattr(request.user, "is_authenticated", False) else user
    staff = request_actor(request).staff
    if staff is None:
        raise Forbidden("该账号未关联工作人员信息", code="no_staff_profile")
    return row_out(
        Me,
        staff,
        username=request_user.get_username(),
        roles=staff.role_list,
        jurisdiction=staff.jurisdiction.code,
        jurisdiction_name=staff.jurisdiction.name,
        centre=staff.centre.code if staff.centre else None,
        department=staff.department.code if staff.department else None,
    )


class JurisdictionOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None


class JurisdictionFilter(PageQuery):
    level: Level | None = None
    parent: str | None = None


def jurisdiction_out(j: Jurisdiction) -> dict[str, Any]:
    return row_out(JurisdictionOut, j, parent=j.parent.code if j.parent else None)


@router.get(
    "/jurisdictions", response=responses(Page[JurisdictionOut], public=True), summary="行政区域（公开）"
)
def jurisdictions(request: HttpRequest, filters: Query[JurisdictionFilter]) -> Any:
    qs = Jurisdiction.objects.select_related("parent").order_by("path")
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.parent:
        if not Jurisdiction.objects.filter(code=filters.parent).exists():
            raise Invalid(
                f"未知的区划代码 {filters.parent}", code="unknown_jurisdiction", details={"parent": ["未知"]}
            )
        qs = qs.filter(parent__code=filters.parent)
    return page_of(qs, filters, jurisdiction_out)


class WindowOut(Schema):
    id: int
    number: int
    name: str
    kind: str
    domains: list[str]


class HoursOut(Schema):
    session: str
    weekdays: str
    start: str
    end: str
    text: str


class HolidayDutyOut(Schema):
    date: str
    start: str
    end: str
    note: str


class CentreOut(Schema):
    code: str
    name: str
    jurisdiction: str
    level: str
    address: str
    phone: str
    supervision_phone: str
    complaint_phone: str
    duty_phone: str = ""
    hours: list[HoursOut]
    holiday_duty: list[HolidayDutyOut] = []
    windows: list[WindowOut]


class CentreFilter(PageQuery):
    jurisdiction: str | None = None
    level: Level | None = None


def centre_out(c: Centre) -> dict[str, Any]:
    return row_out(
        CentreOut,
        c,
        jurisdiction=c.jurisdiction.code,
        level=c.jurisdiction.level,
        holiday_duty=[
            {"date": d.date.isoformat(), "start": f"{d.start:%H:%M}", "end": f"{d.end:%H:%M}", "note": d.note}
            for d in c.holiday_duties.all()
            if d.date >= timezone.localdate()
        ],
        hours=[
            row_out(HoursOut, h, start=h.start.strftime("%H:%M"), end=h.end.strftime("%H:%M"), text=str(h))
            for h in c.hours.all()
        ],
        windows=[row_out(WindowOut, w) for w in c.windows.all() if w.is_active],
    )


@router.get("/centres", response=responses(Page[CentreOut], public=True), summary="服务中心（公开）")
def centres(request: HttpRequest, filters: Query[CentreFilter]) -> Any:
    qs = (
        Centre.objects.filter(is_active=True)
        .select_related("jurisdiction")
        .prefetch_related("hours", "holiday_duties", "windows")
        .order_by("jurisdiction__path", "code")
    )
    if filters.jurisdiction:
        j = Jurisdiction.objects.filter(code=filters.jurisdiction).first()
        if j is None:
            raise Invalid(
                f"未知的区划代码 {filters.jurisdiction}",
                code="unknown_jurisdiction",
                details={"jurisdiction": ["未知"]},
            )
        qs = qs.filter(jurisdiction__path__startswith=j.path)
    if filters.level:
        qs = qs.filter(jurisdiction__level=filters.level)
    return page_of(qs, filters, centre_out)


@router.get("/centres/{code}", response=responses(CentreOut, public=True), summary="服务中心详情（公开）")
def centre_detail(request: HttpRequest, code: str) -> Any:
    c = (
        Centre.objects.filter(code=code, is_active=True)
        .select_related("jurisdiction")
        .prefetch_related("hours", "holiday_duties", "windows")
        .first()
    )
    if c is None:
        raise NotFound(f"服务中心 {code} 不存在", code="unknown_centre")
    return centre_out(c)


class ResidentContactIn(Schema):
    reason: str
    phone: str | None = None
    address: str | None = None


class ResidentContactOut(Schema):
    id: int
    name: str
    phone: str
    address: str
    phone_verified: bool


# Residents' records: authenticated (registered with the token/session auth in api.py).
resident_router = Router(tags=["机构"])


@resident_router.post(
    "/residents/{pk}/contact",
    response=responses(ResidentContactOut),
    summary="更新办事群众档案联系方式（本辖区工作人员，须写明理由，留痕审计）",
)
def resident_contact(request: HttpRequest, pk: int, payload: ResidentContactIn) -> Any:
    return serve(request, resident_contact_update, _resident_contact_out, payload, pk=pk, request=request)


def _resident_contact_out(r: Any) -> dict[str, Any]:
    return row_out(
        ResidentContactOut,
        r,
        id=r.pk,
        name=r.masked_name,
        phone=r.masked_phone,
        address=r.masked_address,
        phone_verified=r.phone_verified_at is not None,
    )
