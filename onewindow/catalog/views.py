"""Catalog management pages (staff): list, create, versions (edit, publish, retire), Excel.

Views are thin: permission at the edge (:func:`staff_view`), forms for input, services for
every write, ``excel`` for import/export. Domain errors become a page with their status
(403, 404, 409) or a message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST

from onewindow.catalog import selectors, services
from onewindow.catalog.excel import catalog_export, catalog_import
from onewindow.catalog.forms import (
    FormFieldFormSet,
    GuideForm,
    ImportForm,
    ItemCreateForm,
    MaterialFormSet,
    form_field_initial,
    material_initial,
)
from onewindow.catalog.models import Domain, Item, ItemVersion, VersionStatus
from onewindow.core.errors import Conflict, DomainError, Invalid, NotFound
from onewindow.org.access import Perm
from onewindow.org.actors import request_actor
from onewindow.org.edge import View, render_error, staff_page
from onewindow.org.forms import apply_errors
from onewindow.org.models import Level

IMMUTABLE_MESSAGE = "已发布或已停用的版本不能修改，请新建版本后再编辑"


def error_page(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render_error(request, exc, "catalog/error.html")


def staff_view(perm: str) -> Callable[[View], View]:
    """Anonymous → login page; lacking ``perm`` → 403 page; domain errors → their status page."""
    return staff_page(perm=perm, error_template="catalog/error.html")


def _version(code: str, number: int) -> ItemVersion:
    version = (
        ItemVersion.objects.select_related("item", "domain", "department")
        .filter(item__code=code, number=number)
        .first()
    )
    if version is None:
        raise NotFound(f"事项 {code} 没有第{number}版", code="unknown_version")
    return version


# ----------------------------------------------------------------------------------------------
# List
# ----------------------------------------------------------------------------------------------


@staff_view(Perm.CATALOG_VIEW_DRAFTS)
def manage_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or ""
    if status not in VersionStatus.values:
        status = ""
    domain = request.GET.get("domain") or ""
    q = (request.GET.get("q") or "").strip()
    qs = selectors.item_version_latest_list(status=status or None, domain=domain or None, q=q or None)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "versions": page.object_list,
        "status": status,
        "domain": domain,
        "q": q,
        "statuses": VersionStatus.choices,
        "domains": Domain.objects.all(),
        "total": page.paginator.count,
    }
    template = "catalog/manage_list.html"
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "results":
        template += "#results"
    return render(request, template, context)


# ----------------------------------------------------------------------------------------------
# Create and edit
# ----------------------------------------------------------------------------------------------


def _forms_valid(form: Any, materials: Any, fields: Any) -> bool:
    # Evaluate all three so every error is shown at once.
    results = [form.is_valid(), materials.is_valid(), fields.is_valid()]
    return all(results)


@staff_view(Perm.CATALOG_EDIT)
@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ItemCreateForm(request.POST)
        materials = MaterialFormSet(request.POST, prefix="m")
        fields = FormFieldFormSet(request.POST, prefix="f")
        if _forms_valid(form, materials, fields):
            guide = form.guide()
            code = form.cleaned_data["code"]
            try:
                version = services.item_create(
                    actor=request_actor(request),
                    code=code,
                    materials=materials.rows(),
                    fields=fields.rows(),
                    **guide,
                )
            except Invalid as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"已创建事项 {code}（第{version.number}版，草稿）。")
                return redirect("catalog:item_detail", code=code)
    else:
        form = ItemCreateForm(initial={"accept_levels": ["township", "county"], "decide_level": "county"})
        materials = MaterialFormSet(prefix="m")
        fields = FormFieldFormSet(prefix="f")
    return render(
        request,
        "catalog/item_form.html",
        {"form": form, "materials": materials, "fields": fields, "creating": True},
    )


@staff_view(Perm.CATALOG_EDIT)
@require_http_methods(["GET", "POST"])
def version_edit(request: HttpRequest, code: str, number: int) -> HttpResponse:
    version = _version(code, number)
    if not version.is_editable:
        raise Conflict(IMMUTABLE_MESSAGE, code="version_immutable")
    if request.method == "POST":
        form = GuideForm(request.POST, instance=version)
        materials = MaterialFormSet(request.POST, prefix="m")
        fields = FormFieldFormSet(request.POST, prefix="f")
        if _forms_valid(form, materials, fields):
            try:
                services.item_version_edit(
                    actor=request_actor(request),
                    version=version,
                    materials=materials.rows(),
                    fields=fields.rows(),
                    **form.guide(),
                )
            except Invalid as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"第{number}版草稿已保存。")
                return redirect(reverse("catalog:item_detail", kwargs={"code": code}) + f"?v={number}")
    else:
        form = GuideForm(instance=version)
        materials = MaterialFormSet(prefix="m", initial=material_initial(version))
        fields = FormFieldFormSet(prefix="f", initial=form_field_initial(version))
    return render(
        request,
        "catalog/item_form.html",
        {"form": form, "materials": materials, "fields": fields, "version": version, "creating": False},
    )


# ----------------------------------------------------------------------------------------------
# Detail and version actions
# ----------------------------------------------------------------------------------------------


@staff_view(Perm.CATALOG_VIEW_DRAFTS)
def item_detail(request: HttpRequest, code: str) -> HttpResponse:
    item = selectors.item_get_for_manage(code)
    versions = selectors.item_versions(item)
    if not versions:
        raise NotFound(f"事项 {code} 没有任何版本")
    selected: ItemVersion | None = None
    wanted = request.GET.get("v")
    if wanted and wanted.isdigit():
        selected = next((v for v in versions if v.number == int(wanted)), None)
        if selected is None:
            raise NotFound(f"事项 {code} 没有第{wanted}版")
    draft = next((v for v in versions if v.status == VersionStatus.DRAFT), None)
    if selected is None:
        selected = draft or item.published or versions[0]
        selected = next(v for v in versions if v.pk == selected.pk)
    previous = next((v for v in versions if v.number < selected.number), None)
    diff = selectors.version_diff(previous, selected) if previous else None
    return render(
        request,
        "catalog/item_detail.html",
        {
            "item": item,
            "versions": versions,
            "selected": selected,
            "draft": draft,
            "previous": previous,
            "diff": diff,
            "guide_rows": _guide_rows(selected),
        },
    )


def _guide_rows(v: ItemVersion) -> list[tuple[str, Any]]:
    levels = {c: str(label) for c, label in Level.choices}
    show: dict[str, Any] = {
        "domain": v.domain.name,
        "type": v.get_type_display(),
        "department": v.department.name,
        "accept_levels": "、".join(levels.get(c, c) for c in v.accept_levels),
        "decide_level": v.get_decide_level_display(),
        "online": "是" if v.online else "否",
        "proxy_allowed": "是" if v.proxy_allowed else "否",
        "fee": "不收费" if not v.fee else f"{v.fee} 元",
        "steps": v.steps,
    }
    return [(label, show.get(attr, getattr(v, attr))) for attr, label in selectors.GUIDE_FIELDS]


def _item(code: str) -> Item:
    return selectors.item_get_for_manage(code)


@staff_view(Perm.CATALOG_EDIT)
@require_POST
def version_new_draft(request: HttpRequest, code: str) -> HttpResponse:
    item = _item(code)
    had_draft = item.versions.filter(status=VersionStatus.DRAFT).exists()
    version = services.item_version_new_draft(
        actor=request_actor(request), item=item, change_note=(request.POST.get("change_note") or "")[:200]
    )
    if had_draft:
        messages.info(request, f"该事项已有草稿（第{version.number}版），请直接编辑。")
    else:
        messages.success(request, f"已新建第{version.number}版草稿，内容复制自上一版。")
    return redirect("catalog:version_edit", code=code, number=version.number)


@staff_view(Perm.CATALOG_PUBLISH)
@require_POST
def version_publish(request: HttpRequest, code: str, number: int) -> HttpResponse:
    version = _version(code, number)
    try:
        services.item_version_publish(actor=request_actor(request), version=version)
    except Invalid as exc:
        messages.error(request, f"不能发布：{exc.message}")
        return redirect(reverse("catalog:item_detail", kwargs={"code": code}) + f"?v={number}")
    messages.success(request, f"第{number}版已发布，原现行版本已停用。")
    return redirect("catalog:item_detail", code=code)


@staff_view(Perm.CATALOG_PUBLISH)
@require_POST
def item_retire(request: HttpRequest, code: str) -> HttpResponse:
    item = _item(code)
    if item.published_id is None:
        raise Conflict("该事项没有已发布的版本，无需停用", code="not_published")
    services.item_retire(actor=request_actor(request), item=item)
    messages.success(request, f"事项 {code} 已停用，群众端不再显示。")
    return redirect("catalog:item_detail", code=code)


# ----------------------------------------------------------------------------------------------
# Excel
# ----------------------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@staff_view(Perm.CATALOG_EXPORT)
def export(request: HttpRequest) -> HttpResponse:
    template = request.GET.get("template") == "1"
    data = catalog_export(template=template)
    today = timezone.localdate().strftime("%Y%m%d")
    name = "事项导入模板.xlsx" if template else f"事项清单-{today}.xlsx"
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name) or ""
    return response


@staff_view(Perm.CATALOG_IMPORT)
@require_http_methods(["GET", "POST"])
def import_(request: HttpRequest) -> HttpResponse:
    result = None
    limit = settings.CATALOG_IMPORT_MAX_BYTES
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > limit:
                form.add_error("file", f"文件过大，上限为 {limit / 1024 / 1024:.1f} MB")
            else:
                result = catalog_import(
                    actor=request_actor(request), data=upload.read(), publish=form.cleaned_data["publish"]
                )
                if result.ok:
                    messages.success(request, result.summary)
    else:
        form = ImportForm()
    return render(
        request,
        "catalog/import.html",
        {"form": form, "result": result, "limit_mb": f"{limit / 1024 / 1024:.1f}"},
    )
