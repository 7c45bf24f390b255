"""Which years are official, which are provisional, and whether staff must be warned (from 1 October,
while next year's State Council arrangement is not loaded)."""

from __future__ import annotations

import calendar as pycal
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from onewindow.worktime.calendar import (
    PROVISIONAL_LAST_YEAR,
    WorkCalendar,
    _builtin_years,
    provisional_holidays,
)
from onewindow.worktime.models import CalendarYear
from onewindow.worktime.notice import Notice


def local_today() -> dt.date:
    return timezone.localdate()


WARN_FROM_MONTH = 10  # the State Council publishes next year's arrangement in Oct–Dec
WARN_ROLES = frozenset({"supervisor", "admin"})


@dataclass(frozen=True)
class YearStatus:
    year: int
    kind: str  # builtin | loaded | provisional | unknown
    source: str

    @property
    def label(self) -> str:
        return {
            "builtin": "国务院安排（内置）",
            "loaded": "国务院安排（已导入）",
            "provisional": "暂按法定节假日计算",
            "unknown": "无",
        }[self.kind]


def year_status(year: int) -> YearStatus:
    loaded = CalendarYear.objects.filter(year=year).first()
    if loaded is not None:
        return YearStatus(year, "loaded", loaded.source)
    if year in _builtin_years():
        return YearStatus(year, "builtin", "chinesecalendar")
    if max(_builtin_years()) < year <= PROVISIONAL_LAST_YEAR:
        return YearStatus(year, "provisional", "《全国年节及纪念日放假办法》")
    return YearStatus(year, "unknown", "")


def next_year_missing(today: dt.date) -> int | None:
    """Next year's number when it should be loaded by now and is not (from 1 October); else None."""
    if today.month < WARN_FROM_MONTH:
        return None
    status = year_status(today.year + 1)
    return today.year + 1 if status.kind in {"provisional", "unknown"} else None


def provisional_is_workday(date: dt.date) -> bool:
    return date.weekday() < 5 and date not in provisional_holidays(date.year)


@dataclass(frozen=True)
class GridDay:
    date: dt.date
    workday: bool
    name: str
    provisional_workday: bool

    @property
    def differs(self) -> bool:
        return self.workday != self.provisional_workday


def notice_grid(notice: Notice) -> list[dict[str, Any]]:
    """The notice's year as 12 month grids (weeks Monday first), each day with the notice's answer and
    the provisional calendar's answer, so the administrator sees what loading will change."""
    named = notice.days()
    months = []
    for month in range(1, 13):
        weeks: list[list[GridDay | None]] = []
        for week in pycal.Calendar(firstweekday=0).monthdatescalendar(notice.year, month):
            row: list[GridDay | None] = []
            for d in week:
                if d.month != month:
                    row.append(None)
                    continue
                workday, name = named.get(d, (d.weekday() < 5, ""))
                row.append(GridDay(d, workday, name, provisional_is_workday(d)))
            weeks.append(row)
        diffs = sum(1 for w in weeks for g in w if g is not None and g.differs)
        months.append({"month": month, "weeks": weeks, "diffs": diffs})
    return months


def differences(notice: Notice) -> list[GridDay]:
    return [g for m in notice_grid(notice) for w in m["weeks"] for g in w if g is not None and g.differs]


__all__ = ["WorkCalendar", "YearStatus", "differences", "next_year_missing", "notice_grid", "year_status"]
