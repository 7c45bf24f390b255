"""Complaints, suggestions and 民情信息: 收集 → 报送 → 交办 → 办理 → 反馈 → 公示.

The flow is a transition table (:data:`COMPLAINT_ACTIONS`): each action names its from-state, its
to-state, who may perform it (a permission; supervisors may also do what centre heads do), and a small
handler; :func:`complaint_act` looks the row up, checks authority and state, locks the complaint, runs
the handler and writes the timeline (one :class:`ComplaintStep` per step). Every change sends
``core.signals.complaint_event`` inside its transaction.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from onewindow.cases.models import Case
from onewindow.core import signals
from onewindow.core.actor import Actor
from onewindow.core.counters import next_value
from onewindow.core.errors import Conflict, Forbidden, Invalid, NotFound
from onewindow.feedback.models import (
    Complaint,
    ComplaintCategory,
    ComplaintCounter,
    ComplaintSource,
    ComplaintState,
    ComplaintStep,
)
from onewindow.feedback.services.common import PHONE_RE, scrub, staff_name
from onewindow.notify.services import notify
from onewindow.org import access
from onewindow.org.access import Perm
from onewindow.org.models import Centre, Jurisdiction, Staff
from onewindow.privacy.services import personal_data_access_log
from onewindow.worktime.calendar import WorkCalendar

COMPLAINT_STEP_DAYS = {
    ComplaintState.COLLECTED: 1,
    ComplaintState.REPORTED: 1,
    ComplaintState.ASSIGNED: 2,
    ComplaintState.HANDLING: 10,
    ComplaintState.ANSWERED: 3,
}
STAFF_SOURCES = frozenset({ComplaintSource.WINDOW, ComplaintSource.PHONE, ComplaintSource.BOX})
COMPLAINT_NOT_FOUND = "未找到该事项，请核对编号和查询码"
CASE_NOT_FOUND = "未找到该办件，请核对办件编号"
CASE_NOT_OWN = "只能关联您本人的办件，请核对办件编号"
CASE_LOGIN = "关联办件须先登录一网通办（或不填办件编号）"


def step_days(state: str) -> int:
    overrides: dict[str, int] = settings.COMPLAINT_STEP_DAYS
    if state in overrides:
        return int(overrides[state])
    return COMPLAINT_STEP_DAYS.get(ComplaintState(state), 3)


def _open_step(c: Complaint, state: str, owner: Any, owner_name: str, now: dt.datetime) -> None:
    deadline = WorkCalendar().add_workdays(timezone.localdate(now), step_days(state))
    c.state = state
    c.owner = owner
    c.step_deadline = deadline
    ComplaintStep.objects.create(
        complaint=c, state=state, owner=owner, owner_name=owner_name, deadline=deadline, started_at=now
    )


def _root_jurisdiction() -> Jurisdiction:
    root = Jurisdiction.objects.filter(parent__isnull=True).order_by("path").first()
    if root is None:
        raise Invalid("系统尚未配置行政区域", code="no_jurisdiction")
    return root


# --- 收集: intake ------------------------------------------------------------------------------------


def _validate_submission(category: str, content: str, contact: str, source: str) -> tuple[str, str]:
    """The cleaned ``(content, contact)``; ``Invalid`` naming every wrong field otherwise."""
    errors: dict[str, list[str]] = {}
    content = (content or "").strip()
    if not content:
        errors["content"] = ["请填写内容"]
    elif len(content) > 2000:
        errors["content"] = ["内容不能超过2000字"]
    if category not in ComplaintCategory.values:
        errors["category"] = ["可选：" + "、".join(ComplaintCategory.values)]
    if source not in ComplaintSource.values:
        errors["source"] = ["可选：" + "、".join(ComplaintSource.values)]
    contact = (contact or "").strip()
    if len(contact) > 100:
        errors["contact"] = ["联系方式不能超过100字"]
    if errors:
        message = "请填写投诉、建议的内容" if "content" in errors else "填写的内容有误"
        raise Invalid(message, code="empty_content" if "content" in errors else "invalid", details=errors)
    return content, contact


def _place(
    centre: str | None, jurisdiction: str | None, actor: Actor, by_staff: bool
) -> tuple[Centre | None, Jurisdiction]:
    """Where the complaint belongs: the named centre / area, else the recording clerk's centre, else
    the root of the jurisdiction tree."""
    c_obj: Centre | None = None
    if centre:
        c_obj = Centre.objects.select_related("jurisdiction").filter(code=centre, is_active=True).first()
        if c_obj is None:
            raise Invalid("未知的服务中心", code="unknown_centre", details={"centre": ["未找到该中心"]})
    j_obj: Jurisdiction | None = None
    if jurisdiction:
        j_obj = Jurisdiction.objects.filter(code=jurisdiction).first()
        if j_obj is None:
            raise Invalid("未知的行政区域", code="unknown_jurisdiction", details={"jurisdiction": ["未找到"]})
    if c_obj is None and by_staff:
        c_obj = actor.staff.centre if actor.staff is not None else None
    return c_obj, j_obj or (c_obj.jurisdiction if c_obj is not None else None) or _root_jurisdiction()


def resident_id_of(user: Any) -> int | None:
    """The real-name record bound to a resident's online account (``user.resident_account``, kept by
    the portal; read by attribute: the feedback room does not import the portal)."""
    account = getattr(user, "resident_account", None) if getattr(user, "is_authenticated", False) else None
    rid = getattr(account, "resident_id", None)
    return int(rid) if rid is not None else None


def _named_case(number: str, *, by_staff: bool, submitter: Any) -> Case | None:
    """The case a complaint names (optional): staff may name any existing case; a resident only her
    own (applicant = the real-name record of her account); an anonymous complainant none."""
    number = (number or "").strip()[:32]
    if not number:
        return None
    case = Case.objects.filter(number=number).first()
    if by_staff:
        if case is None:
            raise Invalid(CASE_NOT_FOUND, code="unknown_case", details={"case": [CASE_NOT_FOUND]})
        return case
    if submitter is None:
        raise Invalid(CASE_LOGIN, code="case_needs_login", details={"case": [CASE_LOGIN]})
    rid = resident_id_of(submitter)
    if case is None or rid is None or case.applicant_id != rid:
        # another person's case answers as an unknown one: existence does not leak
        raise Invalid(CASE_NOT_OWN, code="unknown_case", details={"case": [CASE_NOT_OWN]})
    return case


def complaint_submit(
    *,
    category: str,
    content: str,
    contact: str = "",
    centre: str | None = None,
    jurisdiction: str | None = None,
    source: str = ComplaintSource.ONLINE,
    actor: Actor | None = None,
    case: str = "",
    submitter: Any = None,
) -> Complaint:
    """Record a complaint / suggestion / 民情信息 (收集). Window, phone and box intake need a staff actor.

    ``submitter``: the logged-in resident submitting online (her 我的办件 lists it). ``case``: an
    optional case number the complaint is about — the resident's own case online, any existing case
    when staff record it (:func:`_named_case`)."""
    content, contact = _validate_submission(category, content, contact, source)
    by_staff = source in STAFF_SOURCES
    who = actor if actor is not None else Actor()
    if by_staff:
        access.require_perm(who, Perm.COMPLAINT_RECORD)
    staff_entry = by_staff or (actor is not None and access.has_perm(who, Perm.COMPLAINT_RECORD))
    if staff_entry or not getattr(submitter, "is_authenticated", False):
        submitter = None
    case_obj = _named_case(case, by_staff=staff_entry, submitter=submitter)
    if case_obj is not None and not centre and not jurisdiction:
        centre = case_obj.centre.code  # a complaint about a case goes to the centre that handled it
    c_obj, j_final = _place(centre, jurisdiction, who, by_staff and actor is not None)
    now = timezone.now()
    owner = who.user if by_staff else None
    with transaction.atomic():
        prefix = "TS" + timezone.localdate(now).strftime("%Y%m%d")
        seq = next_value(ComplaintCounter, prefix=prefix)
        c = Complaint(
            number=f"{prefix}{seq:04d}",
            check_code=f"{secrets.randbelow(1_000_000):06d}",
            category=category,
            source=source,
            content=content,
            contact=contact,
            centre=c_obj,
            jurisdiction=j_final,
            recorded_by=owner,
            submitted_by=submitter,
            case=case_obj,
            created_at=now,
            state=ComplaintState.COLLECTED,
            owner=owner,
            step_deadline=WorkCalendar().add_workdays(
                timezone.localdate(now), step_days(ComplaintState.COLLECTED)
            ),
        )
        c.save()
        where = c_obj.name if c_obj is not None else j_final.name
        ComplaintStep.objects.create(
            complaint=c,
            state=c.state,
            owner=owner,
            owner_name=staff_name(who) if owner is not None else f"{where}值班人员",
            deadline=c.step_deadline,
            started_at=now,
            actor=owner,
            note=f"来源：{ComplaintSource(source).label}",
        )
        signals.complaint_event.send(sender=Complaint, complaint=c, action="created")
    return c


# --- reads ---------------------------------------------------------------------------------------


def complaint_get_for_user(actor: Actor, number: str, *, lock: bool = False) -> Complaint:
    access.require_perm(actor, Perm.FEEDBACK_VIEW)
    qs = Complaint.objects.select_related("centre", "jurisdiction", "owner")
    if lock:
        qs = qs.select_for_update(of=("self",))
    return access.get_in_scope_or_404(actor, qs, "jurisdiction__path", number=number)


def complaint_handler_id(c: Complaint) -> int | None:
    """The user the complaint was assigned to (交办): the owner of its latest 交办 step."""
    step = c.steps.filter(state=ComplaintState.ASSIGNED).order_by("-started_at", "-pk").first()
    return step.owner_id if step is not None else None


def complaint_contact_for(actor: Actor, c: Complaint, *, ip: str | None = None) -> str | None:
    """The complainant's contact, given "仅用于回复": shown in full only to the handler it was assigned
    to while it is open, each view written to the personal-data access log; ``None`` for anyone else."""
    if not c.contact or c.state == ComplaintState.CLOSED or actor.user_id is None:
        return None
    if complaint_handler_id(c) != actor.user_id:
        return None
    personal_data_access_log(
        actor=actor.user, obj=c, fields=["contact"], purpose=f"答复投诉建议 {c.number}", ip=ip
    )
    return str(c.contact)


def complaints_of_resident(user: Any) -> list[Complaint]:
    """The complaints a logged-in resident submitted online, newest first (nobody else's)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Complaint.objects.filter(submitted_by=user)
        .select_related("centre", "case")
        .order_by("-created_at")[:50]
    )


