"""Open311 GeoReport v2 facade: published items as *services*, cases as *service requests*.

So that tools speaking Open311 work unchanged (served under ``/open311/v2/``, JSON and XML)::

    GET  discovery.{json,xml}                  service discovery
    GET  services.{json,xml}                   published items (public)
    GET  services/{service_code}.{json,xml}    service definition: the item's form fields and materials
    GET  requests.{json,xml}?api_key=…         cases in the token holder's jurisdiction
    GET  requests/{service_request_id}.{json,xml}?api_key=…
    POST requests.{json,xml}                   form-encoded, ``api_key`` = an API token: an online case

Mapping and deviations from the spec (all deliberate):

* ``service_code`` = item code, ``group`` = the item's domain (名称), ``keywords`` = its aliases,
  ``type`` is always ``realtime`` (a case number is issued at once, no token resource).
* A service request is a case: ``service_request_id`` = case number, ``status`` ``open`` | ``closed``
  (closed = delivered, not accepted or withdrawn), ``status_notes`` = the state in Chinese,
  ``expected_datetime`` = the deadline (end of that working day, local time), ``agency_responsible`` =
  the department, ``address`` = the service centre's address. No personal data is ever returned
  (no applicant, no description, no form values): service requests here are people's applications.
* Reading requests needs ``api_key`` (the spec leaves it optional); out-of-scope numbers are 404.
* POST: the spec's location (lat/long/address) is not required (services here are not located); the
  centre is ``jurisdiction_id`` (a centre code) or the token holder's own centre. The applicant is
  ``first_name``+``last_name``, ``phone`` and the attribute ``id_number``; ``attribute[<field>]`` fill
  the item's form, ``attribute[<material code>]=true`` marks a material as provided; ``description``
  fills the first text field left empty. The case is created through ``case_intake`` with channel
  ``online``, so it is ``submitted`` and waits for the window check. Read-only tokens get a 403.
* Errors are the spec's ``[{"code": <http status>, "description": "…"}]`` (``<errors>`` in XML).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree as ET

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, re_path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from onewindow.api.tokens import token_lookup
from onewindow.cases import selectors
from onewindow.cases.models import Case, Channel, State
from onewindow.cases.services import case_intake
from onewindow.catalog.models import FieldKind, ItemVersion, VersionStatus
from onewindow.core.audit import record
from onewindow.core.errors import DomainError
from onewindow.core.locking import run_with_retry
from onewindow.org.access import staff_of
from onewindow.org.actors import actor_of
from onewindow.org.models import Centre, Jurisdiction

app_name = "open311"

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
CLOSED_STATES = {"delivered", "not_accepted", "withdrawn"}
MAX_REQUESTS = 1000  # the spec's default page: up to 1000 requests of the last 90 days
DEFAULT_DAYS = 90
ID_NUMBER_ATTRIBUTE = "id_number"


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        self.status = status
        self.description = description
        super().__init__(description)


# --- rendering -----------------------------------------------------------------------------------


def _xml_value(parent: ET.Element, tag: str, value: Any) -> None:
    el = ET.SubElement(parent, tag)
    if isinstance(value, list):
        child_tag = {"values": "value", "attributes": "attribute", "endpoints": "endpoint"}.get(tag, "item")
        for v in value:
            if isinstance(v, dict):
                item = ET.SubElement(el, child_tag)
                for k, vv in v.items():
                    _xml_value(item, k, vv)
            else:
                ET.SubElement(el, "format" if tag == "formats" else child_tag).text = str(v)
    elif isinstance(value, bool):
        el.text = "true" if value else "false"
    elif value is not None:
        el.text = str(value)


def _render(fmt: str, data: Any, *, root: str, item: str = "", status: int = 200) -> HttpResponse:
    if fmt == "xml":
        top = ET.Element(root)
        if isinstance(data, dict):  # a single document (service_definition, discovery)
            for k, v in data.items():
                _xml_value(top, k, v)
        else:
            for row in data:
                el = ET.SubElement(top, item)
                for k, v in row.items():
                    _xml_value(el, k, v)
        body = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(top, encoding="utf-8")
        return HttpResponse(body, status=status, content_type=FORMATS["xml"])
    return HttpResponse(json.dumps(data, ensure_ascii=False), status=status, content_type=FORMATS["json"])


def _errors(fmt: str, status: int, description: str) -> HttpResponse:
    return _render(
        fmt, [{"code": status, "description": description}], root="errors", item="error", status=status
    )


def open311_view(func: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Map Open311 and domain errors to the spec's error list in the requested format."""

    def view(request: HttpRequest, fmt: str, **kw: Any) -> HttpResponse:
        try:
            return func(request, fmt, **kw)
        except Open311Error as e:
            return _errors(fmt, e.status, e.description)
        except RequestDataTooBig:
            return _errors(fmt, 413, "请求体过大")
        except SuspiciousOperation:
            return _errors(fmt, 400, "请求格式有误")
        except DomainError as e:
            status = 400 if e.status == 422 else e.status
            details = "; ".join(
                f"{k}: {'、'.join(map(str, v)) if isinstance(v, list) else v}"
                for k, v in (e.details or {}).items()
            )
            return _errors(fmt, status, f"{e.message}（{e.code}）" + (f" {details}" if details else ""))

    view.__name__ = func.__name__
    view.__doc__ = func.__doc__
    return view


