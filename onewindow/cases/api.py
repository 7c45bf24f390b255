"""The case API (``/api/v1/cases``, ``/api/v1/progress``): the router of the cases app, collected by
``onewindow.api.api``. Handlers resolve the request's actor once (``request_actor``) and call the
services and selectors with it; authentication and shared schemas come from ``core``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status

from onewindow.cases import selectors, services
from onewindow.cases.checkguard import progress_lookup as guarded_progress_lookup
from onewindow.cases.documents import case_document_response
from onewindow.cases.models import Case, CaseEvent, State, Warning
from onewindow.cases.workflow import ACTION_LABELS, actions_for
from onewindow.core.actor import Actor
from onewindow.core.agent_intake import agent_request_intake
from onewindow.core.apischemas import BodyIn, Page, PageQuery, page_of, responses, row_out
from onewindow.core.ratelimit import check_rate
from onewindow.org.actors import request_actor
from onewindow.org.apicalls import serve

router = Router(tags=["办件"])


class ApplicantIn(BodyIn):
    kind: Literal["person", "enterprise"] = "person"
    name: str
    id_number: str | None = None
    credit_code: str | None = None
    phone: str | None = None
    address: str | None = None


class MaterialIn(BodyIn):
    code: str
    provided: bool
    note: str | None = None


class CaseIn(BodyIn):
    item: str
    channel: Literal["window", "online", "proxy", "kiosk"] = "window"
    centre: str
    window: int | None = None
    applicant: ApplicantIn
    materials: list[MaterialIn] = []
    form: dict[str, Any] = {}
    agent_request: int | None = None


class MissingOut(Schema):
    code: str
    name: str
    reason: str


class NoticeOut(Schema):
    kind: str
    missing: list[MissingOut] = []
    reason: str | None = None
    basis: str | None = None


class CaseCreated(Schema):
    number: str
    state: State
    deadline: dt.date | None = None
    deadline_provisional: bool = False
    notice: NoticeOut | None = None
    # fields given here that differ from the resident record (kept on the case, not written over it)
    applicant_differs: list[str] = []


class ApplicantOut(Schema):
    kind: str
    name: str
    id_number: str
    phone: str
    address: str
    masked: bool
    # 与档案不一致: fields where this case's applicant differs from the resident record
    differs: list[str] = []


class EventOut(Schema):
    seq: int
    at: dt.datetime
    action: str
    action_label: str
    actor: str
    role: str
    centre: str | None
    state_from: str
    state_to: str
    note: str
    approver: str | None = None  # extend: the head who approved it (行政许可法 art. 42)
    accept_date: dt.date | None = None  # accept / supplement / deemed_accept: the day the clock starts


class CaseOut(Schema):
    number: str
    item: str
    item_name: str
    item_version: int
    state: State
    state_label: str
    channel: str
    centre: str
    department: str
    level: str
    applicant: ApplicantOut
    received_at: dt.datetime
    accepted_at: dt.datetime | None
    accept_date: dt.date | None = None
    deemed_accepted: bool = False
    deadline: dt.date | None
    deadline_provisional: bool = False
    promised_days: int
    paused_days: int
    extended_days: int
    warning: Warning
    materials: list[dict[str, Any]]
    form: dict[str, Any]
    notice: dict[str, Any]
    decision_reason: str
    delivery: str
    signed_by: str
    timeline: list[EventOut]
    actions: list[str] = []  # what the caller may do on the case now (cases.workflow.actions_for)


class CaseRow(Schema):
    number: str
    item: str
    item_name: str
    state: State
    centre: str
    department: str
    applicant_name: str
    received_at: dt.datetime
    deadline: dt.date | None
    warning: Warning


def event_out(e: CaseEvent) -> dict[str, Any]:
    return row_out(
        EventOut,
        e,
        action_label=ACTION_LABELS.get(e.action, e.action),
        actor=e.actor_name,
        centre=e.centre.name if e.centre is not None else None,
        approver=e.data.get("approver") or None,
        accept_date=e.data.get("accept_date") or None,
    )


def case_out(request: HttpRequest, case: Case) -> dict[str, Any]:
    actor = request_actor(request)
    return row_out(
        CaseOut,
        case,
        item=case.item_version.item.code,
        item_name=case.item_version.name,
        item_version=case.item_version.number,
        state_label=str(State(case.state).label),
        centre=case.centre.code,
        department=case.queue_department.code,
        level=case.queue_level,
        applicant=services.applicant_shown(actor, case, request.META.get("REMOTE_ADDR")),
        warning=selectors.warning_for(case, services.local_today()),
        form=case.form_data,
        timeline=[event_out(e) for e in case.events.select_related("centre").order_by("seq")],
        actions=_actions_for(actor, case),
    )


def _case_of(request: HttpRequest, number: str) -> Case:
    """Case ``number`` as the caller may read it (404 outside their jurisdiction)."""
    return services.case_get_for_user(request_actor(request), number)


def _case_write(
    request: HttpRequest, write: Callable[..., Case], payload: Schema, *texts: str, **kwargs: Any
) -> Any:
    """``write`` as the caller with the body's fields (see ``serve``), answered with the case as the
    caller now reads it (``CaseOut``)."""
    return serve(
        request,
        write,
        lambda case: case_out(request, _case_of(request, case.number)),
        payload,
        *texts,
        **kwargs,
    )


def _actions_for(actor: Actor, case: Case) -> list[str]:
    staff = actor.staff
    return [t.action for t in actions_for(staff, case)] if staff is not None else []


@router.post("/cases", response=responses(CaseCreated, 409, status=201), summary="受理（收件）")
def case_create(request: HttpRequest, payload: CaseIn) -> Any:
    actor = request_actor(request)
    if payload.agent_request is not None:
        # a village agent's request taken in at the competent window (三级代理): the proxy app's
        # pre-review pass creates and accepts the case through the same intake service
        # (extension point ``core.agent_intake``, answered by proxy)
        case = agent_request_intake(
            actor=actor, pk=payload.agent_request, item=payload.item, centre=payload.centre
        )
    else:
        case = services.case_intake(
            actor=actor,
            item=payload.item,
            centre=payload.centre,
            applicant=payload.applicant.dict(),
            materials=[m.dict() for m in payload.materials],
            form=payload.form,
            channel=payload.channel,
            window=payload.window,
        )
    out: dict[str, Any] = {"number": case.number, "state": case.state}
    if case.deadline:
        out["deadline"] = case.deadline
        out["deadline_provisional"] = case.deadline_provisional
    if case.state == State.CORRECTION_NEEDED:
        out["notice"] = case.notice
    out["applicant_differs"] = services.applicant_differences(case)
    return Status(201, out)


class CaseFilter(PageQuery):
    state: State | None = None
    item: str | None = None
    warning: Warning | None = None


def case_row(c: Case) -> dict[str, Any]:
    return row_out(
        CaseRow,
        c,
        item=c.item_version.item.code,
        item_name=c.item_version.name,
        centre=c.centre.code,
        department=c.queue_department.code,
        applicant_name=c.applicant_masked_name,
    )


@router.get("/cases", response=responses(Page[CaseRow]), summary="办件列表（本辖区）")
def case_list(request: HttpRequest, filters: Query[CaseFilter]) -> Any:
    rows = selectors.case_list_page(
        actor=request_actor(request), state=filters.state, item=filters.item, warning=filters.warning
    ).select_related("item_version__item")
    return page_of(rows, filters, case_row)


@router.get("/cases/{number}", response=responses(CaseOut), summary="办件详情")
def case_detail(request: HttpRequest, number: str) -> Any:
    return case_out(request, _case_of(request, number))


class ActionIn(BodyIn):
    action: str
    note: str | None = None
    reason: str | None = None
    basis: str | None = None  # the legal basis of reject (不予受理) and deny (不予许可)
    materials: list[MaterialIn] | None = None
    to: Literal["window", "post", "agent"] | None = None
    signed_by: str | None = None
    tracking_number: str | None = None
    days: int | None = None
    override_reason: str | None = None
    approver: str | None = None


@router.post("/cases/{number}/actions", response=responses(CaseOut, 409), summary="办件操作")
def case_action(request: HttpRequest, number: str, payload: ActionIn) -> Any:
    texts = ("note", "reason", "signed_by", "tracking_number", "override_reason", "basis", "approver")
    return _case_write(request, services.case_transition, payload, *texts, number=number)


class ApplicantCorrectionIn(BodyIn):
    reason: str
    name: str | None = None
    phone: str | None = None
    address: str | None = None


@router.post(
    "/cases/{number}/applicant-correction",
    response=responses(CaseOut, 409),
    summary="更正本件申请人信息（办理该件的工作人员，须写明理由，记入办件记录）",
)
def case_applicant_correction(request: HttpRequest, number: str, payload: ApplicantCorrectionIn) -> Any:
    return _case_write(request, services.case_applicant_correct, payload, number=number)


class ProgressQuery(Schema):
    number: str
    check: str


class ProgressOut(Schema):
    number: str
    item_name: str
    centre: str
    state: State
    state_label: str
    received_at: dt.datetime
    accepted_at: dt.datetime | None
    deadline: dt.date | None
    deadline_provisional: bool = False
    finished_at: dt.datetime | None
    steps: list[dict[str, Any]]


def progress_lookup(number: str, check: str) -> Case:
    """The case if ``check`` is the last 4 characters of the applicant's ID number or phone; else 404."""
    return guarded_progress_lookup(number, check)


