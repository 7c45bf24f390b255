"""4. The case PDFs, and 5. the public progress page (no login, no personal data, no staff names)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from onewindow.cases import checkguard, documents, services
from onewindow.cases.models import State
from onewindow.cases.views.common import case_page
from onewindow.cases.views.detail import action_label
from onewindow.core.errors import DomainError
from onewindow.core.ratelimit import check_rate
from onewindow.org.actors import request_actor

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


@case_page()
@require_GET
def document(request: HttpRequest, number: str, kind: str) -> HttpResponse:
    case = services.case_get_for_user(request_actor(request), number)
    return documents.case_document_response(case, kind, site_url=request.build_absolute_uri("/"))


@require_GET
def progress(request: HttpRequest) -> HttpResponse:
    number = (request.GET.get("number") or "").strip()[:32]
    check = (request.GET.get("check") or "").strip()[:4]
    context: dict[str, Any] = {"number": number, "check": check, "error": "", "case": None}
    if number and check:
        try:
            check_rate(request, "progress_page", limit=int(settings.PROGRESS_RATE_LIMIT), per_seconds=60)
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
                {"at": e.at, "action": action_label(case, e), "state": labels.get(e.state_to, "")}
                for e in case.events.order_by("seq")
            ],
            finished_at=case.delivered_at
            or (case.decided_at if case.state in {State.NOT_ACCEPTED, State.WITHDRAWN} else None),
        )
    elif request.GET.get("check") is not None:
        context["error"] = "请填写办件编号和校验码"
    return render(request, "cases/progress.html", context)