# --- auth ----------------------------------------------------------------------------------------


def _token(request: HttpRequest, *, required: bool) -> Any:
    """The token row for ``api_key`` (query string or form body; a Bearer header is accepted too)."""
    key = request.POST.get("api_key") if request.method == "POST" else None
    key = key or request.GET.get("api_key")
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not key and header.lower().startswith("bearer "):
        key = header[7:].strip()
    if not key:
        if required:
            raise Open311Error(403, "需要 api_key（接口令牌）")
        return None
    row = token_lookup(key)
    if row is None:
        raise Open311Error(403, "api_key 无效、已过期或已吊销")
    return row


# --- services ------------------------------------------------------------------------------------


def _published() -> QuerySet[ItemVersion]:
    return (
        ItemVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .select_related("item", "domain", "department")
        .prefetch_related("materials", "fields")
        .order_by("domain__sort", "item__code")
    )


def _service(v: ItemVersion) -> dict[str, Any]:
    description = v.conditions.strip() or f"{v.name}（{v.department.name}，承诺{v.promised_days}个工作日）"
    return {
        "service_code": v.item.code,
        "service_name": v.name,
        "description": description[:500],
        "metadata": True,  # every item has a definition: at least the applicant's ID number
        "type": "realtime",
        "keywords": ",".join(a for a in re.split(r"[,，、\s]+", v.aliases or "") if a),
        "group": v.domain.name,
    }


DATATYPES: dict[str, str] = {
    FieldKind.TEXT: "string",
    FieldKind.NUMBER: "number",
    FieldKind.DATE: "datetime",
    FieldKind.CHOICE: "singlevaluelist",
}


def _attributes(v: ItemVersion) -> list[dict[str, Any]]:
    attrs: list[dict[str, Any]] = [
        {
            "variable": True,
            "code": ID_NUMBER_ATTRIBUTE,
            "datatype": "string",
            "required": True,
            "datatype_description": "18位居民身份证号码",
            "order": 1,
            "description": "申请人身份证号码",
            "values": [],
        }
    ]
    order = 2
    for f in v.fields.all():
        attrs.append(
            {
                "variable": True,
                "code": f.key,
                "datatype": DATATYPES.get(f.kind, "string"),
                "required": f.required,
                "datatype_description": "YYYY-MM-DD" if f.kind == FieldKind.DATE else (f.help_text or ""),
                "order": order,
                "description": f.label,
                "values": [{"key": str(c), "name": str(c)} for c in (f.choices or [])],
            }
        )
        order += 1
    for m in v.materials.all():
        attrs.append(
            {
                "variable": True,
                "code": m.code,
                "datatype": "singlevaluelist",
                "required": False,  # a missing material leads to the one-time notice, not a refusal
                "datatype_description": f"{m.form_display}{'（必需）' if m.required else '（非必需）'}",
                "order": order,
                "description": f"材料：{m.name}" + (f"（{m.condition}）" if m.condition else ""),
                "values": [{"key": "true", "name": "已提供"}, {"key": "false", "name": "未提供"}],
            }
        )
        order += 1
    return attrs


