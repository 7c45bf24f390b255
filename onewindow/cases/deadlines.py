"""The clocks of a case: the day of receipt, the notice period of 行政许可法 art. 32 and the deadline
counted in working days (``worktime``). Pure reads, shared by the services, selectors and documents."""

from __future__ import annotations

import datetime as dt

from onewindow.cases.models import Case
from onewindow.core.clock import local_date
from onewindow.worktime.calendar import WorkCalendar

MAX_EXTENSION_DAYS = 10  # 行政许可法 art. 42: extendable by 10 working days (15 for 联办件, by item)
NOTICE_DAYS = 5  # 行政许可法 art. 32 (4): the one-time notice is due within 5 working days of receipt
NOTICE_WARN_DAYS = 3  # warn on the 3rd working day after receipt
DEEMED_NOTE = "逾期未告知，依法自收到材料之日起受理"


def received_date(case: Case) -> dt.date:
    """The day the materials were received, in the server's time zone."""
    return local_date(case.received_at)


def notice_due(case: Case, cal: WorkCalendar | None = None) -> dt.date:
    """The last day for the window check's notice (5th working day after receipt)."""
    return (cal or WorkCalendar()).add_workdays(received_date(case), NOTICE_DAYS)


def compute_deadline(case: Case, cal: WorkCalendar | None = None) -> dt.date | None:
    """The deadline; also sets ``case.deadline_provisional`` (a year counted provisionally)."""
    if case.accept_date is None:
        case.deadline_provisional = False
        return None
    cal = cal or WorkCalendar()
    info = cal.deadline_info(case.accept_date, case.promised_days + case.extended_days + case.paused_days)
    case.deadline_provisional = info.provisional
    return info.date
