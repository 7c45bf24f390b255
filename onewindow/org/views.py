"""Staff-side pages of the organisation: staff, duty roster, residents (办事群众).

Views only read input, call selectors and services and render; permission is checked here at the
edge (``require_perm``) and jurisdiction in the selectors (outside → 404). Every view resolves the
request's :class:`~onewindow.core.actor.Actor` once (``request_actor``) and passes it down.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.core.errors import Forbidden, Invalid, NotFound, Unauthenticated
from onewindow.org import selectors, services
from onewindow.org.access import Perm, has_perm, require_perm
from onewindow.org.actors import request_actor
from onewindow.org.forms import DutyForm, LookupForm, ResidentForm, RevealForm, apply_errors
from onewindow.org.models import Centre, Resident, Staff

PAGE_SIZE = 50


def _domain_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Map domain errors to HTTP: outside the jurisdiction → 404, no permission → 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from None
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from None
        except Unauthenticated:
            return redirect_to_login(request.get_full_path())

    return wrapper


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as seen by this server (proxies must set REMOTE_ADDR correctly)."""
    return request.META.get("REMOTE_ADDR") or None


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


# ---------------------------------------------------------------- staff


@login_required
@require_GET
@_domain_errors
def staff_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    require_perm(actor, Perm.ORG_VIEW_STAFF)
    centres = selectors.centre_list(actor=actor)
    centre: Centre | None = None
    centre_id = request.GET.get("centre", "")
    if centre_id.isdigit():
        centre = centres.filter(pk=int(centre_id)).first()
    q = request.GET.get("q", "").strip()
    rows = selectors.staff_list(actor=actor, q=q, centre=centre)
    return render(
        request,
        "org/staff_list.html",
        {
            "page": _page(request, rows),
            "q": q,
            "centres": centres,
            "centre": centre,
            "today": timezone.localdate(),
        },
    )


def _staff_detail(
    request: HttpRequest, pk: int, *, revealed: bool = False, form: RevealForm | None = None
) -> HttpResponse:
    actor = request_actor(request)
    obj = selectors.staff_get(actor=actor, pk=pk)
    return render(
        request,
        "org/staff_detail.html",
        {
            "obj": obj,
            "today": timezone.localdate(),
            "revealed": revealed,
            "mobile": obj.mobile if revealed else obj.masked_mobile,
            "can_reveal": bool(obj.mobile) and has_perm(actor, Perm.PERSONAL_DATA_FULL_VIEW),
            "reveal_form": form or RevealForm(),
        },
    )


@login_required
@require_GET
@_domain_errors
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request_actor(request), Perm.ORG_VIEW_STAFF)
    return _staff_detail(request, pk)


def _reveal(
    request: HttpRequest,
    obj: Staff | Resident,
    fields: list[str],
    detail: Callable[..., HttpResponse],
) -> HttpResponse:
    """「查看完整信息」 of a staff member or a resident: log the full view, then show the detail page
    unmasked (``detail(request, pk, revealed=True, form=...)``)."""
    form = RevealForm(request.POST)
    purpose = form.cleaned_data["purpose"] if form.is_valid() else ""
    services.personal_data_reveal(
        actor=request_actor(request), obj=obj, fields=fields, ip=client_ip(request), purpose=purpose
    )
    return detail(request, obj.pk, revealed=True, form=form)


@never_cache
@login_required
@require_POST
@_domain_errors
def staff_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """「查看完整信息」: show the private mobile in full, after logging the view."""
    actor = request_actor(request)
    require_perm(actor, Perm.ORG_VIEW_STAFF)
    obj = selectors.staff_get(actor=actor, pk=pk)
    return _reveal(request, obj, ["mobile"], _staff_detail)


# ---------------------------------------------------------------- duty roster


def _parse_week(request: HttpRequest, raw: str) -> dt.date:
    today = timezone.localdate()
    if not raw:
        return today
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        messages.warning(request, "日期格式应为YYYY-MM-DD，已显示本周")
        return today


