"""1. The comprehensive-window workbench (无差别全科受理) and the outcome page after an intake."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from onewindow.cases import services
from onewindow.cases.forms import (
    ApplicantForm,
    RejectForm,
    apply_error,
    form_values,
    item_fields_form,
    material_rows,
    materials_given,
)
from onewindow.cases.models import State
from onewindow.cases.views import confirm
from onewindow.cases.views.common import WINDOW_ROLES, case_page, document_links, hx_target
from onewindow.catalog import selectors as catalog
from onewindow.catalog.models import ItemType, ItemVersion
from onewindow.core import visits
from onewindow.core.errors import DomainError, Forbidden, NotFound
from onewindow.org.actors import request_actor
from onewindow.org.models import Centre, Window, WindowKind

WINDOW_SESSION_KEY = "cases.window"  # the window the clerk sits at, per centre: {centre id: window id}
PICKABLE_WINDOWS = (WindowKind.COMPREHENSIVE, WindowKind.PROXY)
WRONG_WINDOW = "所选窗口不属于本中心的综合受理或帮办代办窗口"


def _item_choice(code: str) -> ItemVersion | None:
    if not code:
        return None
    try:
        return catalog.item_get_published(code)
    except NotFound:
        return None


def _windows(centre: Centre) -> list[Window]:
    """The windows of the centre a clerk may accept at: comprehensive first, then proxy windows."""
    rows = list(centre.windows.filter(is_active=True, kind__in=PICKABLE_WINDOWS).order_by("number"))
    return sorted(rows, key=lambda w: (w.kind != WindowKind.COMPREHENSIVE, w.number))


def _current_window(request: HttpRequest, centre: Centre, windows: list[Window]) -> Window | None:
    """The remembered window if it is still one of ``windows``, else the first comprehensive one."""
    remembered = request.session.get(WINDOW_SESSION_KEY, {}).get(str(centre.pk))
    return next((w for w in windows if w.pk == remembered), windows[0] if windows else None)


def _remember_window(request: HttpRequest, centre: Centre, window: Window) -> None:
    chosen = dict(request.session.get(WINDOW_SESSION_KEY, {}))
    chosen[str(centre.pk)] = window.pk
    request.session[WINDOW_SESSION_KEY] = chosen


def _picked_window(data: Any, windows: list[Window]) -> Window | None:
    raw = str(data.get("window") or "")
    return next((w for w in windows if str(w.pk) == raw), None)


def _choose_window(request: HttpRequest, centre: Centre, windows: list[Window]) -> HttpResponse:
    """选择窗口: remembered in the session, then back to the workbench (keeping the chosen item)."""
    picked = _picked_window(request.POST, windows)
    if picked is None:
        messages.error(request, WRONG_WINDOW)
    else:
        _remember_window(request, centre, picked)
        messages.success(request, f"当前窗口：{picked}")
    url = reverse("cases:workbench")
    code = (request.POST.get("item") or "").strip()
    return redirect(f"{url}?item={quote(code)}" if code else url)


def _visit(request: HttpRequest, data: Any) -> dict[str, Any] | None:
    """为此号受理: the queue ticket the workbench was opened for (``ticket``, kept in the form), with what
    it knows of the person (core.visits); ``None`` without one. A ticket not called at the clerk's
    centre is a 404."""
    raw = str((data if data is not None else request.GET).get("ticket") or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise NotFound("排队号不存在", code="not_found")
    return visits.provider().intake_facts(request_actor(request), int(raw))


def _link_visit(request: HttpRequest, visit: dict[str, Any] | None, number: str) -> None:
    """The case just taken in is the case of the ticket (shown on the console, rated with it)."""
    if visit is None:
        return
    try:
        visits.provider().link_case(request_actor(request), visit["pk"], number)
    except DomainError as exc:
        messages.warning(request, f"办件已受理，但未能关联排队号 {visit['number']}：{exc.message}")


def _forms(data: Any, version: ItemVersion | None, visit: dict[str, Any] | None = None) -> dict[str, Any]:
    """The workbench's forms, bound to ``data`` (the 不予受理 fields only on that path: unbound
    otherwise, keeping what was typed); opened for a ticket, the applicant starts with what it knows."""
    rejecting = data is not None and data.get("outcome") == "reject"
    reject = (
        RejectForm(data, prefix="r")
        if rejecting
        else RejectForm(
            prefix="r", initial={k: data.get(f"r-{k}", "") for k in ("reason", "basis")} if data else {}
        )
    )
    return {
        "applicant": ApplicantForm(
            data, prefix="a", initial={k: visit[k] for k in ("name", "phone") if visit and visit[k]}
        ),
        "fields": item_fields_form(version, data),
        "reject": reject,
        "rows": material_rows(version, data),
        "rejecting": rejecting,
    }


def _all_checked(version: ItemVersion, f: dict[str, Any]) -> bool:
    """Every field of the workbench checked at once (the applicant, the typed form, the 不予受理 fields),
    each error next to its field; True when nothing is wrong."""
    applicant, fields, reject = f["applicant"], f["fields"], f["reject"]
    valid = [applicant.is_valid(), fields.is_valid(), reject.is_valid() if f["rejecting"] else True]
    if valid[0]:
        for name, message in services.applicant_errors(applicant.cleaned_data).items():
            applicant.add_error(name, message)
    if valid[1]:
        for name, message in services.form_errors(version, form_values(fields)).items():
            if name in fields.fields:
                fields.add_error(name, message)
    return all(form.is_valid() for form in (applicant, fields, *([reject] if f["rejecting"] else [])))


def _intake_preview(version: ItemVersion, f: dict[str, Any]) -> confirm.Preview:
    """What taking the application in will issue (受理回执 / 一次性告知书 / 不予受理通知书)."""
    if f["rejecting"]:
        d = f["reject"].cleaned_data
        return confirm.Preview(
            "reject",
            f"将出具{confirm.REJECTION}，本件不予受理",
            [f"理由：{d['reason']}", f"法律依据：{d['basis']}"],
            button=f"确认不予受理，出具{confirm.REJECTION}",
        )
    _checklist, missing = services.check_materials(version, materials_given(f["rows"]))
    if missing:
        return confirm.Preview(
            "request_correction",
            confirm.notice_headline(len(missing)),
            [f"{m['name']}：{m['reason']}" for m in missing],
            button=f"确认出具{confirm.NOTICE}",
        )
    headline = confirm.accept_headline()
    if version.type == ItemType.IMMEDIATE:
        headline = f"将受理本件并当场办结（即办件），出具{confirm.RECEIPT}和{confirm.RESULT}"
    return confirm.Preview("accept", headline, [], button="确认受理")


def _intake(
    request: HttpRequest, centre: Centre, window: Window | None, version: ItemVersion, f: dict[str, Any]
) -> tuple[str | None, list[str]]:
    """Take the application in through ``case_intake``: the new case's number, or the errors."""
    rejecting, reject = f["rejecting"], f["reject"]
    try:
        case = services.case_intake(
            actor=request_actor(request),
            item=version.item.code,
            centre=centre.code,
            window=window.pk if window is not None else None,
            applicant=f["applicant"].applicant(),
            form=form_values(f["fields"]),
            materials=materials_given(f["rows"]),
            reject_reason=reject.cleaned_data["reason"] if rejecting else "",
            reject_basis=reject.cleaned_data["basis"] if rejecting else "",
        )
    except DomainError as exc:
        return None, apply_error(exc, {"applicant": f["applicant"], "form": f["fields"], "reject": reject})
    return case.number, []