@open311_view
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    qs = _published()
    jurisdiction_id = request.GET.get("jurisdiction_id", "").strip()
    if jurisdiction_id:
        level = _level_of(jurisdiction_id)
        qs = qs.filter(accept_levels__icontains=f'"{level}"')
    return _render(fmt, [_service(v) for v in qs], root="services", item="service")


def _level_of(jurisdiction_id: str) -> str:
    centre = (
        Centre.objects.filter(code=jurisdiction_id, is_active=True).select_related("jurisdiction").first()
    )
    if centre is not None:
        return str(centre.jurisdiction.level)
    j = Jurisdiction.objects.filter(code=jurisdiction_id).first()
    if j is None:
        raise Open311Error(404, f"jurisdiction_id {jurisdiction_id} 不存在")
    return str(j.level)


@open311_view
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    v = _published().filter(item__code=code).first()
    if v is None:
        raise Open311Error(404, f"service_code {code} 不存在或未发布")
    data = {"service_code": v.item.code, "attributes": _attributes(v)}
    return _render(fmt, data, root="service_definition")


# --- requests ------------------------------------------------------------------------------------


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _expected(deadline: dt.date | None) -> str | None:
    if deadline is None:
        return None
    end = dt.datetime.combine(deadline, dt.time(23, 59, 59))
    return timezone.make_aware(end).isoformat()


def service_request(case: Any) -> dict[str, Any]:
    """A case as an Open311 service request (no personal data)."""
    updated = case.state_since or case.received_at
    return {
        "service_request_id": case.number,
        "status": "closed" if case.state in CLOSED_STATES else "open",
        "status_notes": str(State(case.state).label),
        "service_name": case.item_version.name,
        "service_code": case.item.code,
        "description": "",
        "agency_responsible": case.queue_department.name,
        "service_notice": f"承诺{case.promised_days}个工作日办结" if case.promised_days else "",
        "requested_datetime": _iso(case.received_at),
        "updated_datetime": _iso(updated),
        "expected_datetime": _expected(case.deadline),
        "address": case.centre.address or case.centre.name,
        "address_id": case.centre.code,
        "zipcode": "",
        "lat": None,
        "long": None,
        "media_url": "",
    }


def _scoped_cases(user: Any) -> QuerySet[Any]:
    qs = Case.objects.select_related("item", "item_version", "centre", "queue_department")
    staff_qs = selectors.case_scope(actor_of(user), qs)
    resident = getattr(getattr(user, "resident_account", None), "resident", None)
    if resident is not None:  # a resident's portal token: their own applications
        return qs.filter(Q(pk__in=staff_qs.values("pk")) | Q(applicant=resident))
    return staff_qs


