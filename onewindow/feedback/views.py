"""Pages of 好差评, complaints and disclosure. Thin: reads through selectors, writes through services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from onewindow.cases.checkguard import progress_lookup
from onewindow.cases.models import State
from onewindow.core.errors import DomainError, NotFound
from onewindow.core.ratelimit import check_rate
from onewindow.core.web import choice_param, client_ip
from onewindow.feedback import selectors, services
from onewindow.feedback.models import (
    ONLINE_INDICATORS,
    AppealState,
    ComplaintCategory,
    ComplaintSource,
    ComplaintState,
    Level,
    Notice,
    NoticeKind,
    Rating,
    RatingChannel,
    Rectification,
    RectState,
)
from onewindow.feedback.services.rater import rater_contact
from onewindow.files.services import file_response
from onewindow.org import access
from onewindow.org.access import Perm
from onewindow.org.actors import request_actor
from onewindow.org.edge import staff_page
from onewindow.org.models import Centre, Staff
from onewindow.org.selectors import opening_hours

ERR = "feedback/error.html"
LEVELS = [(int(v), str(label)) for v, label in Level.choices]  # 5 … 1
LOOKUP_RATE = (30, 60)


def _rate_limited(request: HttpRequest, scope: str) -> None:
    check_rate(request, scope, limit=LOOKUP_RATE[0], per_seconds=LOOKUP_RATE[1])


def _int(value: Any) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def _indicators(request: HttpRequest, names: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in names:
        raw = request.POST.get(f"ind-{key}")
        if raw:
            out[key] = _int(raw)
    return out


# --- 一事一评: rating a case by number + check ---------------------------------------------------


@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest) -> HttpResponse:
    src = request.POST if request.method == "POST" else request.GET
    number = (src.get("number") or "").strip()[:32]
    check = (src.get("check") or "").strip()[:4]
    # the SMS invitation links here with ?channel=sms (短信评价); the portal / QR code is 一事一评 online
    channel = RatingChannel.SMS if src.get("channel") == RatingChannel.SMS else RatingChannel.ONLINE
    ctx: dict[str, Any] = {
        "number": number,
        "check": check,
        "channel": channel,
        "levels": LEVELS,
        "indicators": ONLINE_INDICATORS,
        "case": None,
        "error": "",
        "done": None,
    }
    if not (number and check):
        return render(request, "feedback/rate.html", ctx)
    try:
        _rate_limited(request, "rate_page")
        case = progress_lookup(number, check)
    except DomainError as exc:
        ctx["error"] = exc.message
        return render(request, "feedback/rate.html", ctx, status=exc.status)
    ctx["case"] = case
    ctx["ratable"] = case.state in services.RATABLE_STATES
    ctx["state_label"] = State(case.state).label
    ctx["rated"] = Rating.objects.filter(case=case, channel=channel).first()
    ctx["fix"] = (
        Rectification.objects.filter(
            rating__case=case, rating__voided=False, state=RectState.CLOSED, fix_level__isnull=True
        )
        .order_by("-pk")
        .first()
    )
    if request.method == "POST":
        try:
            if request.POST.get("fix_level"):
                services.rectification_rate_fix(
                    number=number, check=check, level=_int(request.POST["fix_level"])
                )
                ctx["done"] = "fix"
                ctx["fix"] = None
            else:
                ctx["done"] = services.rating_submit(
                    number=number,
                    check=check,
                    level=_int(request.POST.get("level")),
                    comment=request.POST.get("comment", ""),
                    channel=channel,
                    indicators=_indicators(request, ONLINE_INDICATORS),
                )
                ctx["rated"] = ctx["done"]
        except DomainError as exc:
            ctx["error"] = exc.message
            # the chosen level and the words already written stay on the form
            ctx["values"] = {
                "level": str(request.POST.get("level", "")),
                "comment": request.POST.get("comment", ""),
            }
            ctx["errors"] = exc.details if isinstance(exc.details, dict) else {}
            return render(request, "feedback/rate.html", ctx, status=exc.status)
    return render(request, "feedback/rate.html", ctx)


# --- rectifications (centre head) ----------------------------------------------------------------


@staff_page(perm=Perm.FEEDBACK_VIEW, error_template=ERR)
def rectification_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    state = choice_param(request, "state", RectState.values)
    appeal = request.GET.get("appeal") == AppealState.PENDING
    rows = selectors.rectification_list(actor=actor, state=state, appeal_pending=appeal)
    return render(
        request,
        "feedback/rectification_list.html",
        {"rows": rows, "state": state, "states": RectState.choices, "appeal": appeal},
    )


@staff_page(perm=Perm.FEEDBACK_VIEW, error_template=ERR)
@require_http_methods(["GET", "POST"])
def rectification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    rect = services.rectification_get_for_user(actor, pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        p = request.POST
        try:
            if action == "callback":
                services.rectification_callback(actor=actor, pk=pk, note=p.get("note", ""))
            elif action in ("rectified", "explained"):
                services.rectification_close(
                    actor=actor,
                    pk=pk,
                    outcome=action,
                    note=p.get("note", ""),
                    public_note=p.get("public_note", ""),
                )
            elif action == "appeal":
                services.rating_appeal(actor=actor, rating=rect.rating_id, reason=p.get("reason", ""))
            elif action in ("void", "keep"):
                services.rating_appeal_decide(
                    actor=actor, appeal=_int(p.get("appeal")), decision=action, note=p.get("note", "")
                )
            else:
                raise NotFound("未知的操作")
            messages.success(request, "已保存")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("feedback:rectification", pk=pk)
    rating = rect.rating
    case = rating.case
    ctx = {
        "rect": rect,
        "rating": rating,
        "rater": rater_contact(actor, rect, ip=client_ip(request) or None),
        "can_open_case": case is not None and access.in_scope(actor, case.centre.jurisdiction),
        "warning": services.rectification_warning(rect, services.local_today()),
        "indicator_names": services.indicator_names(rating.channel),
        "appeals": rating.appeals.order_by("-filed_at"),
        "pending_appeal": rating.appeals.filter(state=AppealState.PENDING).first(),
        "can_handle": access.has_perm(actor, Perm.FEEDBACK_HANDLE),
        "can_appeal": access.has_perm(actor, Perm.FEEDBACK_APPEAL),
        "can_decide": access.has_perm(actor, Perm.FEEDBACK_DECIDE),
    }
    return render(request, "feedback/rectification_detail.html", ctx)


# --- complaints ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def complaint_new(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    can_record = access.has_perm(actor, Perm.COMPLAINT_RECORD)
    ctx: dict[str, Any] = {
        "categories": ComplaintCategory.choices,
        "sources": ComplaintSource.choices if can_record else [],
        "centres": Centre.objects.filter(is_active=True).order_by("jurisdiction__path", "code"),
        "values": request.POST
        if request.method == "POST"
        else {"centre": request.GET.get("centre", ""), "case": request.GET.get("case", "")},
        "logged_in": request.user.is_authenticated,
        "errors": {},
        "created": None,
    }
    if request.method == "POST":
        p = request.POST
        source = p.get("source") or ComplaintSource.ONLINE
        try:
            _rate_limited(request, "complaint_page")
            ctx["created"] = services.complaint_submit(
                category=p.get("category", ""),
                content=p.get("content", ""),
                contact=p.get("contact", ""),
                centre=p.get("centre") or None,
                source=source if can_record else ComplaintSource.ONLINE,
                actor=actor if can_record else None,
                case=p.get("case", ""),
                submitter=request.user,
            )
        except DomainError as exc:
            ctx["error"] = exc.message
            ctx["errors"] = exc.details if isinstance(exc.details, dict) else {}
            return render(request, "feedback/complaint_new.html", ctx, status=exc.status)
    return render(request, "feedback/complaint_new.html", ctx)


def complaint_follow(request: HttpRequest) -> HttpResponse:
    number = (request.GET.get("number") or "").strip()[:20]
    check = (request.GET.get("check") or "").strip()[:8]
    ctx: dict[str, Any] = {"number": number, "check": check, "c": None, "error": ""}
    if number and check:
        try:
            _rate_limited(request, "complaint_follow")
            ctx["c"] = services.complaint_follow(number, check)
        except DomainError as exc:
            ctx["error"] = exc.message
            return render(request, "feedback/complaint_follow.html", ctx, status=exc.status)
    return render(request, "feedback/complaint_follow.html", ctx)


@staff_page(perm=Perm.FEEDBACK_VIEW, error_template=ERR)
def complaint_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    state = choice_param(request, "state", ComplaintState.values)
    rows = selectors.complaint_list(actor=actor, state=state)
    return render(
        request,
        "feedback/complaint_list.html",
        {"rows": rows, "state": state, "states": ComplaintState.choices},
    )


@staff_page(perm=Perm.FEEDBACK_VIEW, error_template=ERR)
@require_http_methods(["GET", "POST"])
def complaint_detail(request: HttpRequest, number: str) -> HttpResponse:
    actor = request_actor(request)
    c = services.complaint_get_for_user(actor, number)
    if request.method == "POST":
        p = request.POST
        try:
            if p.get("action") == "fast_track":
                services.complaint_fast_track(
                    actor=actor, number=number, answer=p.get("answer", ""), note=p.get("note", "")
                )
            else:
                services.complaint_act(
                    actor=actor,
                    number=number,
                    action=p.get("action", ""),
                    note=p.get("note", ""),
                    to=p.get("to") or None,
                    public_summary=p.get("public_summary", ""),
                )
            messages.success(request, "已保存")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("feedback:complaint", number=number)
    next_action = next((a for a, row in services.COMPLAINT_ACTIONS.items() if row.source == c.state), None)
    assignees = access.scope(actor, Staff.objects.select_related("user", "jurisdiction")).order_by("name")
    fast = services.complaint_fast_track_steps(actor, c)
    ctx = {
        "c": c,
        "steps": c.steps.select_related("actor").order_by("started_at", "pk"),
        "next_action": next_action,
        "next_label": services.COMPLAINT_ACTION_LABELS.get(next_action or "", ""),
        "assignees": assignees,
        "overdue": services.complaint_overdue(c, services.local_today()),
        "contact": services.complaint_contact_for(actor, c, ip=client_ip(request) or None),
        "fast_steps": fast,
        "fast_labels": "、".join(
            "交办本人" if a == "assign" else services.COMPLAINT_ACTION_LABELS[a] for a in fast
        ),
        "can_open_case": c.case is not None and access.in_scope(actor, c.case.centre.jurisdiction),
    }
    return render(request, "feedback/complaint_detail.html", ctx)


# --- notice board and disclosure -----------------------------------------------------------------


@staff_page(perm=Perm.NOTICE_POST, error_template=ERR)
@require_http_methods(["GET", "POST"])
def notices(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    centres = access.scope(actor, Centre.objects.filter(is_active=True)).order_by("jurisdiction__path")
    if request.method == "POST":
        p = request.POST
        try:
            services.notice_post(
                actor=actor,
                centre=p.get("centre", ""),
                kind=p.get("kind", ""),
                title=p.get("title", ""),
                body=p.get("body", ""),
                files=request.FILES.getlist("attachments"),
            )
            messages.success(request, "公告已发布")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("feedback:notices")
    rows = access.scope(
        actor, Notice.objects.select_related("centre"), "centre__jurisdiction__path"
    ).order_by("-posted_at")[:100]
    return render(
        request, "feedback/notices.html", {"centres": centres, "rows": rows, "kinds": NoticeKind.choices}
    )


@staff_page(perm=Perm.NOTICE_POST, error_template=ERR)
@require_POST
def notice_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    services.notice_withdraw(actor=actor, pk=pk)
    messages.success(request, "公告已撤下")
    return redirect("feedback:notices")


def notice_file(request: HttpRequest, pk: int, file_id: str) -> HttpResponse:
    """An attachment of a published notice (public, like the notice itself)."""
    notice = Notice.objects.filter(pk=pk, withdrawn=False).first()
    f = notice.attachments.filter(pk=file_id).first() if notice is not None else None
    if f is None:
        raise Http404("未找到附件")
    return file_response(f, download=not f.is_image)


def disclosure(request: HttpRequest, code: str) -> HttpResponse:
    centre = Centre.objects.select_related("jurisdiction").filter(code=code, is_active=True).first()
    if centre is None:
        raise Http404("未找到该服务中心")
    ratings = selectors.rating_rates(Rating.objects.filter(centre=centre))
    notices_by_kind: dict[str, list[Notice]] = {str(label): [] for _k, label in NoticeKind.choices}
    for n in selectors.notices_public(centre):
        notices_by_kind[str(n.get_kind_display())].append(n)
    ctx = {
        "centre": centre,
        "hours": opening_hours(centre),
        "agents": selectors.area_agents(centre),
        "ratings": ratings,
        "levels": [(label, ratings["levels"][str(v)]) for v, label in LEVELS],
        "rectifications": selectors.rectification_public(centre=centre, limit=10),
        "complaints": selectors.complaint_public(centre=centre, limit=10),
        "notices": notices_by_kind,
        "complaint_url": reverse("feedback:complaint_new") + f"?centre={centre.code}",
    }
    return render(request, "feedback/disclosure.html", ctx)


def results(request: HttpRequest) -> HttpResponse:
    """Published 好差评 results: counts and rates per centre and item, rectification outcomes."""
    return render(
        request,
        "feedback/results.html",
        {
            "by_centre": selectors.rating_summary(group_by="centre"),
            "by_item": selectors.rating_summary(group_by="item"),
            "rectifications": selectors.rectification_public(limit=30),
            "complaints": selectors.complaint_public(limit=30),
        },
    )
