"""When an official year is loaded into the working-day calendar, the deadlines that were counted on the
provisional calendar are counted again (``worktime`` sends ``signals.calendar_loaded`` inside the loading
transaction, so the calendar and every recomputed case commit or roll back together).

Each case whose deadline (or its provisional mark) changes gets one timeline entry
``deadline_recomputed``; the applicant is told when the date moves (``core.notices.applicant_notice``,
answered by notify). A case is only touched while it is marked provisional, so running the load twice
records nothing the second time.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.dispatch import receiver

from onewindow.cases import services
from onewindow.cases.models import OPEN_STATES, Case, CaseReview
from onewindow.cases.selectors import warning_for
from onewindow.cases.services import append_event, compute_deadline
from onewindow.core import notices, signals
from onewindow.core.actor import Actor, system
from onewindow.worktime.calendar import WorkCalendar

ACTION = "deadline_recomputed"
LABEL = "办结期限按国务院节假日安排重新核定"


def recompute_provisional_deadlines(*, actor: Actor | None = None) -> list[tuple[str, Any, Any]]:
    """Recount every open case marked provisional; returns (number, old, new) for each case whose
    deadline or provisional mark changed (each got a timeline entry). ``actor``: who loaded the
    calendar (none: the system)."""
    actor = actor if actor is not None else system()
    cal = WorkCalendar()
    today = services.local_today()
    staff = actor.staff if actor.is_authenticated else None
    role = (staff.role_list[0] if staff and staff.role_list else "") if staff else "system"
    changed: list[tuple[str, Any, Any]] = []
    qs = (
        Case.objects.select_for_update(of=("self",))
        .filter(deadline_provisional=True, state__in=OPEN_STATES)
        .select_related("applicant", "item_version", "centre__jurisdiction", "queue_department__jurisdiction")
        .order_by("pk")
    )
    for case in qs:
        old = case.deadline
        new = compute_deadline(case, cal)  # sets case.deadline_provisional
        if new == old and case.deadline_provisional:
            continue
        case.deadline = new
        case.warning = warning_for(case, today, cal)
        Case.objects.filter(pk=case.pk).update(
            deadline=new,
            deadline_provisional=case.deadline_provisional,
            warning=case.warning,
            version=F("version") + 1,  # a concurrent edit based on the old deadline loses the race
        )
        CaseReview.objects.filter(case=case, deadline=old).update(deadline=new)
        if new == old:
            note = f"办结期限 {new} 经国务院公布的节假日安排核定，不变"
        else:
            note = f"办结期限由 {old} 调整为 {new}（按国务院公布的节假日安排重新计算）"
        append_event(
            case,
            actor=actor,
            staff=staff,
            role=role,
            action=ACTION,
            state_from=case.state,
            state_to=case.state,
            note=note,
            data={
                "from": old.isoformat() if old else None,
                "to": new.isoformat() if new else None,
                "provisional": case.deadline_provisional,
            },
        )
        changed.append((case.number, old, new))
        if new != old:
            phone = case.applicant_phone  # the case's own snapshot (issue 13)
            context = {
                "number": case.number,
                "item": case.item_version.name,
                "old": old.isoformat() if old else "",
                "deadline": new.isoformat() if new else "",
            }
            if phone:
                notice = notices.ApplicantNotice("deadline_changed", context)
                notices.applicant_notice.send(sender=Case, case=case, offline=notice, online=notice)
    return changed


@receiver(signals.calendar_loaded, dispatch_uid="cases.calendar_loaded")
def on_calendar_loaded(
    sender: Any, years: list[int], actor: Actor | None = None, **kwargs: Any
) -> list[tuple[str, Any, Any]]:
    return recompute_provisional_deadlines(actor=actor)
