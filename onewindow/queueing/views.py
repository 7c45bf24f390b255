"""Queue pages: the window console (staff), the display board, the ticket kiosk (with appointment
check-in) and appointment booking (all public).

Views are thin: every write calls ``queueing.services``; a domain error is shown as its Chinese message
(with its HTTP status) on the same page. The board and kiosk carry no personal data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.catalog.models import Domain
from onewindow.core.errors import DomainError, Invalid, NotFound
from onewindow.core.web import posted_iso
from onewindow.documents.qr import qr_data_uri
from onewindow.org import schedule
from onewindow.org.actors import request_actor
from onewindow.org.edge import staff_page
from onewindow.org.models import Centre, Role, Session, Window
from onewindow.privacy import consent
from onewindow.privacy.masking import mask_phone
from onewindow.queueing import appointments, order, phonecheck, services
from onewindow.queueing.models import Appointment, Priority, Ticket, TicketState

CONSOLE_ROLES = [Role.CLERK, Role.CENTRE_HEAD]
ERROR_TEMPLATE = "queueing/error.html"
FIXED_LABELS = {"comprehensive": "综合业务", "proxy": "帮办代办", "consult": "咨询"}
KIOSK_PRIORITIES = [Priority.ELDERLY, Priority.DISABLED, Priority.MILITARY]
WAITING_SHOWN = 12  # the console lists the first few of the line
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
    staff = request_actor(request).staff
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


def _waiting_context(window: Window, day: dt.date, labels: dict[str, str]) -> dict[str, Any]:
    """The window's waiting line in call order (the priority rule), counted per category."""
    cats = services.window_categories(window)
    line = order.queue_for(window.centre_id, day, cats, window.pk)
    counts = {c: 0 for c in cats}
    for row in line:
        counts[row["category"]] = counts.get(row["category"], 0) + 1
    shown = [
        {
            **row,
            "label": labels.get(row["category"], row["category"]),
            "priority_label": Priority(row["priority"]).label if row["priority"] else "",
        }
        for row in line[:WAITING_SHOWN]
    ]
    return {
        "window": window,
        "line": shown,
        "line_more": max(len(line) - WAITING_SHOWN, 0),
        "waiting": [(labels.get(c, c), n) for c, n in counts.items()],
        "waiting_total": len(line),
        "priority_total": sum(1 for row in line if row["priority"]),
    }


def _panel_context(window: Window, error: DomainError | None = None) -> dict[str, Any]:
    day = services.local_now().date()
    labels = category_labels(window.centre)
    today = Ticket.objects.filter(centre=window.centre_id, day=day)
    current = (
        today.filter(window=window, state__in=[TicketState.CALLED, TicketState.SERVING])
        .order_by("-called_at")
        .first()
    )
    skipped = list(today.filter(window=window, state=TicketState.SKIPPED).order_by("-called_at")[:5])
    others = Window.objects.filter(centre=window.centre_id, is_active=True).exclude(pk=window.pk)
    return {
        **_waiting_context(window, day, labels),
        "current": current,
        "current_label": labels.get(current.category, current.category) if current else "",
        "pending": current,
        "pending_question": services.pending_question(current) if current is not None else "",
        "pending_serving": current is not None and current.state == TicketState.SERVING,
        "call_pending": error is not None and error.code == "call_pending",
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


@require_GET
@staff_page(roles=CONSOLE_ROLES, error_template=ERROR_TEMPLATE)
def console_waiting(request: HttpRequest, window_id: int) -> HttpResponse:
    """The waiting line alone, polled by the console every few seconds (two small queries)."""
    staff = request_actor(request).staff
    window = (
        Window.objects.select_related("centre")
        .filter(pk=window_id, centre=staff.centre_id if staff else None, is_active=True)
        .first()
    )
    if window is None:
        raise NotFound("窗口不存在", code="not_found")
    context = _waiting_context(window, services.local_now().date(), category_labels(window.centre))
    return render(request, "queueing/console.html#waiting", context)


@require_POST
@staff_page(roles=CONSOLE_ROLES, error_template=ERROR_TEMPLATE)
def console_call(request: HttpRequest, window_id: int) -> HttpResponse:
    window = _console_window(request, window_id)
    pending: services.PendingCall = "skip" if request.POST.get("confirm") == "1" else "refuse"
    try:
        services.ticket_call_next(actor=request_actor(request), window=window.pk, pending=pending)
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
            actor=request_actor(request),
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
        "server_now": services.local_now(),
    }
    return render(request, "queueing/board.html", context)


# ---------------------------------------------------------------- kiosk (public)


def _kiosk_context(centre: Centre) -> dict[str, Any]:
    now = services.local_now()
    status = services.hall_status(centre, now)
    duties = centre.holiday_duties.filter(date__gte=now.date()).order_by("date", "start")[:6]
    return {
        "centre": centre,
        "categories": category_labels(centre),
        "priorities": [(p.value, p.label) for p in KIOSK_PRIORITIES],
        "hall": status,
        # with the hours check switched off (QUEUE_ENFORCE_HOURS) a number can always be taken
        "can_issue": status.can_issue or not settings.QUEUE_ENFORCE_HOURS,
        "server_now": now,
        "holiday_duties": list(duties),
    }


