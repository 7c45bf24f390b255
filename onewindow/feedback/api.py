"""The feedback app's API router: 好差评 and complaints (see ../shared/API.md) — public rating and
complaint intake, staff handling. Collected by ``onewindow.api.api``."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status

from onewindow.core.apiauth import PUBLIC, role_auth
from onewindow.core.apischemas import ERRORS_AUTH, ERRORS_PUBLIC, BodyIn, Error, Page, page_of
from onewindow.core.ratelimit import check_rate
from onewindow.feedback import selectors, services
from onewindow.feedback.models import Complaint, ComplaintState, Level, Rating, Rectification
from onewindow.org.access import Perm, has_any_perm
from onewindow.org.actors import request_actor

router = Router(tags=["好差评与投诉"])

PUBLIC_WRITE = {**ERRORS_PUBLIC, 409: Error, 429: Error}
# Role before body (see role_auth): a caller who can never handle complaints gets 403, not 422.
COMPLAINT_HANDLER_AUTH = role_auth(
    has_any_perm(Perm.FEEDBACK_HANDLE, Perm.FEEDBACK_APPEAL, Perm.FEEDBACK_DECIDE), "办理投诉建议"
)


def _rate_limit(request: HttpRequest, scope: str) -> None:
    check_rate(request, scope, limit=30, per_seconds=60)


# --- ratings -------------------------------------------------------------------------------------


class RatingIn(BodyIn):
    level: int
    comment: str | None = None
    channel: Literal["online", "sms", "window"] = "online"
    indicators: dict[str, int] | None = None
    check: str | None = None


class CheckQuery(Schema):
    check: str | None = None


class RectificationBrief(Schema):
    id: int
    state: str
    deadline: dt.date


class RatingOut(Schema):
    id: int
    case: str | None
    centre: str
    level: int
    level_label: str
    channel: str
    real_name: bool
    is_default: bool
    voided: bool
    created_at: dt.datetime
    indicators: dict[str, int]
    rectification: RectificationBrief | None = None


def rating_out(r: Rating) -> dict[str, Any]:
    rect = Rectification.objects.filter(rating=r).first()
    return {
        "id": r.pk,
        "case": r.case.number if r.case_id and r.case else None,
        "centre": r.centre.code,
        "level": r.level,
        "level_label": str(Level(r.level).label),
        "channel": r.channel,
        "real_name": r.real_name,
        "is_default": r.is_default,
        "voided": r.voided,
        "created_at": r.created_at,
        "indicators": r.indicators,
        "rectification": (
            {"id": rect.pk, "state": rect.state, "deadline": rect.deadline} if rect is not None else None
        ),
    }


@router.post(
    "/cases/{number}/rating",
    response={201: RatingOut, **PUBLIC_WRITE},
    auth=PUBLIC,
    summary="好差评：一事一评（公开，凭进度查询校验码）",
    description="`check`（申请人证件号码或手机号后4位）放在请求体或查询参数中。"
    "仅已办结送达（delivered）或不予受理（not_accepted）的办件可评价；每个渠道一次（409 already_rated）；"
    "1–2 分（差评）自动生成整改。",
)
def rating_create(request: HttpRequest, number: str, payload: RatingIn, q: Query[CheckQuery]) -> Any:
    _rate_limit(request, "rating")
    rating = services.rating_submit(
        number=number,
        check=payload.check or q.check or "",
        level=payload.level,
        comment=payload.comment or "",
        channel=payload.channel,
        indicators=payload.indicators,
    )
    return Status(201, rating_out(rating))


class FixIn(BodyIn):
    level: int
    check: str


class FixOut(Schema):
    rectification: int
    fix_level: int


@router.post(
    "/cases/{number}/rating/fix",
    response={200: FixOut, **PUBLIC_WRITE},
    auth=PUBLIC,
    summary="评价差评整改结果（公开，凭校验码）",
)
def rating_fix(request: HttpRequest, number: str, payload: FixIn) -> Any:
    _rate_limit(request, "rating")
    rect = services.rectification_rate_fix(number=number, check=payload.check, level=payload.level)
    return {"rectification": rect.pk, "fix_level": rect.fix_level}


class RateRow(Schema):
    code: str
    name: str
    total: int
    defaults: int
    satisfied: int
    bad: int
    levels: dict[str, int]
    rate: float | None


class SummaryQuery(Schema):
    group_by: Literal["centre", "item"] = "centre"
    centre: str | None = None


@router.get(
    "/ratings/summary",
    response={200: list[RateRow], **ERRORS_PUBLIC},
    auth=PUBLIC,
    summary="好差评公开统计：按中心或事项的评价数与满意率（作废评价不计）",
)
def rating_summary(request: HttpRequest, q: Query[SummaryQuery]) -> Any:
    return selectors.rating_summary(group_by=q.group_by, centre=q.centre)


class AppealIn(BodyIn):
    reason: str


class AppealOut(Schema):
    id: int
    rating: int
    state: str
    decision: str


def appeal_out(a: Any) -> dict[str, Any]:
    return {"id": a.pk, "rating": a.rating_id, "state": a.state, "decision": a.decision}


@router.post(
    "/ratings/{rating_id}/appeal",
    response={201: AppealOut, **ERRORS_AUTH, 409: Error},
    summary="申诉复核：中心负责人对评价提出申诉",
)
def rating_appeal(request: HttpRequest, rating_id: int, payload: AppealIn) -> Any:
    return Status(
        201,
        appeal_out(
            services.rating_appeal(actor=request_actor(request), rating=rating_id, reason=payload.reason)
        ),
    )


class DecideIn(BodyIn):
    decision: Literal["void", "keep"]
    note: str


@router.post(
    "/appeals/{appeal_id}/decide",
    response={200: AppealOut, **ERRORS_AUTH, 409: Error},
    summary="申诉复核决定（监督人员）：作废或维持评价",
)
def appeal_decide(request: HttpRequest, appeal_id: int, payload: DecideIn) -> Any:
    a = services.rating_appeal_decide(
        actor=request_actor(request), appeal=appeal_id, decision=payload.decision, note=payload.note
    )
    return appeal_out(a)


class RectOut(Schema):
    id: int
    case: str | None
    centre: str
    level: int
    state: str
    state_label: str
    opened_on: dt.date
    deadline: dt.date
    warning: str
    outcome: str
    fix_level: int | None


def rect_out(r: Rectification, warning: str | None = None) -> dict[str, Any]:
    return {
        "id": r.pk,
        "case": r.rating.case.number if r.rating.case else None,
        "centre": r.centre.code,
        "level": r.rating.level,
        "state": r.state,
        "state_label": r.get_state_display(),
        "opened_on": r.opened_on,
        "deadline": r.deadline,
        "warning": warning or services.rectification_warning(r, services.local_today()),
        "outcome": r.outcome,
        "fix_level": r.fix_level,
    }


class RectFilter(Schema):
    state: Literal["callback", "rectifying", "closed", "voided"] | None = None
    page: int = 1
    page_size: int = 50


@router.get("/rectifications", response={200: Page[RectOut], **ERRORS_AUTH}, summary="差评整改列表（本辖区）")
def rectification_list(request: HttpRequest, f: Query[RectFilter]) -> Any:
    qs = selectors.rectification_list(actor=request_actor(request), state=f.state)
    return page_of(qs, f, lambda r: rect_out(r["rect"], r["warning"]))


class RectActionIn(BodyIn):
    action: Literal["callback", "rectify", "explain"]
    note: str
    public_note: str | None = None


@router.post(
    "/rectifications/{rect_id}/actions",
    response={200: RectOut, **ERRORS_AUTH, 409: Error},
    summary="差评整改：回访核实（callback）、整改（rectify）或解释说明（explain）",
)
def rectification_action(request: HttpRequest, rect_id: int, payload: RectActionIn) -> Any:
    if payload.action == "callback":
        rect = services.rectification_callback(actor=request_actor(request), pk=rect_id, note=payload.note)
    else:
        rect = services.rectification_close(
            actor=request_actor(request),
            pk=rect_id,
            outcome="rectified" if payload.action == "rectify" else "explained",
            note=payload.note,
            public_note=payload.public_note or "",
        )
    return rect_out(rect)


# --- complaints ----------------------------------------------------------------------------------


class ComplaintIn(BodyIn):
    category: Literal["complaint", "suggestion", "opinion", "praise"]
    content: str
    contact: str | None = None
    centre: str | None = None
    jurisdiction: str | None = None
    source: Literal["online", "window", "phone", "box"] = "online"
    case: str | None = None  # the case it is about: a resident's own, or any existing one for staff


class ComplaintCreated(Schema):
    number: str
    check: str | None = None
    state: str


@router.post(
    "/complaints",
    response={201: ComplaintCreated, **PUBLIC_WRITE, 401: Error, 403: Error},
    auth=PUBLIC,
    summary="投诉、建议、民情信息登记（公开；窗口/电话/意见箱来源需工作人员登录）",
)
def complaint_create(request: HttpRequest, payload: ComplaintIn) -> Any:
    _rate_limit(request, "complaint")
    actor = request_actor(request) if request.user.is_authenticated else None
    c = services.complaint_submit(
        category=payload.category,
        content=payload.content,
        contact=payload.contact or "",
        centre=payload.centre,
        jurisdiction=payload.jurisdiction,
        source=payload.source,
        actor=actor,
        case=payload.case or "",
        submitter=request.user,
    )
    return Status(201, {"number": c.number, "check": c.check_code, "state": c.state})


class ComplaintStepOut(Schema):
    state: str
    state_label: str
    owner: str
    deadline: dt.date | None
    started_at: dt.datetime
    finished_at: dt.datetime | None


class ComplaintPublicOut(Schema):
    number: str
    category: str
    state: str
    state_label: str
    created_at: dt.datetime
    step_deadline: dt.date
    answer: str
    closed_at: dt.datetime | None
    steps: list[ComplaintStepOut]


def steps_out(c: Complaint) -> list[dict[str, Any]]:
    return [
        {
            "state": s.state,
            "state_label": str(ComplaintState(s.state).label),
            "owner": s.owner_name,
            "deadline": s.deadline,
            "started_at": s.started_at,
            "finished_at": s.finished_at,
        }
        for s in c.steps.order_by("started_at", "pk")
    ]


def complaint_public_out(c: Complaint) -> dict[str, Any]:
    return {
        "number": c.number,
        "category": c.category,
        "state": c.state,
        "state_label": c.get_state_display(),
        "created_at": c.created_at,
        "step_deadline": c.step_deadline,
        "answer": c.answer if c.state in (ComplaintState.ANSWERED, ComplaintState.CLOSED) else "",
        "closed_at": c.closed_at,
        "steps": steps_out(c),
    }


@router.get(
    "/complaints/{number}/progress",
    response={200: ComplaintPublicOut, **ERRORS_PUBLIC, 429: Error},
    auth=PUBLIC,
    summary="投诉建议办理进度（公开，凭编号和查询码；查询码错误返回404）",
)
def complaint_progress(request: HttpRequest, number: str, q: Query[CheckQuery]) -> Any:
    _rate_limit(request, "complaint_follow")
    return complaint_public_out(services.complaint_follow(number, q.check or ""))


class ComplaintOut(ComplaintPublicOut):
    source: str
    content: str
    centre: str | None
    jurisdiction: str
    owner: str | None
    overdue: bool
    public_summary: str
    case: str | None = None


def complaint_out(c: Complaint) -> dict[str, Any]:
    return {
        **complaint_public_out(c),
        "answer": c.answer,
        "source": c.source,
        "content": c.content,
        "centre": c.centre.code if c.centre else None,
        "jurisdiction": c.jurisdiction.code,
        "owner": c.owner.get_username() if c.owner else None,
        "overdue": services.complaint_overdue(c, services.local_today()),
        "public_summary": c.public_summary,
        "case": c.case.number if c.case is not None else None,
    }


class ComplaintFilter(Schema):
    state: ComplaintState | None = None
    page: int = 1
    page_size: int = 50


@router.get(
    "/complaints", response={200: Page[ComplaintOut], **ERRORS_AUTH}, summary="投诉建议列表（本辖区）"
)
def complaint_list(request: HttpRequest, f: Query[ComplaintFilter]) -> Any:
    qs = selectors.complaint_list(actor=request_actor(request), state=f.state)
    return page_of(qs, f, lambda r: complaint_out(r["c"]))


@router.get("/complaints/{number}", response={200: ComplaintOut, **ERRORS_AUTH}, summary="投诉建议详情")
def complaint_detail(request: HttpRequest, number: str) -> Any:
    return complaint_out(services.complaint_get_for_user(request_actor(request), number))


class ComplaintActionIn(BodyIn):
    action: Literal["report", "assign", "start", "answer", "close"]
    note: str | None = None
    to: str | None = None
    public_summary: str | None = None


@router.post(
    "/complaints/{number}/actions",
    response={200: ComplaintOut, **ERRORS_AUTH, 409: Error},
    auth=COMPLAINT_HANDLER_AUTH,
    summary="投诉建议办理：报送、交办（to=承办人用户名）、开始办理、反馈答复、办结公示",
)
def complaint_action(request: HttpRequest, number: str, payload: ComplaintActionIn) -> Any:
    c = services.complaint_act(
        actor=request_actor(request),
        number=number,
        action=payload.action,
        note=payload.note or "",
        to=payload.to,
        public_summary=payload.public_summary or "",
    )
    return complaint_out(services.complaint_get_for_user(request_actor(request), c.number))