def progress_out(case: Case) -> dict[str, Any]:
    return row_out(
        ProgressOut,
        case,
        item_name=case.item_version.name,
        centre=case.centre.name,
        state_label=str(State(case.state).label),
        finished_at=case.delivered_at
        or (case.decided_at if case.state in {"not_accepted", "withdrawn"} else None),
        steps=[
            {
                "at": e.at.isoformat(),
                "action": ACTION_LABELS.get(e.action, e.action),
                "state": str(State(e.state_to).label),
            }
            for e in case.events.order_by("seq")
        ],
    )


@router.get(
    "/progress",
    response=responses(ProgressOut, 429, public=True),
    auth=None,
    summary="办件进度查询（公开）",
)
def progress(request: HttpRequest, q: Query[ProgressQuery]) -> Any:
    check_rate(request, "progress", limit=int(settings.PROGRESS_RATE_LIMIT), per_seconds=60)
    return progress_out(progress_lookup(q.number, q.check))


@router.get(
    "/cases/{number}/documents/{kind}.pdf",
    response=responses(None),
    summary="办件文书 PDF（受理回执 / 一次性告知书 / 不予受理通知书 / 办理结果通知书）",
)
def case_document(request: HttpRequest, number: str, kind: str) -> Any:
    return case_document_response(_case_of(request, number), kind, site_url=request.build_absolute_uri("/"))
