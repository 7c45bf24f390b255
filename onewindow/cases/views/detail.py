"""2. Case detail, its timeline, its actions (the one authority rule of the service), the applicant
correction, and the panels other rooms contribute (``core.panels``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from onewindow.cases import selectors, services
from onewindow.cases.forms import ActionForm, apply_error, material_rows, materials_given
from onewindow.cases.models import Case, Delivery, State, Warning
from onewindow.cases.views import confirm
from onewindow.cases.views.common import case_page, document_links
from onewindow.cases.workflow import (
    ACTION_LABELS,
    CHANNEL_ACTION_LABELS,
    DELIVERY_ACTION_LABELS,
    EVENT_ROLE_LABELS,
    actions_for,
)
from onewindow.core.actor import Actor
from onewindow.core.errors import DomainError, Forbidden, NotFound
from onewindow.core.panels import case_panels
from onewindow.org.actors import request_actor
from onewindow.org.models import Role

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


def action_label(case: Case, e: Any) -> str:
    if e.action == "deliver" and isinstance(e.data, dict) and e.data.get("to") in DELIVERY_ACTION_LABELS:
        return DELIVERY_ACTION_LABELS[e.data["to"]]
    return CHANNEL_ACTION_LABELS.get((case.channel, e.action)) or ACTION_LABELS.get(e.action, e.action)


def _timeline(case: Case) -> list[dict[str, Any]]:
    labels = dict(State.choices)
    roles = dict(Role.choices) | EVENT_ROLE_LABELS
    return [
        {
            "at": e.at,
            "action": action_label(case, e),
            "actor": e.actor_name,
            "role": roles.get(e.role, e.role),
            "centre": e.centre.name if e.centre is not None else "",
            "window": str(e.window) if e.window is not None else "",
            "state_from": labels.get(e.state_from, e.state_from),
            "state_to": labels.get(e.state_to, e.state_to),
            "changed": e.state_from != e.state_to,
            "note": e.note,
            "data": e.data,
        }
        for e in case.events.select_related("centre", "window").order_by("seq")
    ]


def _actions(
    actor: Actor,
    case: Case,
    *,
    failed: str,
    form: ActionForm | None,
    rows: list[dict[str, Any]] | None,
    errors: list[str] | None,
) -> list[dict[str, Any]]:
    """The actions this actor may take on this case now (the service's authority rule,
    :func:`onewindow.cases.workflow.may_act`, which checks them again on submit), each with its form."""
    head = actor.has_role(Role.CENTRE_HEAD)
    received = selectors.supplemented_online(case)
    actions: list[dict[str, Any]] = []
    for t in actions_for(actor.staff, case):
        if t.action == "request_correction" and case.correction_count >= 1 and not head:
            continue  # one notice only: a second one needs the centre head's approval
        inputs = set(ACTION_INPUTS.get(t.action, ()))
        if "override_reason" in inputs and not (head and case.correction_count >= 1):
            inputs.discard("override_reason")
        is_failed = t.action == failed
        actions.append(
            {
                "t": t,
                "inputs": inputs,
                "form": form if is_failed and form is not None else ActionForm(initial={"action": t.action}),
                "rows": rows
                if is_failed and rows is not None
                else material_rows(
                    case.item_version,
                    None,
                    case.materials,
                    received if t.action in {"supplement", "accept"} else frozenset(),
                ),
                "confirm": t.action in confirm.CONFIRM_ACTIONS,
                "confirm_headline": confirm.static_headline(case, t.action),
                "errors": errors if is_failed else [],
                "reason_label": REASON_LABELS.get(t.action, "理由"),
            }
        )
    return actions


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
    actor = request_actor(request)
    actions = _actions(actor, case, failed=failed, form=form, rows=rows, errors=errors)
    shown = {a["t"].action for a in actions}
    page_errors = list(errors or []) if failed and failed not in shown else []
    if failed and failed not in shown and form is not None:
        page_errors += [str(m) for msgs in form.errors.values() for m in msgs]
    today = services.local_today()
    context = {
        "page_errors": page_errors,
        "summary": _error_summary(failed, form, errors) if failed in shown else [],
        "received": selectors.supplemented_online(case),
        "confirm_headlines": {"notice": confirm.notice_headline("{n}"), "accept": confirm.accept_headline()},
        "case": case,
        "version": case.item_version,
        "state_label": State(case.state).label,
        "warning": selectors.warning_for(case, today),
        "warning_labels": dict(Warning.choices),
        "applicant": services.applicant_shown(actor, case, request.META.get("REMOTE_ADDR")),
        "can_correct_applicant": actor.has_any_role(services.CORRECTION_ROLES)
        and selectors.case_handled_by(actor, case),
        "materials": case.materials,
        "form_rows": _form_rows(case),
        "timeline": _timeline(case),
        "actions": actions,
        "documents": document_links(case),
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


def _error_summary(action: str, form: ActionForm | None, errors: list[str] | None) -> list[dict[str, str]]:
    """The failed act's errors for the summary at the top of the page, each linking to its field."""
    rows = [{"text": e, "href": f"#action-{action}"} for e in errors or []]
    if form is not None:
        for name, msgs in form.errors.items():
            href = f"#{action}-{name}" if name in form.fields and name != "action" else f"#action-{action}"
            rows += [{"text": str(m), "href": href} for m in msgs]
    return rows


