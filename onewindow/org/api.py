"""The organisation's API: the caller (``/me``), jurisdictions and centres (public), a resident's contact."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from onewindow.core.apiauth import AUTH
from onewindow.core.apischemas import ERRORS_AUTH, ERRORS_PUBLIC, Page, fields_of, page_of
from onewindow.core.errors import Forbidden, Invalid, NotFound, Unauthenticated
from onewindow.org.actors import request_actor
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


@router.get("/me", response={200: Me, **ERRORS_AUTH}, auth=None, summary="当前用户")
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
    return {
        "username": request_user.get_username(),
        "name": staff.name,
        "roles": staff.role_list,
        "jurisdiction": staff.jurisdiction.code,
        "jurisdiction_name": staff.jurisdiction.name,
        "centre": staff.centre.code if staff.centre else None,
        "department": staff.department.code if staff.department else None,
    }


class JurisdictionOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None


class JurisdictionFilter(Schema):
    level: Level | None = None
    parent: str | None = None
    page: int = 1
    page_size: int = 50


@router.get(
    "/jurisdictions", response={200: Page[JurisdictionOut], **ERRORS_PUBLIC}, summary="行政区域（公开）"
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
    return page_of(
        qs,
        filters,
        lambda j: {
            "code": j.code,
            "name": j.name,
            "level": j.level,
            "parent": j.parent.code if j.parent else None,
        },
    )


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


class CentreFilter(Schema):
    jurisdiction: str | None = None
    level: Level | None = None
    page: int = 1
    page_size: int = 50


def centre_out(c: Centre) -> dict[str, Any]:
    return {
        "code": c.code,
        "name": c.name,
        "jurisdiction": c.jurisdiction.code,
        "level": c.jurisdiction.level,
        "address": c.address,
        "phone": c.phone,
        "supervision_phone": c.supervision_phone,
        "complaint_phone": c.complaint_phone,
        "duty_phone": c.duty_phone,
        "holiday_duty": [
            {"date": d.date.isoformat(), "start": f"{d.start:%H:%M}", "end": f"{d.end:%H:%M}", "note": d.note}
            for d in c.holiday_duties.all()
            if d.date >= timezone.localdate()
        ],
        "hours": [
            {
                "session": h.session,
                "weekdays": h.weekdays,
                "start": h.start.strftime("%H:%M"),
                "end": h.end.strftime("%H:%M"),
                "text": str(h),
            }
            for h in c.hours.all()
        ],
        "windows": [
            {"id": w.id, "number": w.number, "name": w.name, "kind": w.kind, "domains": w.domains}
            for w in c.windows.all()
            if w.is_active
        ],
    }


@router.get("/centres", response={200: Page[CentreOut], **ERRORS_PUBLIC}, summary="服务中心（公开）")
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


@router.get("/centres/{code}", response={200: CentreOut, **ERRORS_PUBLIC}, summary="服务中心详情（公开）")
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
    response={200: ResidentContactOut, **ERRORS_AUTH},
    summary="更新办事群众档案联系方式（本辖区工作人员，须写明理由，留痕审计）",
)
def resident_contact(request: HttpRequest, pk: int, payload: ResidentContactIn) -> Any:
    r = resident_contact_update(
        actor=request_actor(request), pk=pk, **fields_of(payload, resident_contact_update), request=request
    )
    return {
        "id": r.pk,
        "name": r.masked_name,
        "phone": r.masked_phone,
        "address": r.masked_address,
        "phone_verified": r.phone_verified_at is not None,
    }
