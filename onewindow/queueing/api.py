"""The queueing app's API router: tickets, the board, appointment slots and bookings, window
statistics (see ../shared/API.md). Collected by ``onewindow.api.api``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status

from onewindow.core.apiauth import token_lookup
from onewindow.core.apischemas import BodyIn, fields_of, responses, row_out
from onewindow.core.errors import NotFound
from onewindow.org.actors import actor_of
from onewindow.org.apicalls import as_caller, serve
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
    return row_out(
        TicketOut,
        t,
        id=t.pk,
        waiting_before=services.waiting_before(t),
        window=t.window.number if t.window else None,
        window_name=t.window.name if t.window else None,
        day=t.day.isoformat(),
        opens_at=opens.isoformat() if (opens := getattr(t, "opens_at", None)) else None,
        opens_text=getattr(t, "opens_text", "") or None,
    )


@router.post(
    "/tickets",
    response=responses(TicketOut, status=201, public=True),
    auth=None,
    summary="取号（公开，自助终端）",
)
def ticket_create(request: HttpRequest, payload: TicketIn) -> Any:
    return Status(
        201, ticket_out(services.ticket_issue(**fields_of(payload, services.ticket_issue, "priority")))
    )


@router.post("/windows/{window_id}/call-next", response=responses(TicketOut), summary="叫下一个号")
def call_next(request: HttpRequest, window_id: int) -> Any:
    return serve(request, services.ticket_call_next, ticket_out, window=window_id)


class TicketActionIn(BodyIn):
    action: Literal["recall", "skip", "requeue", "transfer", "serve", "finish"]
    to: str | None = None
    window: int | None = None
    case: str | None = None


@router.post("/tickets/{ticket_id}/actions", response=responses(TicketOut, 409), summary="排队号操作")
def ticket_action(request: HttpRequest, ticket_id: int, payload: TicketActionIn) -> Any:
    fields = payload.dict(exclude={"case"})
    return ticket_out(
        as_caller(request, services.ticket_act, ticket=ticket_id, case_number=payload.case or "", **fields)
    )


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
    "/centres/{code}/board", response=responses(BoardOut, public=True), auth=None, summary="叫号大屏（公开）"
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
    response=responses(list[SlotOut], public=True),
    auth=None,
    summary="预约时段（公开）",
)
def centre_slots(request: HttpRequest, code: str, q: Query[SlotQuery]) -> Any:
    return [
        row_out(SlotOut, s, start=s.start.strftime("%H:%M"), end=s.end.strftime("%H:%M"))
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
    return row_out(
        AppointmentOut,
        a,
        id=a.pk,
        centre=a.centre.code,
        start=a.start.strftime("%H:%M"),
        end=a.end.strftime("%H:%M"),
    )


class CodeIn(BodyIn):
    code: str


class PhoneCodeIn(BodyIn):
    phone: str


class PhoneCodeOut(Schema):
    sent: bool
    expires_in: int


@router.post(
    "/appointments/phone-code",
    response=responses(PhoneCodeOut, 429, public=True),
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
    response=responses(AppointmentOut, 409, 429, status=201, public=True),
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
        **fields_of(payload, appointments.appointment_book, "sms_code"),
        actor=actor,
        channel="station" if user else "online",
        client=request.META.get("REMOTE_ADDR", ""),
    )
    return Status(201, appointment_out(a))


def _code_step(
    path: str, summary: str, schema: Any, out: Callable[[Any], Any], step: Callable[..., Any]
) -> Any:
    """``POST /appointments/{id}/<path>``: a public step on an appointment proven by its code
    (``CodeIn``), answering ``out(step(...))``. The handler bears the step's name (its operationId)."""

    def handler(request: HttpRequest, appointment_id: int, payload: CodeIn) -> Any:
        return out(step(appointment_id=appointment_id, code=payload.code))

    handler.__name__ = handler.__qualname__ = step.__name__
    response = responses(schema, 409, 429, public=True)
    return router.post(
        f"/appointments/{{appointment_id}}/{path}", response=response, auth=None, summary=summary
    )(handler)


appointment_check_in = _code_step(
    "check-in", "预约签到，取优先号（公开）", TicketOut, ticket_out, appointments.appointment_check_in
)
appointment_cancel = _code_step(
    "cancel", "取消预约（公开）", AppointmentOut, appointment_out, appointments.appointment_cancel
)


class QueueStatsQuery(Schema):
    date: dt.date


@router.get("/centres/{code}/queue-stats", response=responses(dict[str, Any]), summary="窗口统计（本辖区）")
def centre_queue_stats(request: HttpRequest, code: str, q: Query[QueueStatsQuery]) -> Any:
    return as_caller(request, selectors.queue_stats_for, code=code, day=q.date)
