"""Queue pages: the window console (staff), the display board and the ticket kiosk (both public).

Views are thin: every write calls ``queueing.services``; a domain error is shown as its Chinese message
(with its HTTP status) on the same page. The board and kiosk carry no personal data.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from onewindow.catalog.models import Domain
from onewindow.errors import DomainError, NotFound
from onewindow.org import access
from onewindow.org.models import Centre, Role, Window
from onewindow.queueing import services
from onewindow.queueing.models import Priority, Ticket, TicketState
from onewindow.web import staff_page

CONSOLE_ROLES = [Role.CLERK, Role.CENTRE_HEAD]
ERROR_TEMPLATE = "queueing/error.html"
FIXED_LABELS = {"comprehensive": "综合业务", "proxy": "帮办代办", "consult": "咨询"}
KIOSK_PRIORITIES = [Priority.ELDERLY, Priority.DISABLED, Priority.MILITARY]
CONSOLE_ACTIONS = {"recall", "skip", "requeue", "serve", "finish", "transfer"}


def category_labels(centre: Centre) -> dict[str, str]:
    """Category code → Chinese label for the categories the centre serves (domains by catalog name)."""
    cats = services.centre_categories(centre)
    names = dict(Domain.objects.filter(code__in=list(cats)).values_list("code", "name"))
    return {code: FIXED_LABELS.get(code) or names.get(code) or code for code in cats}


def _public_centre(code: str) -> Centre:
    centre = Centre.objects.filter(code=code, is_active=True).first()
    if centre is None:
        raise Http404("服务中心不存在")
    return centre


# ---------------------------------------------------------------- window console (staff)


def _console_windows(request: HttpRequest) -> list[Window]:
    staff = access.staff_of(request.user)
    if staff is None or staff.centre_id is None:
        return []
    windows = Window.objects.filter(centre=staff.centre_id, is_active=True).select_related("centre")
    return [w for w in windows if services.window_categories(w)]


def _console_window(request: HttpRequest, window_id: Any) -> Window:
    """A window of the user's own centre that takes a queue; anything else is a 404."""
    try:
        pk = int(window_id)
    except (TypeError, ValueError):
        raise NotFound("窗口不存在", code="not_found") from None
    for w in _console_windows(request):
        if w.pk == pk:
            return w
    raise NotFound("窗口不存在", code="not_found")


def _panel_context(window: Window, error: DomainError | None = None) -> dict[str, Any]:
    day = services.local_now().date()
    labels = category_labels(window.centre)
    cats = services.window_categories(window)
    today = Ticket.objects.filter(centre=window.centre_id, day=day)
    current = (
        today.filter(window=window, state__in=[TicketState.CALLED, TicketState.SERVING])
        .order_by("-called_at")
        .first()
    )
    waiting_qs = today.filter(category__in=cats, state=TicketState.WAITING)
    waiting_qs = waiting_qs.filter(target_window__isnull=True) | waiting_qs.filter(target_window=window)
    counts = {c: 0 for c in cats}
    for cat in waiting_qs.values_list("category", flat=True):
        counts[cat] = counts.get(cat, 0) + 1
    skipped = list(today.filter(window=window, state=TicketState.SKIPPED).order_by("-called_at")[:5])
    others = Window.objects.filter(centre=window.centre_id, is_active=True).exclude(pk=window.pk)
    return {
        "window": window,
        "current": current,
        "current_label": labels.get(current.category, current.category) if current else "",
        "waiting": [(labels.get(c, c), n) for c, n in counts.items()],
        "waiting_total": sum(counts.values()),
        "skipped": skipped,
        "categories": labels,
        "other_windows": [w for w in others if services.window_categories(w)],
        "done_today": today.filter(window=window, state=TicketState.DONE).count(),
        "error": error,
    }


