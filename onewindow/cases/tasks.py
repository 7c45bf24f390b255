"""Periodic supervision (电子监察): mark yellow / red warnings. Idempotent: safe to run twice."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from onewindow.cases.models import CLOCK_STATES, Case, Warning
from onewindow.cases.selectors import warning_for
from onewindow.cases.services import local_today
from onewindow.worktime.calendar import CalendarUnknownYear, WorkCalendar


def scan_warnings() -> dict[str, int]:
    today = local_today()
    cal = WorkCalendar()
    changed: dict[str, int] = {Warning.YELLOW: 0, Warning.RED: 0, Warning.NONE: 0}
    qs = Case.objects.filter(state__in=CLOCK_STATES, deadline__isnull=False).only(
        "pk", "state", "deadline", "warning"
    )
    for case in qs.iterator():
        try:
            level = warning_for(case, today, cal)
        except CalendarUnknownYear:
            level = Warning.RED if today > case.deadline else case.warning  # type: ignore[operator]
        if level != case.warning:
            # conditional update: only if nobody changed it in between
            n = Case.objects.filter(pk=case.pk, warning=case.warning).update(warning=level)
            changed[level] += n
    # cases that left the clock lose their warning
    changed[Warning.NONE] += (
        Case.objects.exclude(state__in=CLOCK_STATES)
        .exclude(warning=Warning.NONE)
        .update(warning=Warning.NONE)
    )
    return {str(k): v for k, v in changed.items()}


@db_periodic_task(crontab(minute="*/10"))
def warnings_scan() -> dict[str, int]:
    return scan_warnings()
