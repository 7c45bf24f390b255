"""Public pages: the item list and guides (办事指南), 一件事 bundles, service centres, the home page."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from onewindow.catalog import selectors as catalog
from onewindow.catalog.models import Domain, ItemType, ItemVersion
from onewindow.core.errors import NotFound
from onewindow.documents.pdf import render_pdf
from onewindow.org.actors import request_actor
from onewindow.org.models import LEVEL_ORDER, Jurisdiction, Level, Role
from onewindow.org.selectors import opening_hours
from onewindow.portal import desk, nav, selectors
from onewindow.privacy import consent

PAGE_SIZE = 20
LARGE_COOKIE = "ow_large"
LEVEL_LABELS = {str(level): str(level.label) for level in LEVEL_ORDER}
# Short labels for filters and tags ("county" → 旗县).
LEVEL_SHORT = {Level.COUNTY: "旗县级", Level.TOWNSHIP: "苏木乡镇级", Level.VILLAGE: "嘎查村级"}


def _is_htmx(request: HttpRequest) -> bool:
    """An htmx request that wants a fragment (history restores want the whole page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def _truthy(value: str | None) -> bool:
    return (value or "").lower() in {"1", "true", "on", "yes"}


def _published_or_404(code: str) -> ItemVersion:
    try:
        return catalog.item_get_published(code)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _viewer_place(request: HttpRequest) -> Jurisdiction | None:
    """Where the viewer lives or works: a resident's place (real-name profile) or a staff member's area."""
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return None
    account = getattr(user, "resident_account", None)
    if account is not None:
        resident = account.resident
        return resident.jurisdiction if resident is not None else None
    staff = request_actor(request).staff
    return staff.jurisdiction if staff is not None else None


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# ---------------------------------------------------------------------------------------------
# Home


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    staff = actor.staff
    context: dict[str, Any] = {"domains": Domain.objects.all(), "bundles": catalog.bundle_list()[:8]}
    if staff is None:
        context["centre_groups"] = selectors.centre_groups()
    else:
        roles = staff.role_list
        is_manager = Role.SUPERVISOR in roles or Role.ADMIN in roles
        context.update(
            # the role's work (the top bar shows the same); catalog and staff have their own tiles below
            work_links=[
                link
                for link in nav.work_links(actor)
                if not (is_manager and link.key in {"catalog", "staff"})
            ],
            role_labels=[str(Role(r).label) for r in roles if r in Role.values],
            home_centre=staff.centre or selectors.serving_centre(staff.jurisdiction),
            is_agent=Role.AGENT in roles,
            is_clerk=Role.CLERK in roles or Role.CENTRE_HEAD in roles,
            is_reviewer=Role.REVIEWER in roles,
            is_manager=is_manager,
            is_admin=Role.ADMIN in roles,
            proxy_count=catalog.item_list(proxy=True).count(),
            department_count=(
                catalog.item_list().filter(department=staff.department).count() if staff.department else 0
            ),
            served_villages=[staff.jurisdiction, *staff.extra_jurisdictions.all()],
            can_search_cases=actor.has_any_role(desk.CASE_SEARCH_ROLES),
            **desk.desk_context(actor),
        )
    return render(request, "portal/home.html", context)


@require_GET
def text_size(request: HttpRequest) -> HttpResponse:
    """Switch large type on or off (the ``ow_large`` cookie read by base.html) and go back."""
    target = request.GET.get("next") or reverse("home")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = reverse("home")
    response = HttpResponseRedirect(target)
    if _truthy(request.GET.get("large")):
        response.set_cookie(LARGE_COOKIE, "1", max_age=365 * 24 * 3600, samesite="Lax")
    else:
        response.delete_cookie(LARGE_COOKIE, samesite="Lax")
    return response


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``, asked for by browsers and bookmarks that ignore the page's <link rel=icon>."""
    response = HttpResponseRedirect(static("favicon.png"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
def privacy_notice(request: HttpRequest) -> HttpResponse:
    """The public privacy notice (个人信息保护告知书) a resident agrees to at sign-up."""
    return render(
        request,
        "portal/privacy_notice.html",
        {"version": consent.NOTICE_VERSION, "notice_date": consent.NOTICE_DATE},
    )


# ---------------------------------------------------------------------------------------------
# Items and guides


@require_GET
def item_list(request: HttpRequest) -> HttpResponse:
    domain = request.GET.get("domain", "").strip()
    level = request.GET.get("level", "").strip()
    if level not in Level.values:
        level = ""
    proxy = _truthy(request.GET.get("proxy"))
    q = request.GET.get("q", "").strip()[:50]
    dept = request.GET.get("dept", "").strip()
    qs = catalog.item_list(
        domain=domain or None, level=level or None, q=q or None, proxy=True if proxy else None
    )
    department_name = ""
    if dept:
        qs = qs.filter(department__code=dept)
        first = qs.first()
        department_name = first.department.name if first else dept
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "items": page.object_list,
        "count": page.paginator.count,
        "domains": Domain.objects.all(),
        "levels": [(str(lv), LEVEL_SHORT[lv]) for lv in LEVEL_ORDER],
        "f": {"domain": domain, "level": level, "proxy": proxy, "q": q, "dept": dept},
        "department_name": department_name,
        "query": _query_without_page(request),
        "filtered": bool(domain or level or proxy or q or dept),
    }
    template = "portal/item_list.html#results" if _is_htmx(request) else "portal/item_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _guide_context(version: ItemVersion, place: Jurisdiction | None = None) -> dict[str, Any]:
    materials = list(version.materials.all())
    return {
        "v": version,
        "materials": materials,
        "required_count": sum(1 for m in materials if m.required),
        "fields": list(version.fields.all()),
        "steps": list(version.steps or []),
        "accept_levels": [LEVEL_LABELS.get(lv, lv) for lv in version.accept_levels or []],
        "places": selectors.nearest_first(selectors.item_places(version), place),
        "near_place": place,
        "is_immediate": version.type == ItemType.IMMEDIATE,
        "bundles": [
            b for b in catalog.bundle_list() if any(e.item_id == version.item_id for e in b.entries.all())
        ],
    }


@require_GET
def item_detail(request: HttpRequest, code: str) -> HttpResponse:
    context = _guide_context(_published_or_404(code), _viewer_place(request))
    return render(request, "portal/item_detail.html", context)


@require_GET
def item_print(request: HttpRequest, code: str) -> HttpResponse:
    context = _guide_context(_published_or_404(code))
    context["printed_on"] = selectors.today()
    return render(request, "portal/item_print.html", context)


@require_GET
def item_pdf(request: HttpRequest, code: str) -> HttpResponse:
    version = _published_or_404(code)
    context = _guide_context(version)
    context["printed_on"] = selectors.today()
    pdf = render_pdf("portal/item_print.html", context)
    response = HttpResponse(pdf, content_type="application/pdf")
    # An ASCII file name for old clients plus the Chinese one (RFC 6266 / 5987).
    filename = f"{version.item.code}-办事指南.pdf"
    response["Content-Disposition"] = (
        f"inline; filename=\"{version.item.code}.pdf\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


# ---------------------------------------------------------------------------------------------
# 一件事 bundles


@require_GET
def bundle_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:50]
    bundles = list(catalog.bundle_list(q or None))
    rows = [{"bundle": b, "versions": catalog.bundle_versions(b)} for b in bundles]
    return render(request, "portal/bundle_list.html", {"rows": rows, "q": q})


@require_GET
def bundle_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        bundle = catalog.bundle_get(code)
    except NotFound as exc:
        raise Http404(exc.message) from None
    versions = catalog.bundle_versions(bundle)
    materials = catalog.bundle_materials(bundle)
    context = {
        "bundle": bundle,
        "versions": versions,
        "materials": materials,
        "fields": catalog.bundle_fields(bundle),
        "separate_count": sum(v.materials.count() for v in versions),
        "max_days": max((v.promised_days for v in versions), default=0),
    }
    return render(request, "portal/bundle_detail.html", context)


# ---------------------------------------------------------------------------------------------
# Service centres


@require_GET
def centre_list(request: HttpRequest) -> HttpResponse:
    place = _viewer_place(request)
    context = {"groups": selectors.centre_groups(), "place": place, "local": selectors.local_centres(place)}
    return render(request, "portal/centre_list.html", context)


def _window_rows(centre: Any) -> list[dict[str, Any]]:
    names = dict(Domain.objects.values_list("code", "name"))
    return [{"w": w, "domains": [names.get(c, c) for c in (w.domains or [])]} for w in centre.windows.all()]


@require_GET
def centre_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        centre = selectors.centre_get(code)
    except NotFound as exc:
        raise Http404(exc.message) from None
    day = selectors.today()
    board = selectors.centre_board(centre, day)
    is_village = centre.jurisdiction.level == Level.VILLAGE
    context = {
        "centre": centre,
        "level_label": LEVEL_LABELS.get(centre.jurisdiction.level, ""),
        "is_village": is_village,
        "hours": opening_hours(centre),
        "windows": _window_rows(centre),
        "board": board,
        "on_duty_count": sum(1 for e in board if e.on_duty_today),
        "agents": selectors.centre_agents(centre, day) if is_village else [],
        "today": day,
        "child_centres": selectors.child_centres(centre),
        "holiday_duties": list(centre.holiday_duties.filter(date__gte=day).order_by("date", "start")[:10]),
    }
    return render(request, "portal/centre_detail.html", context)