def complaint_follow(number: str, check: str) -> Complaint:
    """The complainant's view: number + check code; a wrong code is the same 404 as an unknown number."""
    c = Complaint.objects.select_related("centre").filter(number=(number or "").strip()).first()
    if c is None or not secrets.compare_digest(c.check_code.encode(), (check or "").strip().encode()):
        raise NotFound(COMPLAINT_NOT_FOUND, code="not_found")
    return c


def complaint_overdue(c: Complaint, today: dt.date) -> bool:
    return c.state != ComplaintState.CLOSED and today > c.step_deadline


# --- the flow: a transition table ------------------------------------------------------------------


@dataclass(frozen=True)
class ActInput:
    """What the caller gave with the action (``note`` already stripped)."""

    note: str
    to: str | None
    public_summary: str
    now: dt.datetime


# A handler changes the complaint for its step and returns the next step's (owner, owner's name).
Handler = Callable[[Complaint, Actor, ActInput], tuple[Any, str]]


@dataclass(frozen=True)
class Transition:
    source: str  # the state the complaint must be in
    target: str  # the state it moves to
    perm: str  # who may: this permission (see _may)
    label: str  # the action's name in messages and on the button
    handler: Handler
    note_required: bool = False
    after: Callable[[Complaint], None] | None = None  # once the step is recorded and announced


