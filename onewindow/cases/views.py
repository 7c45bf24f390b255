"""Staff pages of the case lifecycle, the case PDFs and the public progress page.

Views are thin: who may open a page is decided at the edge (:func:`case_page`), reads go through
``cases.selectors`` (scoped to the user's jurisdiction), every write through ``cases.services``.
A domain error is shown as its Chinese message next to the fields it names; nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.cases import checkguard, documents, selectors, services
from onewindow.cases.forms import (
    ActionForm,
    ApplicantForm,
    RejectForm,
    apply_error,
    form_values,
    item_fields_form,
    material_rows,
    materials_given,
)
from onewindow.cases.models import Case, Delivery, State, Warning
from onewindow.cases.workflow import (
    ACTION_LABELS,
    CHANNEL_ACTION_LABELS,
    DELIVERY_ACTION_LABELS,
    EVENT_ROLE_LABELS,
    Transition,
    actions_for,
)
from onewindow.catalog import selectors as catalog
from onewindow.catalog.models import ItemVersion
from onewindow.core.errors import DomainError, Forbidden, NotFound
from onewindow.core.panels import case_panels
from onewindow.core.ratelimit import check_rate
from onewindow.org import access
from onewindow.org.edge import View, render_error, staff_page
from onewindow.org.models import Centre, Role, Window, WindowKind
from onewindow.privacy.services import personal_data_access_log

WINDOW_ROLES = {Role.CLERK, Role.CENTRE_HEAD}
QUEUE_ROLES = {Role.REVIEWER, Role.CENTRE_HEAD, Role.SUPERVISOR, Role.ADMIN}
OUTPUT_ROLES = {Role.CLERK, Role.CENTRE_HEAD, Role.REVIEWER, Role.AGENT}
BOARD_ROLES = {Role.SUPERVISOR, Role.CENTRE_HEAD, Role.ADMIN}
PAGE_SIZE = 30
PROGRESS_RATE = (30, 60)  # lookups per client address and minute

# What each action asks for on the detail page (the service checks the values).
ACTION_INPUTS: dict[str, tuple[str, ...]] = {
    "accept": ("materials",),
    "request_correction": ("materials", "override_reason"),
    "supplement": ("materials", "override_reason"),
    "reject": ("reason", "basis"),
    "assign": (),
    "approve": ("note",),
    "deny": ("reason", "basis"),
    "escalate": ("note",),
    "suspend": ("reason",),
    "resume": ("note",),
    "extend": ("days", "approver", "reason"),
    "ready": ("note",),
    "deliver": ("to", "signed_by", "tracking_number"),
    "withdraw": ("note",),
}
REASON_LABELS = {
    "reject": "不予受理理由",
    "deny": "不予许可理由",
    "suspend": "中止理由（听证/检测/专家评审等）",
    "extend": "延期理由（须经负责人批准并告知申请人）",
}

# The public progress page says where a case stands in plain words.
PUBLIC_STATE: dict[str, tuple[str, str]] = {
    State.SUBMITTED: ("已收件", "申请已提交，等待窗口核验材料。"),
    State.CORRECTION_NEEDED: ("待补正材料", "请按一次性告知书补齐材料后到窗口提交。"),
    State.NOT_ACCEPTED: ("不予受理", "已书面告知不予受理的理由和依据。"),
    State.ACCEPTED: ("已受理，办理中", "申请已受理，正在审批。"),
    State.IN_REVIEW: ("审批中", "审批部门正在审查。"),
    State.SUSPENDED: ("暂停计时", "因听证、检测或专家评审等暂停计时，结束后继续办理。"),
    State.APPROVED: ("已审批，待出件", "审批已完成，正在统一出件。"),
    State.DENIED: ("已审批，待出件", "审批已完成，决定文书正在统一出件。"),
    State.READY: ("可领取", "办理结果已到出件窗口，可以领取。"),
    State.DELIVERED: ("已办结", "办理结果已送达。"),
    State.WITHDRAWN: ("已撤回", "申请已撤回。"),
}


# ------------------------------------------------------------------------------------------------
# Edge: who may open a page, and how errors look
# ------------------------------------------------------------------------------------------------


def error_page(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render_error(request, exc, "cases/error.html")


def case_page(roles: Iterable[str] | None = None) -> Callable[[View], View]:
    """Staff only: anonymous → login; without a staff profile or one of ``roles`` → 403 page;
    domain errors (e.g. a case outside the jurisdiction → 404) → their status page."""
    return staff_page(roles=roles, error_template="cases/error.html")


def _page(request: HttpRequest, rows: Any) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _hx_target(request: HttpRequest) -> str:
    return request.headers.get("HX-Target", "") if request.headers.get("HX-Request") else ""


# ------------------------------------------------------------------------------------------------
# 1. The comprehensive-window workbench (无差别全科受理)
# ------------------------------------------------------------------------------------------------


def _item_choice(code: str) -> ItemVersion | None:
    if not code:
        return None
    try:
        return catalog.item_get_published(code)
    except NotFound:
        return None


WINDOW_SESSION_KEY = "cases.window"  # the window the clerk sits at, per centre: {centre id: window id}
PICKABLE_WINDOWS = (WindowKind.COMPREHENSIVE, WindowKind.PROXY)


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


@case_page(WINDOW_ROLES)
@require_http_methods(["GET", "POST"])
def workbench(request: HttpRequest) -> HttpResponse:
    staff = access.staff_of(request.user)
    assert staff is not None
    centre = staff.centre
    if centre is None:
        raise Forbidden("您的账号未关联服务中心，不能受理办件", code="no_centre")
    windows = _windows(centre)
    if request.method == "POST" and request.POST.get("outcome") == "window":
        # 选择窗口: remembered in the session, then back to the workbench (keeping the chosen item)
        picked = _picked_window(request.POST, windows)
        if picked is None:
            messages.error(request, "所选窗口不属于本中心的综合受理或帮办代办窗口")
        else:
            _remember_window(request, centre, picked)
            messages.success(request, f"当前窗口：{picked}")
        url = reverse("cases:workbench")
        code = (request.POST.get("item") or "").strip()
        return redirect(f"{url}?item={quote(code)}" if code else url)
    window = _current_window(request, centre, windows)
    data = request.POST if request.method == "POST" else None
    q = (request.GET.get("q") or "").strip()[:50]
    code = ((data or request.GET).get("item") or "").strip()
    version = _item_choice(code)
    results = list(catalog.item_list(q=q, level=centre.level)[:20]) if q else []

    applicant = ApplicantForm(data, prefix="a")
    fields = item_fields_form(version, data)
    rejecting = data is not None and data.get("outcome") == "reject"
    # the 不予受理 fields are checked only on that path (unbound otherwise, keeping what was typed)
    reject = (
        RejectForm(data, prefix="r")
        if rejecting
        else RejectForm(
            prefix="r", initial={k: data.get(f"r-{k}", "") for k in ("reason", "basis")} if data else {}
        )
    )
    rows = material_rows(version, data)
    errors: list[str] = []
    if code and version is None:
        errors.append(f"事项 {code} 不存在或未发布")

    if data is not None and data.get("window"):
        # the window shown on the page when the form was filled in is the one recorded
        posted = _picked_window(data, windows)
        if posted is None:
            errors.append("所选窗口不属于本中心的综合受理或帮办代办窗口")
        else:
            window = posted
            _remember_window(request, centre, window)

    if data is not None and version is not None and not errors:
        valid = [applicant.is_valid(), fields.is_valid(), reject.is_valid() if rejecting else True]
        if all(valid):
            try:
                case = services.case_intake(
                    actor=request.user,
                    item=version.item.code,
                    centre=centre.code,
                    window=window.pk if window is not None else None,
                    applicant=applicant.applicant(),
                    form=form_values(fields),
                    materials=materials_given(rows),
                    reject_reason=reject.cleaned_data["reason"] if rejecting else "",
                    reject_basis=reject.cleaned_data["basis"] if rejecting else "",
                )
            except DomainError as exc:
                errors += apply_error(exc, {"applicant": applicant, "form": fields, "reject": reject})
            else:
                return redirect("cases:outcome", number=case.number)
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
        "applicant": applicant,
        "fields": fields,
        "reject": reject,
        "rows": rows,
        "errors": errors,
        "rejecting": rejecting,
    }
    template = "cases/workbench.html"
    target = _hx_target(request)
    if target == "item-results":
        template += "#item_results"
    elif target == "item-panel":
        template += "#item_panel"
    return render(request, template, context)


@case_page()
@require_GET
def outcome(request: HttpRequest, number: str) -> HttpResponse:
    case = services.case_get_for_user(request.user, number)
    return render(
        request,
        "cases/outcome.html",
        {
            "case": case,
            "state_label": State(case.state).label,
            "kinds": _document_links(case),
            "differs": [services.APPLICANT_FIELDS[f] for f in services.applicant_differences(case)],
        },
    )


# ------------------------------------------------------------------------------------------------
# 2. Case detail, its timeline and its actions
# ------------------------------------------------------------------------------------------------


def _document_links(case: Case) -> list[dict[str, str]]:
    return [
        {
            "kind": k,
            "title": documents.DOCUMENT_TITLES[k],
            "url": reverse("cases:document", kwargs={"number": case.number, "kind": k}),
        }
        for k in documents.document_kinds(case)
    ]


def _visible_actions(case: Case, staff: Any) -> list[Transition]:
    """The actions this user may take on this case now: the one authority rule of the service
    (:func:`onewindow.cases.workflow.may_act`), which checks them again on submit."""
    return actions_for(staff, case)


def _action_label(case: Case, e: Any) -> str:
    if e.action == "deliver" and isinstance(e.data, dict) and e.data.get("to") in DELIVERY_ACTION_LABELS:
        return DELIVERY_ACTION_LABELS[e.data["to"]]
    return CHANNEL_ACTION_LABELS.get((case.channel, e.action)) or ACTION_LABELS.get(e.action, e.action)


def _timeline(case: Case) -> list[dict[str, Any]]:
    labels = dict(State.choices)
    roles = dict(Role.choices) | EVENT_ROLE_LABELS
    return [
        {
            "at": e.at,
            "action": _action_label(case, e),
            "actor": e.actor_name,
            "role": roles.get(e.role, e.role),
            "centre": e.centre.name if e.centre is not None else "",
            "window": str(e.window) if e.window is not None else "",
            "state_from": labels.get(e.state_from, e.state_from),
            "state_to": labels.get(e.state_to, e.state_to),
            "note": e.note,
            "data": e.data,
        }
        for e in case.events.select_related("centre", "window").order_by("seq")
    ]


def _applicant(request: HttpRequest, case: Case) -> dict[str, Any]:
    full = selectors.case_handled_by(request.user, case)
    if full:
        personal_data_access_log(
            actor=request.user,
            obj=case.applicant,
            fields=["id_number", "phone", "address"],
            purpose=f"办件 {case.number}",
            ip=request.META.get("REMOTE_ADDR"),
        )
    return selectors.applicant_display(case, full)


def _detail(
    request: HttpRequest,
    case: Case,
    *,
    failed: str = "",
    form: ActionForm | None = None,
    rows: list[dict[str, Any]] | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    staff = access.staff_of(request.user)
    roles = staff.role_list if staff else []
    actions: list[dict[str, Any]] = []
    for t in _visible_actions(case, staff):
        if t.action == "request_correction" and case.correction_count >= 1 and Role.CENTRE_HEAD not in roles:
            continue  # one notice only: a second one needs the centre head's approval
        inputs = set(ACTION_INPUTS.get(t.action, ()))
        if "override_reason" in inputs and not (Role.CENTRE_HEAD in roles and case.correction_count >= 1):
            inputs.discard("override_reason")
        is_failed = t.action == failed
        actions.append(
            {
                "t": t,
                "inputs": inputs,
                "form": form if is_failed and form is not None else ActionForm(initial={"action": t.action}),
                "rows": rows
                if is_failed and rows is not None
                else material_rows(case.item_version, None, case.materials),
                "errors": errors if is_failed else [],
                "reason_label": REASON_LABELS.get(t.action, "理由"),
            }
        )
    shown = {a["t"].action for a in actions}
    page_errors = list(errors or []) if failed and failed not in shown else []
    if page_errors and form is not None:
        page_errors += [str(m) for msgs in form.errors.values() for m in msgs]
    today = services.local_today()
    context = {
        "page_errors": page_errors,
        "case": case,
        "version": case.item_version,
        "state_label": State(case.state).label,
        "warning": selectors.warning_for(case, today),
        "warning_labels": dict(Warning.choices),
        "applicant": _applicant(request, case),
        "can_correct_applicant": bool(set(roles) & services.CORRECTION_ROLES)
        and selectors.case_handled_by(request.user, case),
        "materials": case.materials,
        "form_rows": _form_rows(case),
        "timeline": _timeline(case),
        "actions": actions,
        "documents": _document_links(case),
        "deliveries": Delivery.choices,
        "panels": case_panels(request, case),
        "extension_limit": case.item_version.extension_limit,
        "extension_approvers": (
            [(s.user.get_username(), s.name, s.post) for s in services.extension_approvers(case)]
            if "extend" in shown
            else []
        ),
    }
    return render(request, "cases/detail.html", context, status=status)


def _form_rows(case: Case) -> list[tuple[str, Any]]:
    labels = {f.key: f.label for f in case.item_version.fields.all()}
    return [(labels.get(k, k), v) for k, v in case.form_data.items()]


@case_page()
@require_GET
def detail(request: HttpRequest, number: str) -> HttpResponse:
    return _detail(request, services.case_get_for_user(request.user, number))


@case_page()
@require_POST
def act(request: HttpRequest, number: str) -> HttpResponse:
    case = services.case_get_for_user(request.user, number)
    form = ActionForm(request.POST)
    action = request.POST.get("action", "")
    inputs = ACTION_INPUTS.get(action, ())
    rows = material_rows(case.item_version, request.POST) if "materials" in inputs else None
    if not form.is_valid():
        return _detail(request, case, failed=action, form=form, rows=rows)
    d = form.cleaned_data
    try:
        services.case_transition(
            actor=request.user,
            number=case.number,
            action=action,
            note=d["note"],
            reason=d["reason"],
            basis=d["basis"],
            materials=materials_given(rows) if rows is not None else None,
            to=d["to"] or None,
            signed_by=d["signed_by"],
            tracking_number=d["tracking_number"],
            days=d["days"],
            override_reason=d["override_reason"],
            approver=d["approver"],
        )
    except NotFound:
        raise
    except DomainError as exc:
        errors = apply_error(exc, {"action": form})
        missing = exc.details.get("missing") if isinstance(exc.details, dict) else None
        if isinstance(missing, list):
            errors += [f"{m.get('name')}：{m.get('reason')}" for m in missing if isinstance(m, dict)]
        case = services.case_get_for_user(request.user, number)
        return _detail(request, case, failed=action, form=form, rows=rows, errors=errors, status=200)
    messages.success(request, f"已完成「{ACTION_LABELS.get(action, action)}」。")
    return redirect("cases:detail", number=case.number)


@case_page()
@require_POST
def applicant_correct(request: HttpRequest, number: str) -> HttpResponse:
    """更正申请人信息 (this case only, with a reason, on the timeline): services.case_applicant_correct."""
    case = services.case_get_for_user(request.user, number)
    try:
        services.case_applicant_correct(
            actor=request.user,
            number=case.number,
            reason=request.POST.get("reason", ""),
            name=request.POST.get("name"),
            phone=request.POST.get("phone"),
            address=request.POST.get("address"),
        )
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        case = services.case_get_for_user(request.user, number)
        return _detail(request, case, failed="applicant_correction", errors=[exc.message], status=422)
    messages.success(request, "已更正本件申请人信息，并记入办件记录。")
    return redirect("cases:detail", number=case.number)


# ------------------------------------------------------------------------------------------------
# 3. Queues and lists (all through the scoped selectors)
# ------------------------------------------------------------------------------------------------


def _list_rows(cases: Iterable[Case], today: Any) -> list[dict[str, Any]]:
    rows = []
    for c in cases:
        rows.append(
            {
                "case": c,
                "applicant": c.applicant_masked_name,
                "state_label": State(c.state).label,
                "warning": selectors.warning_for(c, today),
            }
        )
    return rows


@case_page(QUEUE_ROLES)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.case_queue(actor=request.user))
    return render(
        request,
        "cases/queue.html",
        {"page": page, "rows": _list_rows(page.object_list, services.local_today()), "title": "审批队列"},
    )


@case_page(OUTPUT_ROLES)
@require_GET
def output(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.case_output_list(actor=request.user))
    return render(
        request,
        "cases/output.html",
        {"page": page, "rows": _list_rows(page.object_list, services.local_today()), "title": "统一出件"},
    )


@case_page()
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state") or ""
    state = state if state in State.values else ""
    warning = request.GET.get("warning") or ""
    warning = warning if warning in (Warning.YELLOW, Warning.RED) else ""
    item = (request.GET.get("item") or "").strip()[:40]
    qs = selectors.case_list(
        actor=request.user, state=state or None, item=item or None, warning=warning or None
    )
    page = _page(request, qs)
    context = {
        "page": page,
        "rows": _list_rows(page.object_list, services.local_today()),
        "state": state,
        "warning": warning,
        "item": item,
        "states": State.choices,
        "items": catalog.item_list(),
        "query": "&".join(
            f"{k}={quote(v)}" for k, v in (("state", state), ("item", item), ("warning", warning)) if v
        ),
    }
    template = "cases/list.html"
    if _hx_target(request) == "results":
        template += "#results"
    return render(request, template, context)


@case_page(BOARD_ROLES)
@require_GET
def warnings(request: HttpRequest) -> HttpResponse:
    today = services.local_today()
    board = selectors.case_warning_board(actor=request.user, today=today)
    page = _page(request, board)
    for row in page.object_list:
        c = row["case"]
        row["state_label"] = State(c.state).label
        row["holder"] = c.queue_department.name
        row["assignee"] = _staff_name(c.assignee) if c.assignee_id else ""
    red = sum(1 for r in board if r["warning"] == Warning.RED)
    steps = selectors.case_step_overdue_list(actor=request.user, today=today)[:100]
    for row in steps:
        row["state_label"] = State(row["case"].state).label
    return render(
        request,
        "cases/warnings.html",
        {
            "page": page,
            "today": today,
            "red": red,
            "yellow": len(board) - red,
            "total": len(board),
            "steps": steps,
            "notices": selectors.case_notice_board(actor=request.user, today=today)[:100],
        },
    )


def _staff_name(user: Any) -> str:
    staff = access.staff_of(user)
    return staff.name if staff is not None else user.get_username()


# ------------------------------------------------------------------------------------------------
# 4. The PDFs
# ------------------------------------------------------------------------------------------------


@case_page()
@require_GET
def document(request: HttpRequest, number: str, kind: str) -> HttpResponse:
    case = services.case_get_for_user(request.user, number)
    return documents.case_document_response(case, kind, site_url=request.build_absolute_uri("/"))


# ------------------------------------------------------------------------------------------------
# 5. The public progress page (no login, no personal data, no staff names)
# ------------------------------------------------------------------------------------------------


@require_GET
def progress(request: HttpRequest) -> HttpResponse:
    number = (request.GET.get("number") or "").strip()[:32]
    check = (request.GET.get("check") or "").strip()[:4]
    context: dict[str, Any] = {"number": number, "check": check, "error": "", "case": None}
    if number and check:
        try:
            check_rate(request, "progress_page", limit=PROGRESS_RATE[0], per_seconds=PROGRESS_RATE[1])
            case = checkguard.progress_lookup(number, check)
        except DomainError as exc:
            context["error"] = exc.message
            return render(request, "cases/progress.html", context, status=exc.status)
        plain, explain = PUBLIC_STATE.get(case.state, (State(case.state).label, ""))
        labels = dict(State.choices)
        context.update(
            case=case,
            plain=plain,
            explain=explain,
            steps=[
                {
                    "at": e.at,
                    "action": _action_label(case, e),
                    "state": labels.get(e.state_to, ""),
                }
                for e in case.events.order_by("seq")
            ],
            finished_at=case.delivered_at
            or (case.decided_at if case.state in {State.NOT_ACCEPTED, State.WITHDRAWN} else None),
        )
    elif request.GET.get("check") is not None:
        context["error"] = "请填写办件编号和校验码"
    return render(request, "cases/progress.html", context)