def _form_rows(case: Case) -> list[tuple[str, Any]]:
    labels = {f.key: f.label for f in case.item_version.fields.all()}
    return [(labels.get(k, k), v) for k, v in case.form_data.items()]


@case_page()
@require_GET
def detail(request: HttpRequest, number: str) -> HttpResponse:
    return _detail(request, services.case_get_for_user(request_actor(request), number))


@case_page()
@require_POST
def act(request: HttpRequest, number: str) -> HttpResponse:
    actor = request_actor(request)
    case = services.case_get_for_user(actor, number)
    form = ActionForm(request.POST)
    action = request.POST.get("action", "")
    inputs = ACTION_INPUTS.get(action, ())
    rows = material_rows(case.item_version, request.POST) if "materials" in inputs else None
    if not form.is_valid() or request.POST.get("back"):
        return _detail(request, case, failed=action, form=form, rows=rows)
    d = form.cleaned_data
    try:
        if action in confirm.CONFIRM_ACTIONS and request.POST.get(confirm.CONFIRM_FIELD) != "1":
            # the same refusals as the act itself (404 / 403 / 409), before anything is asked
            case = services.case_transition_check(actor=actor, number=case.number, action=action)
            asked = confirm.preview(case, action, d, rows)
            if asked is not None:
                return _confirmation(request, case, asked)
        services.case_transition(
            actor=actor,
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
    except Forbidden as exc:  # this case, but not this actor's act: the page, with why (403)
        return _detail(request, case, failed=action, form=form, rows=rows, errors=[exc.message], status=403)
    except DomainError as exc:
        errors = apply_error(exc, {"action": form})
        missing = exc.details.get("missing") if isinstance(exc.details, dict) else None
        if isinstance(missing, list):
            errors += [f"{m.get('name')}：{m.get('reason')}" for m in missing if isinstance(m, dict)]
        case = services.case_get_for_user(actor, number)
        return _detail(request, case, failed=action, form=form, rows=rows, errors=errors, status=200)
    messages.success(request, f"已完成「{ACTION_LABELS.get(action, action)}」。")
    return redirect("cases:detail", number=case.number)


def _confirmation(request: HttpRequest, case: Case, asked: confirm.Preview) -> HttpResponse:
    """The confirmation step (without JavaScript): what will be issued, 确认 re-posts with ``confirmed``."""
    return render(
        request,
        "cases/confirm.html",
        {
            "case": case,
            "version": case.item_version,
            "state_label": State(case.state).label,
            "asked": asked,
            "label": ACTION_LABELS.get(asked.action, asked.action),
            "hidden": confirm.hidden_fields(request.POST),
            "action_url": reverse("cases:act", kwargs={"number": case.number}),
        },
    )


@case_page()
@require_POST
def applicant_correct(request: HttpRequest, number: str) -> HttpResponse:
    """更正申请人信息 (this case only, with a reason, on the timeline): services.case_applicant_correct."""
    actor = request_actor(request)
    case = services.case_get_for_user(actor, number)
    try:
        services.case_applicant_correct(
            actor=actor,
            number=case.number,
            reason=request.POST.get("reason", ""),
            name=request.POST.get("name"),
            phone=request.POST.get("phone"),
            address=request.POST.get("address"),
        )
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        case = services.case_get_for_user(actor, number)
        return _detail(request, case, failed="applicant_correction", errors=[exc.message], status=422)
    messages.success(request, "已更正本件申请人信息，并记入办件记录。")
    return redirect("cases:detail", number=case.number)