def _summary(f: dict[str, Any], errors: list[str]) -> list[dict[str, str]]:
    """The errors of a failed submit for the summary at the top, each linking to its field."""
    rows = [{"text": e, "href": "#find-h"} for e in errors]
    forms = [f["fields"], f["applicant"], *([f["reject"]] if f["rejecting"] else [])]  # page order
    for form in forms:
        if not form.is_bound:
            continue
        for name, msgs in form.errors.items():
            href = f"#{form[name].auto_id}" if name in form.fields else "#app-h"
            rows += [
                {"text": f"{form[name].label}：{m}" if name in form.fields else str(m), "href": href}
                for m in msgs
            ]
    return rows


@case_page(WINDOW_ROLES)
@require_http_methods(["GET", "POST"])
def workbench(request: HttpRequest) -> HttpResponse:
    staff = request_actor(request).staff
    assert staff is not None  # case_page: staff only
    centre = staff.centre
    if centre is None:
        raise Forbidden("您的账号未关联服务中心，不能受理办件", code="no_centre")
    windows = _windows(centre)
    if request.method == "POST" and request.POST.get("outcome") == "window":
        return _choose_window(request, centre, windows)
    window = _current_window(request, centre, windows)
    data = request.POST if request.method == "POST" else None
    visit = _visit(request, data)
    if visit is not None and data is None:  # the window the ticket was called to
        window = next((w for w in windows if w.pk == visit["window"]), window)
    q = (request.GET.get("q") or "").strip()[:50]
    code = ((data or request.GET).get("item") or "").strip()
    version = _item_choice(code)
    results = list(catalog.item_list(q=q, level=centre.level)[:20]) if q else []
    forms = _forms(data, version, visit)
    errors: list[str] = []
    if code and version is None:
        errors.append(f"事项 {code} 不存在或未发布")
    if data is not None and data.get("window"):
        # the window shown on the page when the form was filled in is the one recorded
        posted = _picked_window(data, windows)
        if posted is None:
            errors.append(WRONG_WINDOW)
        else:
            window = posted
            _remember_window(request, centre, window)
    asked = None
    if data is not None and version is not None and not errors and _all_checked(version, forms):
        if data.get(confirm.CONFIRM_FIELD) != "1":
            asked = _intake_preview(version, forms)  # nothing irreversible is one click: ask once
        else:
            number, errors = _intake(request, centre, window, version, forms)
            if number is not None:
                _link_visit(request, visit, number)
                return redirect("cases:outcome", number=number)
    elif data is not None and version is None:
        errors.append("请先查找并选择要办理的事项")
    context = {
        "centre": centre,
        "windows": windows,
        "window": window,
        "q": q or (version.name if version else ""),
        "results": results,
        "searched": bool(q),
        "version": version,
        "visit": visit,
        **forms,
        "errors": errors,
        "summary": _summary(forms, errors) if data is not None and asked is None else [],
        "asked": asked,
        "asked_label": {"reject": "不予受理", "request_correction": "一次性告知"}.get(asked.action, "受理")
        if asked is not None
        else "",
        "hidden": confirm.hidden_fields(data) if asked is not None and data is not None else [],
        "confirm_headlines": {"notice": confirm.notice_headline("{n}"), "accept": confirm.accept_headline()},
    }
    template = "cases/workbench.html"
    template += {"item-results": "#item_results", "item-panel": "#item_panel"}.get(hx_target(request), "")
    return render(request, template, context)


@case_page()
@require_GET
def outcome(request: HttpRequest, number: str) -> HttpResponse:
    case = services.case_get_for_user(request_actor(request), number)
    return render(
        request,
        "cases/outcome.html",
        {
            "case": case,
            "state_label": State(case.state).label,
            "kinds": document_links(case),
            "differs": [services.APPLICANT_FIELDS[f] for f in services.applicant_differences(case)],
        },
    )
