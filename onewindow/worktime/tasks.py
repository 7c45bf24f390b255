"""Daily from 1 October: tell supervisors and administrators, once a year, that next year's holiday
arrangement is not loaded yet (``core.notices.staff_notice``, delivered by notify)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from onewindow.core import notices
from onewindow.worktime import status
from onewindow.worktime.models import CalendarYear

# registered with core.notices by WorktimeConfig.ready()
TEXTS: dict[str, tuple[str, str]] = {
    "calendar_missing": (
        "{year}年节假日安排尚未导入",
        "【一窗通办】{year}年节假日安排尚未导入，跨年办件的办结期限暂按法定节假日计算。"
        "国务院公布安排后请在“工作日历”页面粘贴通知全文导入。",
    ),
}


def warn_missing_next_year(today: dt.date | None = None) -> int:
    """One inbox notice (and SMS) per supervisor/administrator per year while next year is missing;
    returns the number of staff told (0 when already told, or nothing is missing)."""
    today = today or status.local_today()
    year = status.next_year_missing(today)
    if year is None:
        return 0
    with transaction.atomic():
        answers: list[tuple[Any, Any]] = notices.staff_notice.send(
            sender=CalendarYear,
            template="calendar_missing",
            context={"year": year},
            roles=status.WARN_ROLES,
            once=True,
        )
    told: list[int] = [answer for _receiver, answer in answers if isinstance(answer, int)]
    return sum(told)


@db_periodic_task(crontab(hour="8", minute="5"))
def warn_missing_next_year_task() -> None:
    warn_missing_next_year()