def _kiosk_render(
    request: HttpRequest, centre: Centre, extra: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    """The kiosk screen: locked (no link to the full site); booking is offered as a QR code to scan."""
    book_url = request.build_absolute_uri(reverse("queueing:book", kwargs={"code": centre.code}))
    context = {**_kiosk_context(centre), "book_qr": qr_data_uri(book_url), **(extra or {})}
    return render(request, "queueing/kiosk.html", context, status=status)


@require_GET
def kiosk(request: HttpRequest, code: str) -> HttpResponse:
    return _kiosk_render(request, _public_centre(code))


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
        return _kiosk_render(request, centre, {"error": exc}, exc.status)
    return redirect("queueing:kiosk_ticket", code=centre.code, ticket_id=ticket.pk)


@require_GET
def kiosk_ticket(request: HttpRequest, code: str, ticket_id: int) -> HttpResponse:
    centre = _public_centre(code)
    now = services.local_now()
    # a number taken in a break or before opening is for the coming session (today or the next day)
    ticket = Ticket.objects.filter(pk=ticket_id, centre=centre, day__gte=now.date()).first()
    if ticket is None:  # an old slip on a locked kiosk: its own screen, never the site 404
        gone = NotFound("该排队号不存在或已过期，请重新取号", code="not_found")
        return _kiosk_render(request, centre, {"error": gone}, gone.status)
    status = services.hall_status(centre, now)
    upcoming = ticket.day > now.date() or not status.open
    context = {
        "centre": centre,
        "ticket": ticket,
        "category_label": category_labels(centre).get(ticket.category, ticket.category),
        "priority_label": Priority(ticket.priority).label if ticket.priority else "",
        "waiting_before": services.waiting_before(ticket),
        "opens_text": (
            schedule.opens_text(status.period, now) if upcoming and status.period is not None else ""
        ),
    }
    return render(request, "queueing/ticket.html", context)


# ---------------------------------------------------------------- kiosk: appointment check-in (public)


def _kiosk_error(request: HttpRequest, centre: Centre, exc: DomainError) -> HttpResponse:
    return _kiosk_render(request, centre, {"checkin_error": exc, "form": request.POST}, exc.status)


@require_POST
def kiosk_check_in(request: HttpRequest, code: str) -> HttpResponse:
    centre = _public_centre(code)
    raw_id = (request.POST.get("appointment") or "").strip()
    pin = (request.POST.get("pin") or "").strip()
    try:
        if not raw_id.isdigit() or not pin:
            raise Invalid(
                "请输入预约号（或手机号）和6位预约码", code="invalid", details={"appointment": ["必填"]}
            )
        if len(raw_id) == 11 and raw_id.startswith("1"):  # a mobile number: its booking at this centre
            ticket = appointments.appointment_check_in_by_phone(centre=centre, phone=raw_id, code=pin)
        else:
            if not Appointment.objects.filter(pk=int(raw_id), centre=centre).exists():
                raise NotFound("预约不存在或预约码不正确", code="not_found")
            ticket = appointments.appointment_check_in(appointment_id=int(raw_id), code=pin)
    except DomainError as exc:
        return _kiosk_error(request, centre, exc)
    return redirect("queueing:kiosk_ticket", code=centre.code, ticket_id=ticket.pk)


# ---------------------------------------------------------------- appointment booking (public)

BOOKING_DAYS = 14
BOOKED_SESSION_KEY = "queueing_booked"


def _booking_dates() -> list[dt.date]:
    today = services.local_now().date()
    return [today + dt.timedelta(days=n) for n in range(BOOKING_DAYS)]


def _slot_rows(centre: Centre, date: dt.date) -> list[dict[str, Any]]:
    now = services.local_now()
    rows = []
    for s in appointments.slots(centre, date):
        past = dt.datetime.combine(date, s.start, tzinfo=now.tzinfo) <= now
        rows.append(
            {
                "value": s.start.strftime("%H:%M"),
                "label": f"{s.start:%H:%M}–{s.end:%H:%M}",
                "session": Session(s.session).label if s.session in Session.values else s.session,
                "available": s.available,
                "disabled": past or s.available == 0,
                "reason": "已过" if past else ("已约满" if s.available == 0 else ""),
            }
        )
    return rows


def _booking_context(centre: Centre, date: dt.date, form: Any = None) -> dict[str, Any]:
    return {
        "notice_version": consent.NOTICE_VERSION,
        "centre": centre,
        "date": date,
        "dates": _booking_dates(),
        "slots": _slot_rows(centre, date),
        "categories": category_labels(centre),
        "form": form or {},
    }


def _parse_date(raw: str | None, default: dt.date) -> dt.date:
    if not raw:
        return default
    try:
        value = dt.date.fromisoformat(raw)
    except ValueError:
        raise Invalid("日期格式不正确", code="invalid", details={"date": ["格式错误"]}) from None
    if value not in _booking_dates():
        raise Invalid(
            f"只能预约今天起{BOOKING_DAYS}天内的时段", code="invalid_date", details={"date": ["超出范围"]}
        )
    return value


@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, code: str) -> HttpResponse:
    centre = _public_centre(code)
    tomorrow = services.local_now().date() + dt.timedelta(days=1)
    if request.method == "POST":
        return _book_submit(request, centre, tomorrow)
    try:
        date = _parse_date(request.GET.get("date"), tomorrow)
    except DomainError as exc:
        context = {**_booking_context(centre, tomorrow), "error": exc}
        return render(request, "queueing/book.html", context, status=exc.status)
    return render(request, "queueing/book.html", _booking_context(centre, date))