def _roster_centre(request: HttpRequest, raw: str) -> Centre | None:
    actor = request_actor(request)
    if raw:
        if not raw.isdigit():
            raise NotFound("未找到该服务中心")
        return selectors.centre_get(actor=actor, pk=int(raw))
    centres = selectors.centre_list(actor=actor)
    staff = actor.staff
    if staff is not None and staff.centre_id is not None:
        own = centres.filter(pk=staff.centre_id).first()
        if own is not None:
            return own
    return centres.first()


def _render_roster(
    request: HttpRequest, centre: Centre | None, day: dt.date, form: DutyForm | None = None, status: int = 200
) -> HttpResponse:
    actor = request_actor(request)
    context: dict[str, Any] = {
        "centres": selectors.centre_list(actor=actor),
        "centre": centre,
        "can_edit": has_perm(actor, Perm.ROSTER_EDIT),
    }
    if centre is not None:
        week = selectors.roster_week(actor=actor, centre=centre, day=day)
        context["week"] = week
        if context["can_edit"]:
            context["form"] = form or DutyForm(
                centre=centre, initial={"date": max(week.start, min(timezone.localdate(), week.end))}
            )
    return render(request, "org/roster.html", context, status=status)


@login_required
@require_GET
@_domain_errors
def roster(request: HttpRequest) -> HttpResponse:
    require_perm(request_actor(request), Perm.ORG_VIEW_STAFF)
    centre = _roster_centre(request, request.GET.get("centre", ""))
    return _render_roster(request, centre, _parse_week(request, request.GET.get("week", "")))


def _roster_url(centre: Centre, day: dt.date) -> str:
    return f"{reverse('org:roster')}?centre={centre.pk}&week={selectors.week_start(day):%Y-%m-%d}"


@login_required
@require_POST
@_domain_errors
def roster_duty_add(request: HttpRequest, centre_id: int) -> HttpResponse:
    actor = request_actor(request)
    require_perm(actor, Perm.ROSTER_EDIT)
    centre = selectors.centre_get(actor=actor, pk=centre_id)
    form = DutyForm(request.POST, centre=centre)
    day = _parse_week(request, request.POST.get("week", ""))
    if form.is_valid():
        data = form.cleaned_data
        try:
            duty = services.duty_add(
                actor=actor,
                centre=centre,
                staff=data["staff"],
                date=data["date"],
                shift=data["shift"],
                window=data["window"],
                note=data["note"],
            )
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, f"已安排 {duty.staff.name} {duty.date:%m月%d日} {duty.get_shift_display()}值班"
            )
            return redirect(_roster_url(centre, duty.date))
    if form.cleaned_data.get("date"):
        day = form.cleaned_data["date"]
    return _render_roster(request, centre, day, form=form)


