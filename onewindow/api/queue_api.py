from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from onewindow.api.schemas import ERRORS_AUTH, ERRORS_PUBLIC, Error
from onewindow.errors import NotFound
from onewindow.org.models import Centre
from onewindow.queueing import services
from onewindow.queueing.models import Ticket

router = Router(tags=["取号叫号"])


class TicketIn(Schema):
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
    return ticket_out(services.ticket_call_next(actor=request.user, window=window_id))


class TicketActionIn(Schema):
    action: Literal["recall", "skip", "requeue", "transfer", "serve", "finish"]
    to: str | None = None
    window: int | None = None
    case: str | None = None


@router.post(
    "/tickets/{ticket_id}/actions", response={200: TicketOut, **ERRORS_AUTH, 409: Error}, summary="排队号操作"
)
def ticket_action(request: HttpRequest, ticket_id: int, payload: TicketActionIn) -> Any:
    t = services.ticket_act(
        actor=request.user,
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


class BoardOut(Schema):
    centre: str
    centre_name: str
    now: str
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
