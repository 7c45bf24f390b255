"""When a centre is open: its sessions on the official calendar (who may take a number, which slots
exist).

A day's service periods:
- a statutory holiday (a rest day named by the calendar, e.g. 国庆节): only the centre's published
  holiday duty sessions (节假日值班, :class:`HolidayDuty`);
- an official working day Monday–Friday: the non-weekend sessions whose weekdays include that day
  (a Wednesday-only station session opens on Wednesdays only);
- a make-up working Saturday/Sunday (调休上班): the non-weekend sessions that run on every weekday
  Monday–Friday (the day is worked as an ordinary working day; single-weekday sessions do not move);
- an ordinary weekend: the weekend sessions (周末服务) for that weekday;
plus, on any date, the holiday duty sessions published for it.

A year the calendar cannot answer never closes the hall: the centre's weekly hours apply.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from onewindow.org.models import Centre, Session
from onewindow.worktime.calendar import CalendarUnknownYear, WorkCalendar

HOLIDAY_SESSION = "holiday"  # the session label of a holiday duty period
WEEKDAYS = set("12345")


@dataclass(frozen=True)
class Period:
    date: dt.date
    start: dt.time
    end: dt.time
    session: str  # an org Session value, or "holiday" for 节假日值班
    note: str = ""

    def starts_at(self, tz: dt.tzinfo | None) -> dt.datetime:
        return dt.datetime.combine(self.date, self.start, tzinfo=tz)

    def ends_at(self, tz: dt.tzinfo | None) -> dt.datetime:
        return dt.datetime.combine(self.date, self.end, tzinfo=tz)

    @property
    def label(self) -> str:
        return "节假日值班" if self.session == HOLIDAY_SESSION else str(Session(self.session).label)


def _day_kind(date: dt.date, cal: WorkCalendar) -> str:
    """ "workday", "makeup" (调休上班 weekend), "holiday" (statutory rest day) or "weekend"."""
    try:
        info = cal.day(date)
    except CalendarUnknownYear:
        return "weekend" if date.isoweekday() > 5 else "workday"
    if info.workday:
        return "makeup" if date.isoweekday() > 5 else "workday"
    # a named rest day (国庆节, 春节 …, also on a Saturday inside the holiday) is a statutory holiday
    return "weekend" if info.reason == "周末" else "holiday"


def _sources(centre: Centre) -> tuple[list[Any], list[Any]]:
    """The centre's weekly hours and holiday duty sessions, read once per question."""
    return list(centre.hours.all()), list(centre.holiday_duties.all())


def periods_on(
    centre: Centre,
    date: dt.date,
    cal: WorkCalendar | None = None,
    sources: tuple[list[Any], list[Any]] | None = None,
) -> list[Period]:
    """The centre's service periods on ``date``, in time order."""
    cal = cal or WorkCalendar()
    hours, duties = sources or _sources(centre)
    kind = _day_kind(date, cal)
    weekday = str(date.isoweekday())
    out: list[Period] = []
    if kind != "holiday":
        for h in hours:
            days = set(h.weekdays)
            if kind == "workday":
                applies = h.session != Session.WEEKEND and weekday in days
            elif kind == "makeup":
                applies = h.session != Session.WEEKEND and days >= WEEKDAYS
            else:
                applies = h.session == Session.WEEKEND and weekday in days
            if applies:
                out.append(Period(date, h.start, h.end, h.session))
    for d in duties:
        if d.date == date:
            out.append(Period(date, d.start, d.end, HOLIDAY_SESSION, d.note))
    return sorted(out, key=lambda p: (p.start, p.end))


def open_period(centre: Centre, now: dt.datetime, cal: WorkCalendar | None = None) -> Period | None:
    """The period the centre is in at ``now`` (local time), or None when it is closed."""
    t = now.time()
    return next((p for p in periods_on(centre, now.date(), cal) if p.start <= t < p.end), None)


def next_period(
    centre: Centre, now: dt.datetime, cal: WorkCalendar | None = None, *, horizon_days: int = 21
) -> Period | None:
    """The next period that starts after ``now`` (today's afternoon, tomorrow morning, after a holiday)."""
    cal = cal or WorkCalendar()
    sources = _sources(centre)
    t = now.time()
    for n in range(horizon_days + 1):
        date = now.date() + dt.timedelta(days=n)
        for p in periods_on(centre, date, cal, sources):
            if n > 0 or p.start > t:
                return p
    return None


def opens_text(period: Period, now: dt.datetime) -> str:
    """ "下午 14:30 开始办理" / "明天（12月8日）上午 08:30 开始办理" / "10月8日 上午 08:30 开始办理"."""
    half = "上午" if period.start < dt.time(12) else "下午"
    when = f"{half} {period.start:%H:%M}"
    days = (period.date - now.date()).days
    if days == 0:
        day = ""
    elif days == 1:
        day = f"明天（{period.date.month}月{period.date.day}日）"
    else:
        day = f"{period.date.month}月{period.date.day}日 "
    return f"{day}{when} 开始办理"
