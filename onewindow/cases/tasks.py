"""Periodic supervision (电子监察): mark yellow / red warnings, flag steps over their own limit, and
queue reminders; a submitted application left without a notice for 5 working days is accepted as of
the day of receipt (行政许可法 art. 32). Idempotent: running it twice changes nothing more."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from onewindow.cases import tally
from onewindow.cases.models import CLOCK_STATES, Case, CaseReminder, ReminderKind, State, Warning
from onewindow.cases.selectors import notice_warning_for, step_limit, step_overdue_days, warning_for
from onewindow.cases.services import case_deem_accepted
from onewindow.core.clock import local_today
from onewindow.worktime.calendar import CalendarUnknownYear, WorkCalendar


def _queue_reminder(case: Case, kind: str) -> int:
    try:
        with transaction.atomic():
            _obj, created = CaseReminder.objects.get_or_create(case=case, kind=kind, state=case.state)
    except IntegrityError:  # a concurrent scan queued it first
        return 0
    return int(created)


def scan_warnings() -> dict[str, int]:
    today = local_today()
    cal = WorkCalendar()
    changed: dict[str, int] = {
        Warning.YELLOW: 0,
        Warning.RED: 0,
        Warning.NONE: 0,
        "reminders": 0,
        "deemed_accepted": 0,
    }
    # 行政许可法 art. 32: submitted applications waiting for the window check. Warn from the 3rd working
    # day after receipt; past the 5th without a notice they are accepted as of the day of receipt.
    for case in Case.objects.filter(state=State.SUBMITTED).only("pk", "state", "received_at", "warning"):
        try:
            level = notice_warning_for(case, today, cal)
        except CalendarUnknownYear:
            continue
        if level == Warning.RED:
            changed["deemed_accepted"] += int(case_deem_accepted(case.pk, today=today, cal=cal))
            continue
        if level != case.warning:
            n = Case.objects.filter(pk=case.pk, state=State.SUBMITTED, warning=case.warning).update(
                warning=level
            )
            changed[level] += n
        if level == Warning.YELLOW:
            changed["reminders"] += _queue_reminder(case, level)
    qs = Case.objects.filter(state__in=CLOCK_STATES, deadline__isnull=False).only(
        "pk", "state", "deadline", "warning"
    )
    for case in qs.iterator():
        try:
            level = warning_for(case, today, cal)
        except CalendarUnknownYear:
            level = Warning.RED if case.deadline and today > case.deadline else case.warning
        if level != case.warning:
            # conditional update: only if nobody changed it in between
            n = Case.objects.filter(pk=case.pk, warning=case.warning).update(warning=level)
            changed[level] += n
        if level in (Warning.YELLOW, Warning.RED):
            changed["reminders"] += _queue_reminder(case, level)
    # cases that left the clock lose their warning
    changed[Warning.NONE] += (
        Case.objects.exclude(state__in=CLOCK_STATES)
        .exclude(state=State.SUBMITTED)
        .exclude(warning=Warning.NONE)
        .update(warning=Warning.NONE)
    )
    # steps over their own limit
    limited = [s for s in ("accepted", "approved", "denied", "ready") if step_limit(s) is not None]
    for case in Case.objects.filter(state__in=limited, state_since__isnull=False).only(
        "pk", "state", "state_since"
    ):
        try:
            overdue = step_overdue_days(case, today, cal)
        except CalendarUnknownYear:
            overdue = 0
        if overdue > 0:
            changed["reminders"] += _queue_reminder(case, ReminderKind.STEP)
    return {str(k): v for k, v in changed.items()}


@db_periodic_task(crontab(minute="*/10"))
def warnings_scan() -> dict[str, int]:
    return scan_warnings()


@db_periodic_task(crontab(minute="*"))
def tally_compact() -> int:
    """Every minute: fold the case tally's appended rows (``cases.tally``; the case list's counts)."""
    return tally.compact()