def _parse_when(name: str, raw: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{name} 应为 ISO 8601 时间，如 2026-11-26T09:30:00+08:00") from None
    return value if timezone.is_aware(value) else timezone.make_aware(value)


@open311_view
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create_request(request, fmt)
    row = _token(request, required=True)
    qs = _scoped_cases(row.user)
    ids = [s.strip() for s in request.GET.get("service_request_id", "").split(",") if s.strip()]
    if ids:
        qs = qs.filter(number__in=ids[:MAX_REQUESTS])
    else:
        codes = [s.strip() for s in request.GET.get("service_code", "").split(",") if s.strip()]
        if codes:
            qs = qs.filter(item__code__in=codes)
        start_raw, end_raw = request.GET.get("start_date", ""), request.GET.get("end_date", "")
        end = _parse_when("end_date", end_raw) if end_raw else None
        start = _parse_when("start_date", start_raw) if start_raw else None
        if start is None:
            start = (end or timezone.now()) - dt.timedelta(days=DEFAULT_DAYS)
        qs = qs.filter(received_at__gte=start)
        if end is not None:
            qs = qs.filter(received_at__lte=end)
        status = request.GET.get("status", "").strip()
        if status:
            wanted = {s.strip() for s in status.split(",")}
            if not wanted <= {"open", "closed"}:
                raise Open311Error(400, "status 应为 open 或 closed")
            if wanted == {"open"}:
                qs = qs.exclude(state__in=CLOSED_STATES)
            elif wanted == {"closed"}:
                qs = qs.filter(state__in=CLOSED_STATES)
    rows = [service_request(c) for c in qs.order_by("-received_at")[:MAX_REQUESTS]]
    return _render(fmt, rows, root="service_requests", item="request")


@open311_view
def request_detail(request: HttpRequest, fmt: str, number: str) -> HttpResponse:
    row = _token(request, required=True)
    case = _scoped_cases(row.user).filter(number=number).first()
    if case is None:
        raise Open311Error(404, f"service_request_id {number} 不存在")
    return _render(fmt, [service_request(case)], root="service_requests", item="request")


ATTRIBUTE_RE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")


def _attributes_given(request: HttpRequest) -> dict[str, str]:
    given: dict[str, str] = {}
    for key in request.POST:
        m = ATTRIBUTE_RE.match(key)
        if m:
            values = request.POST.getlist(key)
            given[m.group(1)] = ",".join(values) if m.group(2) else (values[-1] if values else "")
    return given


def _create_request(request: HttpRequest, fmt: str) -> HttpResponse:
    row = _token(request, required=True)
    if getattr(row, "read_only", False):
        raise Open311Error(403, "只读令牌不能提交申请")
    user = row.user
    p = request.POST
    code = p.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "缺少 service_code")
    v = _published().filter(item__code=code).first()
    if v is None:
        raise Open311Error(400, f"service_code {code} 不存在或未发布")
    centre = p.get("jurisdiction_id", "").strip()
    if not centre:
        staff = staff_of(user)
        if staff is None or staff.centre is None:
            raise Open311Error(400, "缺少 jurisdiction_id（受理的服务中心代码）")
        centre = staff.centre.code
    given = _attributes_given(request)
    material_codes = {m.code for m in v.materials.all()}
    form: dict[str, Any] = {}
    for f in v.fields.all():
        if given.get(f.key, "") != "":
            form[f.key] = given[f.key]
    description = p.get("description", "").strip()
    if description:
        empty_text = next(
            (f.key for f in v.fields.all() if f.kind == FieldKind.TEXT and f.key not in form), None
        )
        if empty_text:
            form[empty_text] = description
    materials = [
        {"code": c, "provided": given[c].strip().lower() in {"true", "1", "yes", "on", "已提供"}}
        for c in sorted(material_codes & set(given))
    ]
    name = (p.get("last_name", "").strip() + p.get("first_name", "").strip()) or p.get("name", "").strip()
    applicant = {
        "kind": "person",
        "name": name,
        "id_number": given.get(ID_NUMBER_ATTRIBUTE, ""),
        "phone": p.get("phone", "").strip(),
        "address": p.get("address_string", "").strip(),
    }

    def intake_and_audit() -> Any:
        case = case_intake(
            actor=actor_of(user),
            item=code,
            centre=centre,
            applicant=applicant,
            materials=materials,
            form=form,
            channel=Channel.ONLINE,
        )
        record(
            "open311.request_create",
            request=request,
            user=user,
            obj=f"case:{case.number}",
            details={"token": row.prefix, "service_code": code},
        )
        return case

    # one transaction for the case and its audit entry, rerun as a whole on a lost race
    case = run_with_retry(intake_and_audit, name="open311.request_create")
    notice = f"已提交，待窗口审核受理；办件编号 {case.number}，凭身份证号后4位可查询进度"
    data = [{"service_request_id": case.number, "service_notice": notice, "account_id": None}]
    return _render(fmt, data, root="service_requests", item="request", status=201)


# --- discovery -----------------------------------------------------------------------------------


@open311_view
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri("/open311/v2/")
    data = {
        "changeset": "2026-11-26T00:00:00+08:00",
        "contact": "一窗通办 政务服务中心",
        "key_service": "由系统管理员签发接口令牌（api_key）",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": "2026-11-26T00:00:00+08:00",
                "type": "production",
                "formats": list(FORMATS.values()),
            }
        ],
    }
    return _render(fmt, data, root="discovery")


_get = require_http_methods(["GET", "HEAD"])
FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns: list[URLPattern] = [
    re_path(r"^discovery" + FMT, _get(discovery), name="discovery"),
    re_path(r"^services" + FMT, _get(services), name="services"),
    re_path(r"^services/(?P<code>[^/]+?)" + FMT, _get(service_definition), name="service"),
    re_path(
        r"^requests" + FMT,
        csrf_exempt(require_http_methods(["GET", "HEAD", "POST"])(requests_view)),
        name="requests",
    ),
    re_path(r"^requests/(?P<number>[^/]+?)" + FMT, _get(request_detail), name="request"),
]
