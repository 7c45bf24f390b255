"""Daily from 1 October: tell supervisors and administrators, once a year, that next year's holiday
arrangement is not loaded yet."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from onewindow.worktime import status


def warn_missing_next_year(today: dt.date | None = None) -> int:
    """One inbox notice per supervisor/administrator per year while next year is missing; returns the
    number sent (0 when already sent, or nothing is missing)."""
    from onewindow.notify.models import Notification
    from onewindow.notify.services import notify
    from onewindow.org.models import Staff

    today = today or status.local_today()
    year = status.next_year_missing(today)
    if year is None:
        return 0
    sent = 0
    with transaction.atomic():
        staff = (
            Staff.objects.filter(roles__role__in=status.WARN_ROLES, user__is_active=True)
            .select_related("user")
            .distinct()
            .order_by("pk")
        )
        for s in staff:
            already = Notification.objects.filter(
                template="calendar_missing", channel="inbox", user=s.user, subject__startswith=f"{year}年"
            ).exists()
            if already:
                continue
            notify("calendar_missing", channel="inbox", user=s.user, context={"year": year})
            if s.mobile:
                notify("calendar_missing", channel="sms", to=s.mobile, user=s.user, context={"year": year})
            sent += 1
    return sent


@db_periodic_task(crontab(hour="8", minute="5"))
def warn_missing_next_year_task() -> None:
    warn_missing_next_year()