@login_required
@require_POST
@_domain_errors
def roster_duty_remove(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    require_perm(actor, Perm.ROSTER_EDIT)
    duty = selectors.duty_get(actor=actor, pk=pk)
    centre = duty.staff.centre
    assert centre is not None  # duty_get only finds duties of centres in scope
    services.duty_remove(actor=actor, duty=duty)
    messages.success(request, f"已取消 {duty.staff.name} {duty.date:%m月%d日} {duty.get_shift_display()}值班")
    return redirect(_roster_url(centre, duty.date))


# ---------------------------------------------------------------- residents


@login_required
@require_GET
@_domain_errors
def resident_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    require_perm(actor, Perm.RESIDENT_VIEW)
    q = request.GET.get("q", "").strip()
    rows = selectors.resident_list(actor=actor, q=q)
    return render(
        request,
        "org/resident_list.html",
        {"page": _page(request, rows), "q": q, "can_create": has_perm(actor, Perm.RESIDENT_CREATE)},
    )


@login_required
@require_http_methods(["GET", "POST"])
@_domain_errors
def resident_create(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    require_perm(actor, Perm.RESIDENT_CREATE)
    staff = actor.staff
    if request.method == "POST":
        form = ResidentForm(request.POST, actor=actor)
        if form.is_valid():
            data = form.cleaned_data
            try:
                resident = services.resident_create(
                    actor=actor,
                    kind=data["kind"],
                    name=data["name"],
                    id_number=data["id_number"],
                    phone=data["phone"],
                    address=data["address"],
                    jurisdiction=data["jurisdiction"],
                )
            except Invalid as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"已登记：{resident.masked_name}")
                return redirect("org:resident_detail", pk=resident.pk)
    else:
        form = ResidentForm(actor=actor, initial={"jurisdiction": staff.jurisdiction if staff else None})
    return render(request, "org/resident_form.html", {"form": form})


def _resident_detail(
    request: HttpRequest, pk: int, *, revealed: bool = False, form: RevealForm | None = None
) -> HttpResponse:
    actor = request_actor(request)
    obj = selectors.resident_get(actor=actor, pk=pk)
    return render(
        request,
        "org/resident_detail.html",
        {
            "obj": obj,
            "revealed": revealed,
            "name": obj.name if revealed else obj.masked_name,
            "id_number": obj.id_number if revealed else obj.masked_id_number,
            "phone": obj.phone if revealed else obj.masked_phone,
            "address": obj.address if revealed else obj.masked_address,
            "can_reveal": has_perm(actor, Perm.PERSONAL_DATA_FULL_VIEW),
            "can_update_contact": has_perm(actor, Perm.RESIDENT_CREATE),
            "reveal_form": form or RevealForm(),
        },
    )


@login_required
@require_GET
@_domain_errors
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request_actor(request), Perm.RESIDENT_VIEW)
    return _resident_detail(request, pk)


@never_cache
@login_required
@require_POST
@_domain_errors
def resident_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    require_perm(actor, Perm.RESIDENT_VIEW)
    obj = selectors.resident_get(actor=actor, pk=pk)
    return _reveal(request, obj, ["name", "id_number", "phone", "address"], _resident_detail)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@_domain_errors
def resident_contact(request: HttpRequest, pk: int) -> HttpResponse:
    """更新联系方式: an explicit, audited update of the master record (own jurisdiction, reason)."""
    actor = request_actor(request)
    require_perm(actor, Perm.RESIDENT_CREATE)
    obj = selectors.resident_get(actor=actor, pk=pk)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        try:
            services.resident_contact_update(
                actor=actor,
                pk=obj.pk,
                reason=request.POST.get("reason", ""),
                phone=request.POST.get("phone") or None,
                address=request.POST.get("address"),
                request=request,
            )
        except Invalid as exc:
            errors = [m for msgs in (exc.details or {}).values() for m in msgs] or [exc.message]
            status = 422
        else:
            messages.success(request, "已更新联系方式，并记入审计日志。")
            return redirect("org:resident_detail", pk=obj.pk)
    return render(
        request,
        "org/resident_contact.html",
        {"obj": obj, "errors": errors, "post": request.POST},
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@_domain_errors
def resident_lookup(request: HttpRequest) -> HttpResponse:
    """Exact look-up by ID number / credit code (POST, so the number stays out of URLs and logs)."""
    actor = request_actor(request)
    require_perm(actor, Perm.RESIDENT_VIEW)
    form = LookupForm(request.POST or None)
    context: dict[str, Any] = {"form": form, "searched": False, "result": None}
    if request.method == "POST" and form.is_valid():
        context["searched"] = True
        context["result"] = selectors.resident_lookup(actor=actor, number=form.cleaned_data["number"])
    template = (
        "org/resident_lookup.html#result" if request.headers.get("HX-Request") else "org/resident_lookup.html"
    )
    return render(request, template, context)
