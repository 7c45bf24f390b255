"""The queueing app's API router: tickets, the board, appointment slots and bookings, window
statistics (see ../shared/API.md). Collected by ``onewindow.api.api``."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status

from onewindow.core.apiauth import token_lookup
from onewindow.core.apischemas import ERRORS_AUTH, ERRORS_PUBLIC, BodyIn, Error
from onewindow.core.errors import NotFound
from onewindow.org.actors import actor_of, request_actor
from onewindow.org.models import Centre
from onewindow.queueing import appointments, phonecheck, selectors, services
from onewindow.queueing.models import Ticket

router = Router(tags=["取号叫号"])


class TicketIn(BodyIn):
    centre: str
    category: str
    priority: Literal["elderly", "disabled", "military", "appointment"] | None = None


class TicketOut(Schema):
    id: int
    number: str
    category: str
    priority: str
    state: str
    waiting_before: int
    window: int | None = None
    window_name: str | None = None
    day: str | None = None
    opens_at: str | None = None
    opens_text: str | None = None


def ticket_out(t: Ticket) -> dict[str, Any]:
    return {
        "id": t.pk,
        "number": t.number,
        "category": t.category,
        "priority": t.priority,
        "state": t.state,
        "waiting_before": services.waiting_before(t),
        "window": t.window.number if t.window else None,
        "window_name": t.window.name if t.window else None,
        "day": t.day.isoformat(),
        "opens_at": opens.isoformat() if (opens := getattr(t, "opens_at", None)) else None,
        "opens_text": getattr(t, "opens_text", "") or None,
    }


@router.post(
    "/tickets", response={201: TicketOut, **ERRORS_PUBLIC}, auth=None, summary="取号（公开，自助终端）"
)
def ticket_create(request: HttpRequest, payload: TicketIn) -> Any:
    t = services.ticket_issue(
        centre=payload.centre, category=payload.category, priority=payload.priority or ""
    )
    return Status(201, ticket_out(t))


@router.post("/windows/{window_id}/call-next", response={200: TicketOut, **ERRORS_AUTH}, summary="叫下一个号")
def call_next(request: HttpRequest, window_id: int) -> Any:
    return ticket_out(services.ticket_call_next(actor=request_actor(request), window=window_id))


class TicketActionIn(BodyIn):
    action: Literal["recall", "skip", "requeue", "transfer", "serve", "finish"]
    to: str | None = None
    window: int | None = None
    case: str | None = None


@router.post(
    "/tickets/{ticket_id}/actions", response={200: TicketOut, **ERRORS_AUTH, 409: Error}, summary="排队号操作"
)
def ticket_action(request: HttpRequest, ticket_id: int, payload: TicketActionIn) -> Any:
    t = services.ticket_act(
        actor=request_actor(request),
        ticket=ticket_id,
        action=payload.action,
        to=payload.to,
        window=payload.window,
        case_number=payload.case or "",
    )
    return ticket_out(t)


class BoardCall(Schema):
    number: str
    window: int
    window_name: str
    text: str
    announced_at: str | None
    state: str


class HallOut(Schema):
    open: bool
    can_issue: bool
    message: str


class BoardOut(Schema):
    centre: str
    centre_name: str
    now: str
    today: str
    utc_offset_minutes: int
    hall: HallOut
    current: list[BoardCall]
    recent: list[BoardCall]
    waiting: dict[str, int]


@router.get(
    "/centres/{code}/board", response={200: BoardOut, **ERRORS_PUBLIC}, auth=None, summary="叫号大屏（公开）"
)
def centre_board(request: HttpRequest, code: str) -> Any:
    centre = Centre.objects.filter(code=code, is_active=True).first()
    if centre is None:
        raise NotFound(f"服务中心 {code} 不存在", code="unknown_centre")
    return services.board(centre)


class SlotOut(Schema):
    start: str
    end: str
    session: str
    capacity: int
    booked: int
    available: int


class SlotQuery(Schema):
    date: dt.date


@router.get(
    "/centres/{code}/slots",
    response={200: list[SlotOut], **ERRORS_PUBLIC},
    auth=None,
    summary="预约时段（公开）",
)
def centre_slots(request: HttpRequest, code: str, q: Query[SlotQuery]) -> Any:
    return [
        {
            "start": s.start.strftime("%H:%M"),
            "end": s.end.strftime("%H:%M"),
            "session": s.session,
            "capacity": s.capacity,
            "booked": s.booked,
            "available": s.available,
        }
        for s in appointments.slots_for(code, q.date)
    ]


class AppointmentIn(BodyIn):
    centre: str
    date: dt.date
    start: dt.time
    category: str
    name: str
    phone: str
    sms_code: str | None = None


class AppointmentOut(Schema):
    id: int
    code: str
    centre: str
    date: dt.date
    start: str
    end: str
    category: str
    state: str


def appointment_out(a: Any) -> dict[str, Any]:
    return {
        "id": a.pk,
        "code": a.code,
        "centre": a.centre.code,
        "date": a.date,
        "start": a.start.strftime("%H:%M"),
        "end": a.end.strftime("%H:%M"),
        "category": a.category,
        "state": a.state,
    }


class CodeIn(BodyIn):
    code: str


class PhoneCodeIn(BodyIn):
    phone: str


class PhoneCodeOut(Schema):
    sent: bool
    expires_in: int


@router.post(
    "/appointments/phone-code",
    response={200: PhoneCodeOut, **ERRORS_PUBLIC, 429: Error},
    auth=None,
    summary="获取预约短信验证码（公开）",
    description="向手机号发送6位验证码（5分钟有效），匿名预约时填入 `sms_code`。"
    "429 `otp_too_soon` / `otp_daily_limit` / `otp_locked` / `rate_limited`。",
)
def appointment_phone_code(request: HttpRequest, payload: PhoneCodeIn) -> Any:
    phonecheck.code_send(phone=payload.phone, client=request.META.get("REMOTE_ADDR", ""))
    return {"sent": True, "expires_in": phonecheck.ttl()}


@router.post(
    "/appointments",
    response={201: AppointmentOut, **ERRORS_PUBLIC, 409: Error, 429: Error},
    auth=None,
    summary="预约（公开）",
    description="匿名预约须先验证手机号：`POST /api/v1/appointments/phone-code` 取得验证码，填入 `sms_code`"
    "（422 `phone_not_verified` / `otp_invalid` / `otp_expired`，429 `otp_locked`）；工作人员（代办员、窗口、"
    "自助终端）登录后代为预约无需验证码。每个手机号最多 APPOINTMENT_MAX_OPEN_PER_PHONE 个未到期预约"
    "（409 `booking_limit`）。",
)
def appointment_create(request: HttpRequest, payload: AppointmentIn) -> Any:
    user = request.user if getattr(request.user, "is_authenticated", False) else None
    auth = request.headers.get("Authorization", "")
    if user is None and auth.startswith("Bearer "):  # a station tablet or kiosk with its token
        row = token_lookup(auth[len("Bearer ") :].strip())
        user = row.user if row is not None and not row.read_only else None
    actor = actor_of(user) if user is not None else None
    a = appointments.appointment_book(
        centre=payload.centre,
        date=payload.date,
        start=payload.start,
        category=payload.category,
        name=payload.name,
        phone=payload.phone,
        actor=actor,
        channel="station" if user else "online",
        sms_code=payload.sms_code or "",
        client=request.META.get("REMOTE_ADDR", ""),
    )
    return Status(201, appointment_out(a))


@router.post(
    "/appointments/{appointment_id}/check-in",
    response={200: TicketOut, **ERRORS_PUBLIC, 409: Error, 429: Error},
    auth=None,
    summary="预约签到，取优先号（公开）",
)
def appointment_check_in(request: HttpRequest, appointment_id: int, payload: CodeIn) -> Any:
    return ticket_out(appointments.appointment_check_in(appointment_id=appointment_id, code=payload.code))


@router.post(
    "/appointments/{appointment_id}/cancel",
    response={200: AppointmentOut, **ERRORS_PUBLIC, 409: Error, 429: Error},
    auth=None,
    summary="取消预约（公开）",
)
def appointment_cancel(request: HttpRequest, appointment_id: int, payload: CodeIn) -> Any:
    a = appointments.appointment_cancel(appointment_id=appointment_id, code=payload.code)
    return appointment_out(a)


class QueueStatsQuery(Schema):
    date: dt.date


@router.get(
    "/centres/{code}/queue-stats", response={200: dict[str, Any], **ERRORS_AUTH}, summary="窗口统计（本辖区）"
)
def centre_queue_stats(request: HttpRequest, code: str, q: Query[QueueStatsQuery]) -> Any:
    return selectors.queue_stats_for(actor=request_actor(request), code=code, day=q.date)