def _booking_consent(request: HttpRequest) -> str:
    """The privacy notice's version the booker agreed to (PIPL art. 14): required before a resident's name and
    phone are used (no code is sent, nothing is booked without it); staff and agents booking for a resident
    ask her in person, so the box is not theirs to tick."""
    if request_actor(request).is_staff_member:
        return ""
    given = request.POST.get("consent")
    if not consent.consented(given):
        raise Invalid(consent.REFUSED_BOOKING, code="consent_required", details={"consent": ["必选"]})
    return str(given)


def _book_submit(request: HttpRequest, centre: Centre, tomorrow: dt.date) -> HttpResponse:
    date = tomorrow
    client = request.META.get("REMOTE_ADDR", "")
    if request.POST.get("action") == "send_code":
        return _book_send_code(request, centre, tomorrow, client)
    try:
        date = _parse_date(request.POST.get("date"), tomorrow)
        agreed = _booking_consent(request)
        start = posted_iso(request, "start", dt.time, "请选择预约时段", "必选", code="invalid_slot")
        actor = request_actor(request) if request.user.is_authenticated else None
        appointment = appointments.appointment_book(
            centre=centre.code,
            date=date,
            start=start,
            category=request.POST.get("category", ""),
            name=request.POST.get("name", ""),
            phone=request.POST.get("phone", ""),
            actor=actor,
            channel="station" if actor is not None else "online",
            sms_code=request.POST.get("sms_code", ""),
            client=client,
            consent_version=agreed,
        )
    except DomainError as exc:
        context = {**_booking_context(centre, date, request.POST), "error": exc}
        return render(request, "queueing/book.html", context, status=exc.status)
    booked = [*request.session.get(BOOKED_SESSION_KEY, []), appointment.pk][-20:]
    request.session[BOOKED_SESSION_KEY] = booked
    return redirect("queueing:book_done", code=centre.code, appointment_id=appointment.pk)


def _book_send_code(request: HttpRequest, centre: Centre, tomorrow: dt.date, client: str) -> HttpResponse:
    """预约短信验证: send the code to the number in the form and show the form again, filled in."""
    date = tomorrow
    try:
        date = _parse_date(request.POST.get("date"), tomorrow)
        _booking_consent(request)
        phonecheck.code_send(phone=request.POST.get("phone", ""), client=client)
    except DomainError as exc:
        context = {**_booking_context(centre, date, request.POST), "error": exc}
        return render(request, "queueing/book.html", context, status=exc.status)
    context = {
        **_booking_context(centre, date, request.POST),
        "code_sent": mask_phone((request.POST.get("phone") or "").strip()),
        "code_minutes": phonecheck.ttl() // 60,
    }
    return render(request, "queueing/book.html", context)


@require_GET
def book_done(request: HttpRequest, code: str, appointment_id: int) -> HttpResponse:
    """The confirmation (with the 预约码): only in the browser session that made the booking."""
    centre = _public_centre(code)
    if appointment_id not in request.session.get(BOOKED_SESSION_KEY, []):
        raise Http404("预约不存在")
    appointment = Appointment.objects.filter(pk=appointment_id, centre=centre).first()
    if appointment is None:
        raise Http404("预约不存在")
    context = {
        "centre": centre,
        "appointment": appointment,
        "category_label": category_labels(centre).get(appointment.category, appointment.category),
    }
    return render(request, "queueing/book_done.html", context)


@require_http_methods(["GET", "POST"])
def book_cancel(request: HttpRequest, code: str) -> HttpResponse:
    """Cancel with the appointment number and 预约码 (GET: the form; POST: cancel)."""
    centre = _public_centre(code)
    if request.method == "GET":
        form = {"appointment": request.GET.get("appointment", "")}
        return render(request, "queueing/book_cancel.html", {"centre": centre, "form": form})
    raw_id = (request.POST.get("appointment") or "").strip()
    try:
        if not raw_id.isdigit() or not Appointment.objects.filter(pk=int(raw_id), centre=centre).exists():
            raise NotFound("预约不存在或预约码不正确", code="not_found")
        appointment = appointments.appointment_cancel(
            appointment_id=int(raw_id), code=request.POST.get("pin", "")
        )
    except DomainError as exc:
        context = {"centre": centre, "form": request.POST, "error": exc}
        return render(request, "queueing/book_cancel.html", context, status=exc.status)
    context = {"centre": centre, "cancelled": appointment}
    return render(request, "queueing/book_cancel.html", context)