def _may(actor: Actor, perm: str) -> bool:
    # supervisors decide / assign at county level as well as centre heads
    return access.has_perm(actor, perm) or (
        perm == Perm.FEEDBACK_APPEAL and access.has_perm(actor, Perm.FEEDBACK_DECIDE)
    )


def _report(c: Complaint, actor: Actor, args: ActInput) -> tuple[Any, str]:
    return None, "中心负责人（交办）"


def _assign(c: Complaint, actor: Actor, args: ActInput) -> tuple[Any, str]:
    username = (args.to or "").strip()
    target = (
        access.scope(actor, Staff.objects.select_related("user")).filter(user__username=username).first()
        if username
        else None
    )
    if target is None:
        raise Invalid("请选择本辖区内的承办人", code="invalid", details={"to": ["未找到该承办人"]})
    return target.user, target.name


def _start(c: Complaint, actor: Actor, args: ActInput) -> tuple[Any, str]:
    if c.owner_id not in (None, actor.user_id) and not _may(actor, Perm.FEEDBACK_APPEAL):
        raise Forbidden("只有承办人可以开始办理")
    return actor.user, staff_name(actor)


def _answer(c: Complaint, actor: Actor, args: ActInput) -> tuple[Any, str]:
    c.answer = args.note
    return None, "中心负责人（审核公示）"


def _close(c: Complaint, actor: Actor, args: ActInput) -> tuple[Any, str]:
    summary = (args.public_summary or "").strip()
    if not summary:
        raise Invalid(
            "请填写公示摘要（不含个人信息）", code="invalid", details={"public_summary": ["请填写"]}
        )
    c.public_summary = scrub(summary)
    c.closed_at = args.now
    return None, ""


def _tell_complainant(c: Complaint) -> None:
    if c.contact and PHONE_RE.fullmatch(c.contact):
        notify("complaint_answered", to=c.contact, context={"number": c.number})


