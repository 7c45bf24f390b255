"""The feedback app's API router: 好差评 and complaints (see ../shared/API.md) — public rating and
complaint intake, staff handling. Collected by ``onewindow.api.api``."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status

from onewindow.core.apiauth import PUBLIC, role_auth
from onewindow.core.apischemas import BodyIn, Page, PageQuery, fields_of, page_of, responses, row_out
from onewindow.core.ratelimit import check_rate
from onewindow.feedback import selectors, services
from onewindow.feedback.models import Complaint, ComplaintState, Level, Rating, Rectification
from onewindow.org.access import Perm, has_any_perm
from onewindow.org.actors import request_actor
from onewindow.org.apicalls import as_caller, serve

router = Router(tags=["好差评与投诉"])

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
    return row_out(
        RatingOut,
        r,
        id=r.pk,
        case=r.case.number if r.case_id and r.case else None,
        centre=r.centre.code,
        level_label=str(Level(r.level).label),
        rectification=row_out(RectificationBrief, rect, id=rect.pk) if rect is not None else None,
    )


@router.post(
    "/cases/{number}/rating",
    response=responses(RatingOut, 409, 429, status=201, public=True),
    auth=PUBLIC,
    summary="好差评：一事一评（公开，凭进度查询校验码）",
    description="`check`（申请人证件号码或手机号后4位）放在请求体或查询参数中。"
    "仅已办结送达（delivered）或不予受理（not_accepted）的办件可评价；每个渠道一次（409 already_rated）；"
    "1–2 分（差评）自动生成整改。",
)
def rating_create(request: HttpRequest, number: str, payload: RatingIn, q: Query[CheckQuery]) -> Any:
    _rate_limit(request, "rating")
    fields = fields_of(payload, services.rating_submit, "comment") | {"check": payload.check or q.check or ""}
    return Status(201, rating_out(services.rating_submit(number=number, **fields)))


class FixIn(BodyIn):
    level: int
    check: str


class FixOut(Schema):
    rectification: int
    fix_level: int


@router.post(
    "/cases/{number}/rating/fix",
    response=responses(FixOut, 409, 429, public=True),
    auth=PUBLIC,
    summary="评价差评整改结果（公开，凭校验码）",
)
def rating_fix(request: HttpRequest, number: str, payload: FixIn) -> Any:
    _rate_limit(request, "rating")
    rect = services.rectification_rate_fix(
        number=number, **fields_of(payload, services.rectification_rate_fix)
    )
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
    response=responses(list[RateRow], public=True),
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
    return row_out(AppealOut, a, id=a.pk, rating=a.rating_id)


@router.post(
    "/ratings/{rating_id}/appeal",
    response=responses(AppealOut, 409, status=201),
    summary="申诉复核：中心负责人对评价提出申诉",
)
def rating_appeal(request: HttpRequest, rating_id: int, payload: AppealIn) -> Any:
    return serve(request, services.rating_appeal, appeal_out, payload, rating=rating_id, status=201)


class DecideIn(BodyIn):
    decision: Literal["void", "keep"]
    note: str


@router.post(
    "/appeals/{appeal_id}/decide",
    response=responses(AppealOut, 409),
    summary="申诉复核决定（监督人员）：作废或维持评价",
)
def appeal_decide(request: HttpRequest, appeal_id: int, payload: DecideIn) -> Any:
    return serve(request, services.rating_appeal_decide, appeal_out, payload, appeal=appeal_id)


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
    return row_out(
        RectOut,
        r,
        id=r.pk,
        case=r.rating.case.number if r.rating.case else None,
        centre=r.centre.code,
        level=r.rating.level,
        state_label=r.get_state_display(),
        warning=warning or services.rectification_warning(r, services.local_today()),
    )


class RectFilter(PageQuery):
    state: Literal["callback", "rectifying", "closed", "voided"] | None = None


@router.get("/rectifications", response=responses(Page[RectOut]), summary="差评整改列表（本辖区）")
def rectification_list(request: HttpRequest, f: Query[RectFilter]) -> Any:
    qs = as_caller(request, selectors.rectification_list, state=f.state)
    return page_of(qs, f, lambda r: rect_out(r["rect"], r["warning"]))


class RectActionIn(BodyIn):
    action: Literal["callback", "rectify", "explain"]
    note: str
    public_note: str | None = None


@router.post(
    "/rectifications/{rect_id}/actions",
    response=responses(RectOut, 409),
    summary="差评整改：回访核实（callback）、整改（rectify）或解释说明（explain）",
)
def rectification_action(request: HttpRequest, rect_id: int, payload: RectActionIn) -> Any:
    if payload.action == "callback":
        return serve(request, services.rectification_callback, rect_out, pk=rect_id, note=payload.note)
    outcome = "rectified" if payload.action == "rectify" else "explained"
    fields: dict[str, Any] = {"note": payload.note, "public_note": payload.public_note or ""}
    return serve(request, services.rectification_close, rect_out, pk=rect_id, outcome=outcome, **fields)


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
    response=responses(ComplaintCreated, 409, 429, 401, 403, status=201, public=True),
    auth=PUBLIC,
    summary="投诉、建议、民情信息登记（公开；窗口/电话/意见箱来源需工作人员登录）",
)
def complaint_create(request: HttpRequest, payload: ComplaintIn) -> Any:
    _rate_limit(request, "complaint")
    actor = request_actor(request) if request.user.is_authenticated else None
    c = services.complaint_submit(
        **fields_of(payload, services.complaint_submit, "contact", "case"),
        actor=actor,
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
        row_out(ComplaintStepOut, s, state_label=str(ComplaintState(s.state).label), owner=s.owner_name)
        for s in c.steps.order_by("started_at", "pk")
    ]


def complaint_public_out(
    c: Complaint, schema: type[Schema] = ComplaintPublicOut, **given: Any
) -> dict[str, Any]:
    """Complaint ``c`` as the public sees it (the answer once given), or, with the staff's ``given``
    fields, as ``ComplaintOut``."""
    answered = c.state in (ComplaintState.ANSWERED, ComplaintState.CLOSED)
    given = {"answer": c.answer if answered else ""} | given
    return row_out(schema, c, state_label=c.get_state_display(), steps=steps_out(c), **given)


@router.get(
    "/complaints/{number}/progress",
    response=responses(ComplaintPublicOut, 429, public=True),
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
    return complaint_public_out(
        c,
        ComplaintOut,
        answer=c.answer,
        centre=c.centre.code if c.centre else None,
        jurisdiction=c.jurisdiction.code,
        owner=c.owner.get_username() if c.owner else None,
        overdue=services.complaint_overdue(c, services.local_today()),
        case=c.case.number if c.case is not None else None,
    )


class ComplaintFilter(PageQuery):
    state: ComplaintState | None = None


@router.get("/complaints", response=responses(Page[ComplaintOut]), summary="投诉建议列表（本辖区）")
def complaint_list(request: HttpRequest, f: Query[ComplaintFilter]) -> Any:
    qs = as_caller(request, selectors.complaint_list, state=f.state)
    return page_of(qs, f, lambda r: complaint_out(r["c"]))


def _complaint_of(request: HttpRequest, number: str) -> dict[str, Any]:
    """Complaint ``number`` as the caller may read it (``ComplaintOut``; 404 outside their scope)."""
    return complaint_out(services.complaint_get_for_user(request_actor(request), number))


@router.get("/complaints/{number}", response=responses(ComplaintOut), summary="投诉建议详情")
def complaint_detail(request: HttpRequest, number: str) -> Any:
    return _complaint_of(request, number)


class ComplaintActionIn(BodyIn):
    action: Literal["report", "assign", "start", "answer", "close"]
    note: str | None = None
    to: str | None = None
    public_summary: str | None = None


@router.post(
    "/complaints/{number}/actions",
    response=responses(ComplaintOut, 409),
    auth=COMPLAINT_HANDLER_AUTH,
    summary="投诉建议办理：报送、交办（to=承办人用户名）、开始办理、反馈答复、办结公示",
)
def complaint_action(request: HttpRequest, number: str, payload: ComplaintActionIn) -> Any:
    texts = ("note", "public_summary")
    return serve(
        request,
        services.complaint_act,
        lambda c: _complaint_of(request, c.number),
        payload,
        *texts,
        number=number,
    )