def _render_panel(request: HttpRequest, window: Window, error: DomainError | None = None) -> HttpResponse:
    context = _panel_context(window, error)
    status = error.status if error else 200
    if request.headers.get("HX-Request"):
        return render(request, "queueing/console.html#panel", context, status=status)
    context["windows"] = _console_windows(request)
    return render(request, "queueing/console.html", context, status=status)


@require_GET
@staff_page(roles=CONSOLE_ROLES, error_template=ERROR_TEMPLATE)
def console(request: HttpRequest) -> HttpResponse:
    windows = _console_windows(request)
    if not windows:
        raise NotFound("您所在的中心没有可叫号的窗口", code="no_window")
    window = _console_window(request, request.GET["window"]) if request.GET.get("window") else windows[0]
    return _render_panel(request, window)


@require_POST
@staff_page(roles=CONSOLE_ROLES, error_template=ERROR_TEMPLATE)
def console_call(request: HttpRequest, window_id: int) -> HttpResponse:
    window = _console_window(request, window_id)
    try:
        services.ticket_call_next(actor=request.user, window=window.pk)
    except DomainError as exc:
        return _render_panel(request, window, exc)
    return _render_panel(request, window)


@require_POST
@staff_page(roles=CONSOLE_ROLES, error_template=ERROR_TEMPLATE)
def console_act(request: HttpRequest, window_id: int, ticket_id: int) -> HttpResponse:
    window = _console_window(request, window_id)
    action = request.POST.get("action", "")
    to = request.POST.get("to", "")
    target: int | None = None
    if to.startswith("window:"):
        target = int(to.removeprefix("window:")) if to.removeprefix("window:").isdigit() else -1
        to = ""
    try:
        services.ticket_act(
            actor=request.user,
            ticket=ticket_id,
            action=action,
            to=to or None,
            window=target,
            case_number=request.POST.get("case", ""),
        )
    except DomainError as exc:
        return _render_panel(request, window, exc)
    return _render_panel(request, window)


# ---------------------------------------------------------------- display board (public)


@require_GET
def board(request: HttpRequest, code: str) -> HttpResponse:
    centre = _public_centre(code)
    initial = services.board(centre)
    labels = category_labels(centre)
    context = {
        "centre": centre,
        "initial": initial,
        "labels": labels,
        "waiting": [(labels.get(c, c), n) for c, n in initial["waiting"].items()],
        "api_url": reverse("api-v1:centre_board", kwargs={"code": centre.code}),
    }
    return render(request, "queueing/board.html", context)


# ---------------------------------------------------------------- kiosk (public)


def _kiosk_context(centre: Centre) -> dict[str, Any]:
    return {
        "centre": centre,
        "categories": category_labels(centre),
        "priorities": [(p.value, p.label) for p in KIOSK_PRIORITIES],
    }


@require_GET
def kiosk(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "queueing/kiosk.html", _kiosk_context(_public_centre(code)))


@require_POST
def kiosk_take(request: HttpRequest, code: str) -> HttpResponse:
    centre = _public_centre(code)
    try:
        ticket = services.ticket_issue(
            centre=centre.code,
            category=request.POST.get("category", ""),
            priority=request.POST.get("priority", ""),
        )
    except DomainError as exc:
        context = {**_kiosk_context(centre), "error": exc}
        return render(request, "queueing/kiosk.html", context, status=exc.status)
    return redirect("queueing:kiosk_ticket", code=centre.code, ticket_id=ticket.pk)


@require_GET
def kiosk_ticket(request: HttpRequest, code: str, ticket_id: int) -> HttpResponse:
    centre = _public_centre(code)
    ticket = Ticket.objects.filter(pk=ticket_id, centre=centre, day=services.local_now().date()).first()
    if ticket is None:
        raise Http404("排队号不存在")
    context = {
        "centre": centre,
        "ticket": ticket,
        "category_label": category_labels(centre).get(ticket.category, ticket.category),
        "priority_label": Priority(ticket.priority).label if ticket.priority else "",
        "waiting_before": services.waiting_before(ticket),
    }
    return render(request, "queueing/ticket.html", context)
