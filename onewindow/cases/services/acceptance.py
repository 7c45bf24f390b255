"""Acceptance (受理): the day it counts from, the deadline it starts, the parallel reviews of a 联办件, and
the periodic scan's half of 行政许可法 art. 32 (no notice within 5 working days: accepted by law)."""

from __future__ import annotations

import datetime as dt

from django.db.models import F

from onewindow.cases.deadlines import DEEMED_NOTE, compute_deadline, notice_due, received_date
from onewindow.cases.models import Case, CaseReview, State
from onewindow.cases.services.base import append_event
from onewindow.catalog.models import ItemType, ItemVersion
from onewindow.core.clock import local_date
from onewindow.core.clock import now as clock_now
from onewindow.core.errors import Conflict
from onewindow.core.locking import retry_atomic
from onewindow.org.models import Department
from onewindow.worktime.calendar import WorkCalendar


def accept(case: Case, *, now: dt.datetime, today: dt.date) -> None:
    """Mark ``case`` accepted on ``today`` (the deadline counts from it)."""
    case.state = State.ACCEPTED
    case.accepted_at = now
    case.accept_date = today
    case.deadline = compute_deadline(case)


def deem_accepted(case: Case, *, now: dt.datetime) -> None:
    """行政许可法 art. 32: the notice period passed: accepted as of the day the materials arrived."""
    case.state = State.ACCEPTED
    case.accepted_at = now
    case.accept_date = received_date(case)
    case.deemed_accepted = True
    case.deadline = compute_deadline(case)


def last_material_arrival(case: Case, today: dt.date) -> dt.date:
    """The day the last missing material arrived: for each material the one-time notice asked for,
    the day the resident handed it in online (the latest ``resident_supplement`` after the notice
    naming it), otherwise today (handed in at the window now). Never before the notice."""
    missing = [str(m.get("code")) for m in (case.notice.get("missing") or [])]
    if not missing:
        return today
    notice = (
        case.events.filter(action__in=["request_correction", "correction_override"]).order_by("-seq").first()
    )
    online = case.events.filter(action="resident_supplement")
    if notice is not None:
        online = online.filter(seq__gt=notice.seq)
    arrived: dict[str, dt.date] = {}
    for e in online.order_by("seq"):
        for m in e.data.get("materials") or []:
            arrived[str(m.get("code"))] = local_date(e.at)
    # a material not handed in online arrives with this action, at the window, today
    return min(max(arrived.get(code, today) for code in missing), today)


def joint_departments(version: ItemVersion) -> list[Department]:
    """The departments that review a 联办件 in parallel: the implementing one plus the listed ones."""
    if version.type != ItemType.JOINT:
        return []
    codes = [c for c in (version.joint_departments or []) if c != version.department.code]
    extra = list(Department.objects.filter(code__in=codes))
    missing = set(codes) - {d.code for d in extra}
    if missing:
        raise Conflict(f"联办部门不存在：{'、'.join(sorted(missing))}", code="unknown_department")
    return [version.department, *extra]


def open_joint_reviews(case: Case) -> None:
    for dept in joint_departments(case.item_version):
        CaseReview.objects.get_or_create(case=case, department=dept, defaults={"deadline": case.deadline})


@retry_atomic
def case_deem_accepted(case_id: int, *, today: dt.date, cal: WorkCalendar | None = None) -> bool:
    """The periodic scan's half of art. 32: a submitted case whose 5-working-day notice period has
    passed is accepted as of the day of receipt. Idempotent and race-safe (conditional update)."""
    case = Case.objects.select_related("centre__jurisdiction", "queue_department__jurisdiction").get(
        pk=case_id
    )
    if case.state != State.SUBMITTED or today <= notice_due(case, cal):
        return False
    now = clock_now()
    before = case.version
    deem_accepted(case, now=now)
    updated = Case.objects.filter(pk=case.pk, state=State.SUBMITTED, version=before).update(
        state=State.ACCEPTED,
        accepted_at=case.accepted_at,
        accept_date=case.accept_date,
        deemed_accepted=True,
        deadline=case.deadline,
        deadline_provisional=case.deadline_provisional,
        state_since=now,
        version=F("version") + 1,
    )
    if not updated:
        return False
    case.refresh_from_db()
    open_joint_reviews(case)
    append_event(
        case,
        actor=None,
        staff=None,
        role="system",
        action="deemed_accept",
        state_from=State.SUBMITTED,
        state_to=State.ACCEPTED,
        note=DEEMED_NOTE,
        data={
            "received": received_date(case).isoformat(),
            "notice_due": notice_due(case, cal).isoformat(),
            "accept_date": case.accept_date.isoformat() if case.accept_date else None,
            "deadline": case.deadline.isoformat() if case.deadline else None,
        },
    )
    return True
