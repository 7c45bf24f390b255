"""Working days on the official calendar, and deadlines counted in them.

``deadline(start, n)`` is the n-th working day after ``start`` (the start day itself is not counted,
行政许可法 art. 82 and the rule that the day of acceptance does not count).

A year after the last one chinesecalendar knows, whose official arrangement has not been loaded yet, is
counted on a **provisional** calendar: the statutory holidays of 《全国年节及纪念日放假办法》 (2024
revision) plus weekends, no 调休 (``provisional_holidays``). Answers that touch such a year say so
(``DayInfo.provisional``, ``deadline_info(...).provisional``); loading the official year replaces them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar

from onewindow.core.errors import Invalid
from onewindow.core.readcache import ReadCache
from onewindow.worktime.lunar import lunar_date
from onewindow.worktime.models import CalendarDay, CalendarYear

PROVISIONAL_NOTE = "暂按法定节假日计算，国务院公布安排后自动更新"
PROVISIONAL_LAST_YEAR = 2099  # the lunar computation's range

_BUILTIN_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


class CalendarUnknownYear(Invalid, code="calendar_unknown_year"):
    pass


@lru_cache(maxsize=1)
def _builtin_years() -> frozenset[int]:
    return frozenset(d.year for d in chinese_calendar.holidays)


def last_builtin_year() -> int:
    return max(_builtin_years())


@lru_cache(maxsize=64)
def provisional_holidays(year: int) -> dict[dt.date, str]:
    """The statutory holidays of 《全国年节及纪念日放假办法》 (2024 revision, art. 2) in ``year``:
    元旦 1 day, 春节 4 (除夕, 正月初一至初三), 清明 1 (the solar term), 劳动节 2 (5-1, 5-2), 端午 1
    (五月初五), 中秋 1 (八月十五), 国庆 3 (10-1 to 10-3). No 调休 and no 补休: those are only decided by
    the State Council's yearly notice."""
    spring = lunar_date(year, 1, 1)
    qingming = next(
        d
        for d, name in chinese_calendar.get_solar_terms(dt.date(year, 4, 1), dt.date(year, 4, 30))
        if name == "清明"
    )
    days: dict[dt.date, str] = {dt.date(year, 1, 1): "元旦"}
    for offset in range(-1, 3):
        days[spring + dt.timedelta(days=offset)] = "春节"
    days[qingming] = "清明节"
    days[dt.date(year, 5, 1)] = days[dt.date(year, 5, 2)] = "劳动节"
    days[lunar_date(year, 5, 5)] = "端午节"
    for d in (1, 2, 3):
        days[dt.date(year, 10, d)] = "国庆节"
    days.setdefault(lunar_date(year, 8, 15), "中秋节")  # 中秋 may fall on 10-1..3 (e.g. 2028 is 10-3)
    return days


YEARS = ReadCache("worktime")
"""The table rows of each year, per process; bumped when the calendar changes (``worktime.apps``)."""


def _load_year(year: int) -> tuple[bool, dict[dt.date, tuple[bool, str]]]:
    """Whether ``year`` is loaded, and its table entries (date → workday, name)."""
    loaded = CalendarYear.objects.filter(year=year).exists()
    rows = CalendarDay.objects.filter(date__year=year).values_list("date", "workday", "name")
    return loaded, {d: (w, n) for d, w, n in rows}


def is_provisional_year(year: int) -> bool:
    """A year counted provisionally right now: after chinesecalendar's table and not loaded."""
    return (
        last_builtin_year() < year <= PROVISIONAL_LAST_YEAR
        and not YEARS.get(year, lambda: _load_year(year))[0]
    )


@dataclass(frozen=True)
class DayInfo:
    date: dt.date
    workday: bool
    reason: str
    provisional: bool = False


@dataclass(frozen=True)
class Deadline:
    date: dt.date
    provisional: bool


@lru_cache(maxsize=4096)
def _builtin_day(date: dt.date) -> DayInfo:
    """The day on chinesecalendar's own table (a year it knows and nobody loaded): fixed for the
    installed package, so asked once per process and date (its look-up validates the date against the
    whole table each time, the largest part of a deadline's cost)."""
    on_holiday, name = chinese_calendar.get_holiday_detail(date)
    cn = _BUILTIN_NAMES.get(name or "", name or "")
    if chinese_calendar.is_workday(date):
        return DayInfo(date, True, f"{cn}调休上班" if date.weekday() >= 5 and cn else "工作日")
    if on_holiday and cn:
        return DayInfo(date, False, cn)
    return DayInfo(date, False, "周末")


class WorkCalendar:
    """Answers day questions, loading each year's table rows once (one instance per computation)."""

    def __init__(self) -> None:
        self._years: dict[int, tuple[bool, dict[dt.date, tuple[bool, str]]]] = {}
        self._provisional: set[int] = set()

    def _year(self, year: int) -> tuple[bool, dict[dt.date, tuple[bool, str]]]:
        if year not in self._years:
            loaded, overrides = YEARS.get(year, lambda: _load_year(year))
            if not loaded and year not in _builtin_years():
                if not last_builtin_year() < year <= PROVISIONAL_LAST_YEAR:
                    raise CalendarUnknownYear(
                        f"{year}年的节假日安排尚未导入，无法计算工作日（请管理员导入该年度日历）",
                        details={"year": year},
                    )
                self._provisional.add(year)
            self._years[year] = (loaded, overrides)
        return self._years[year]

    def is_provisional(self, year: int) -> bool:
        """True when ``year`` is counted on the provisional (statutory) calendar."""
        self._year(year)
        return year in self._provisional

    def day(self, date: dt.date) -> DayInfo:
        loaded, overrides = self._year(date.year)
        if date.year in self._provisional:
            name = provisional_holidays(date.year).get(date)
            if name:
                return DayInfo(date, False, name, provisional=True)
            weekend = date.weekday() >= 5
            return DayInfo(date, not weekend, "周末" if weekend else "工作日", provisional=True)
        if date in overrides:
            workday, name = overrides[date]
            reason = (
                f"{name}调休上班" if workday and name else ("调休上班" if workday else (name or "节假日"))
            )
            return DayInfo(date, workday, reason)
        if loaded:
            weekend = date.weekday() >= 5
            return DayInfo(date, not weekend, "周末" if weekend else "工作日")
        return _builtin_day(date)

    def is_workday(self, date: dt.date) -> bool:
        return self.day(date).workday

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after ``start`` (n ≥ 0; n = 0 returns ``start``)."""
        if n < 0:
            raise Invalid("工作日数不能为负数", code="invalid", details={"days": ["应≥0"]})
        day = start
        remaining = n
        while remaining > 0:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                remaining -= 1
        return day

    def deadline_info(self, start: dt.date, n: int) -> Deadline:
        """Like :meth:`add_workdays`, and whether any day counted lies in a provisional year."""
        end = self.add_workdays(start, n)
        first = start + dt.timedelta(days=1)
        years = range(first.year, end.year + 1) if n > 0 else range(0)
        return Deadline(end, any(self.is_provisional(y) for y in years))

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 if end ≤ start)."""
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count


def deadline(start: dt.date, n: int) -> dt.date:
    return WorkCalendar().add_workdays(start, n)


def deadline_info(start: dt.date, n: int) -> Deadline:
    return WorkCalendar().deadline_info(start, n)


def day_info(date: dt.date) -> DayInfo:
    return WorkCalendar().day(date)


def is_workday(date: dt.date) -> bool:
    return WorkCalendar().is_workday(date)
