"""Working days on the official calendar, and deadlines counted in them.

``deadline(start, n)`` is the n-th working day after ``start`` (the start day itself is not counted,
行政许可法 art. 82 and the rule that the day of acceptance does not count).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import chinese_calendar

from onewindow.errors import Invalid

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


class CalendarUnknownYear(Invalid):
    code = "calendar_unknown_year"


def _builtin_years() -> set[int]:
    return {d.year for d in chinese_calendar.holidays}


@dataclass(frozen=True)
class DayInfo:
    date: dt.date
    workday: bool
    reason: str


class WorkCalendar:
    """Answers day questions, loading each year's table rows once (one instance per computation)."""

    def __init__(self) -> None:
        self._years: dict[int, tuple[bool, dict[dt.date, tuple[bool, str]]]] = {}

    def _year(self, year: int) -> tuple[bool, dict[dt.date, tuple[bool, str]]]:
        if year not in self._years:
            from onewindow.worktime.models import CalendarDay, CalendarYear

            loaded = CalendarYear.objects.filter(year=year).exists()
            rows = CalendarDay.objects.filter(date__year=year).values_list("date", "workday", "name")
            overrides = {d: (w, n) for d, w, n in rows}
            if not loaded and year not in _builtin_years():
                raise CalendarUnknownYear(
                    f"{year}年的节假日安排尚未导入，无法计算工作日（请管理员导入该年度日历）",
                    details={"year": year},
                )
            self._years[year] = (loaded, overrides)
        return self._years[year]

    def day(self, date: dt.date) -> DayInfo:
        loaded, overrides = self._year(date.year)
        if date in overrides:
            workday, name = overrides[date]
            reason = (
                f"{name}调休上班" if workday and name else ("调休上班" if workday else (name or "节假日"))
            )
            return DayInfo(date, workday, reason)
        if loaded:
            weekend = date.weekday() >= 5
            return DayInfo(date, not weekend, "周末" if weekend else "工作日")
        on_holiday, name = chinese_calendar.get_holiday_detail(date)
        cn = _BUILTIN_NAMES.get(name or "", name or "")
        workday = chinese_calendar.is_workday(date)
        if workday:
            return DayInfo(date, True, f"{cn}调休上班" if date.weekday() >= 5 and cn else "工作日")
        if on_holiday and cn:
            return DayInfo(date, False, cn)
        return DayInfo(date, False, "周末")

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


def day_info(date: dt.date) -> DayInfo:
    return WorkCalendar().day(date)


def is_workday(date: dt.date) -> bool:
    return WorkCalendar().is_workday(date)