S = ComplaintState
COMPLAINT_ACTIONS: dict[str, Transition] = {
    "report": Transition(S.COLLECTED, S.REPORTED, Perm.FEEDBACK_HANDLE, "报送", _report),
    "assign": Transition(S.REPORTED, S.ASSIGNED, Perm.FEEDBACK_APPEAL, "交办", _assign),
    "start": Transition(S.ASSIGNED, S.HANDLING, Perm.FEEDBACK_HANDLE, "开始办理", _start),
    "answer": Transition(
        S.HANDLING, S.ANSWERED, Perm.FEEDBACK_HANDLE, "反馈答复", _answer, True, _tell_complainant
    ),
    "close": Transition(S.ANSWERED, S.CLOSED, Perm.FEEDBACK_APPEAL, "办结公示", _close),
}
COMPLAINT_ACTION_LABELS = {action: row.label for action, row in COMPLAINT_ACTIONS.items()}


def _record_step(
    c: Complaint, row: Transition, actor: Actor, owner: Any, owner_name: str, args: ActInput
) -> None:
    """The timeline: close the open step, open the next one (or the final 公示 step)."""
    ComplaintStep.objects.filter(complaint=c, finished_at__isnull=True).update(
        finished_at=args.now, actor=actor.user, note=args.note
    )
    if row.target == ComplaintState.CLOSED:
        c.state = row.target
        c.owner = None
        ComplaintStep.objects.create(
            complaint=c,
            state=row.target,
            owner_name="已公示",
            started_at=args.now,
            finished_at=args.now,
            actor=actor.user,
        )
    else:
        _open_step(c, row.target, owner, owner_name, args.now)


def _row_of(action: str) -> Transition:
    row = COMPLAINT_ACTIONS.get(action)
    if row is None:
        raise Invalid("未知的操作", code="invalid_action", details={"action": list(COMPLAINT_ACTIONS)})
    return row


def _run(c: Complaint, action: str, row: Transition, actor: Actor, args: ActInput) -> None:
    """One step on the locked complaint: check its state, run the handler, record and announce it."""
    if c.state != row.source:
        raise Conflict(
            f"当前环节为「{ComplaintState(c.state).label}」，不能{row.label}",
            code="invalid_transition",
            details={"state": c.state},
        )
    owner, owner_name = row.handler(c, actor, args)
    _record_step(c, row, actor, owner, owner_name, args)
    c.save()
    signals.complaint_event.send(sender=Complaint, complaint=c, action=action)
    if row.after is not None:
        row.after(c)


def complaint_act(
    *,
    actor: Actor,
    number: str,
    action: str,
    note: str = "",
    to: str | None = None,
    public_summary: str = "",
) -> Complaint:
    """Perform ``action`` (a row of :data:`COMPLAINT_ACTIONS`) on complaint ``number``."""
    row = _row_of(action)
    if not _may(actor, row.perm):
        raise Forbidden("您的岗位不能执行此操作")
    args = ActInput(note=(note or "").strip(), to=to, public_summary=public_summary, now=timezone.now())
    if row.note_required and not args.note:
        raise Invalid("请填写答复内容", code="invalid", details={"note": ["请填写答复内容"]})
    with transaction.atomic():
        c = complaint_get_for_user(actor, number, lock=True)
        _run(c, action, row, actor, args)
    return c


# the steps up to the answer, in order: who holds every role they need may do them in one go
FAST_TRACK = ("report", "assign", "start", "answer")


def complaint_fast_track_steps(actor: Actor, c: Complaint) -> list[str]:
    """The steps from the complaint's state to its answer, if the actor may do every one of them
    (assigning to herself), else ``[]``. After 交办 only the assignee (or a centre head) may go on."""
    states = [COMPLAINT_ACTIONS[a].source for a in FAST_TRACK]
    if c.state not in states:
        return []
    steps = list(FAST_TRACK[states.index(c.state) :])
    if not all(_may(actor, COMPLAINT_ACTIONS[a].perm) for a in steps):
        return []
    taken = c.owner_id not in (None, actor.user_id)
    if steps[0] in ("start", "answer") and taken and not _may(actor, Perm.FEEDBACK_APPEAL):
        return []
    return steps if len(steps) > 1 else []


def complaint_fast_track(*, actor: Actor, number: str, answer: str, note: str = "") -> Complaint:
    """报送 → 交办（本人）→ 开始办理 → 反馈答复 in one go, for one person who holds every role these
    steps need (e.g. a centre head who answers herself). Each step is still recorded as its own
    timeline step and ``complaint_event``, in one transaction: all of them or none."""
    answer = (answer or "").strip()
    if not answer:
        raise Invalid("请填写答复内容", code="invalid", details={"note": ["请填写答复内容"]})
    with transaction.atomic():
        c = complaint_get_for_user(actor, number, lock=True)
        steps = complaint_fast_track_steps(actor, c)
        if not steps:
            raise Forbidden("您的岗位不能一并办理此件，请逐步办理")
        now = timezone.now()
        for action in steps:
            text = answer if action == "answer" else (note or "").strip() or "一并办理"
            args = ActInput(note=text, to=actor.username, public_summary="", now=now)
            _run(c, action, COMPLAINT_ACTIONS[action], actor, args)
    return c
