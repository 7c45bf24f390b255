"""Provisional years: the statutory holidays (《全国年节及纪念日放假办法》, 2024) plus weekends, for a
year whose official arrangement is not loaded — never an error at the window."""

from __future__ import annotations

import datetime as dt
from typing import Any

import chinese_calendar
import pytest
from django.test import Client

from onewindow.worktime import calendar as wc
from onewindow.worktime.lunar import lunar_date, lunar_new_year
from onewindow.worktime.models import CalendarDay, CalendarYear
from onewindow.worktime.services import calendar_load

D = dt.date.fromisoformat
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("year", range(2008, 2027))
def test_lunar_festivals_match_the_official_tables(year: int) -> None:
    # 端午 and 中秋 are public holidays since 2008: every computed date is a holiday in the official table
    new_year = lunar_new_year(year)
    assert chinese_calendar.get_holiday_detail(new_year) == (True, "Spring Festival")
    for month, day in ((5, 5), (8, 15)):
        on_holiday, _name = chinese_calendar.get_holiday_detail(lunar_date(year, month, day))
        assert on_holiday, (year, month, day)


def test_lunar_dates_of_known_later_years() -> None:
    # published almanac dates (leap months: 2028 闰五月, 2031 闰三月, 2033 闰十一月)
    assert lunar_new_year(2027) == D("2027-02-06")
    assert lunar_date(2027, 5, 5) == D("2027-06-09") and lunar_date(2027, 8, 15) == D("2027-09-15")
    assert lunar_new_year(2028) == D("2028-01-26") and lunar_date(2028, 8, 15) == D("2028-10-03")
    assert lunar_date(2031, 5, 5) == D("2031-06-24")
    assert lunar_new_year(2034) == D("2034-02-19")


@pytest.mark.parametrize("year", [2025, 2026])
def test_provisional_rule_days_are_official_holidays(year: int) -> None:
    """Every statutory holiday the rule computes (2024 revision, in force from 2025) is a holiday in the
    official arrangement too (which adds 调休 days the rule cannot know)."""
    days = wc.provisional_holidays(year)
    assert len(days) == 13  # 1 + 4 + 1 + 2 + 1 + 1 + 3
    for day, name in days.items():
        assert not chinese_calendar.is_workday(day), (day, name)
        assert chinese_calendar.get_holiday_detail(day)[0], (day, name)


@pytest.fixture
def no_2027() -> None:
    """The situation on 2026-12-07: chinesecalendar ends with 2026, nothing loaded for 2027."""
    CalendarDay.objects.filter(date__year__gte=2027).delete()
    CalendarYear.objects.filter(year__gte=2027).delete()


def test_provisional_2027(no_2027: None) -> None:
    assert wc.provisional_holidays(2027)[D("2027-02-05")] == "春节"  # 除夕
    info = wc.day_info(D("2027-02-08"))  # 正月初三, a Monday
    assert (info.workday, info.reason, info.provisional) == (False, "春节", True)
    assert wc.day_info(D("2027-02-09")).workday is True  # no 调休 is guessed
    assert wc.day_info(D("2027-04-05")).reason == "清明节"
    assert wc.day_info(D("2027-06-09")).reason == "端午节"
    assert wc.day_info(D("2027-09-15")).reason == "中秋节"
    assert wc.day_info(D("2027-10-04")).workday is True  # 国庆 is 3 days by statute
    # 20 working days from 2026-12-07: 18 in December, then 01-04 and 01-05 (01-01 a holiday)
    result = wc.deadline_info(D("2026-12-07"), 20)
    assert result == wc.Deadline(D("2027-01-05"), True)
    assert wc.deadline(D("2026-12-07"), 20) == D("2027-01-05")  # the old API answers too
    assert wc.deadline_info(D("2026-12-07"), 18) == wc.Deadline(D("2026-12-31"), False)
    assert wc.deadline_info(D("2026-12-31"), 0).provisional is False


def test_loaded_year_is_no_longer_provisional(no_2027: None) -> None:
    calendar_load(actor=None, text="2027-01-01,holiday,元旦\n2027-01-04,holiday,测试\n")
    assert wc.deadline_info(D("2026-12-07"), 20) == wc.Deadline(D("2027-01-06"), False)
    assert wc.day_info(D("2027-02-08")).provisional is False


def test_calendar_api_marks_provisional_answers(client: Client, no_2027: None, world: Any = None) -> None:
    r = client.get("/api/v1/calendar/deadline", {"start": "2026-12-07", "days": 20})
    assert r.status_code == 200
    assert r.json() == {"start": "2026-12-07", "days": 20, "deadline": "2027-01-05", "provisional": True}
    r = client.get("/api/v1/calendar/deadline", {"start": "2026-12-07", "days": 3})
    assert r.json() == {"start": "2026-12-07", "days": 3, "deadline": "2026-12-10"}
    r = client.get("/api/v1/calendar/workday", {"date": "2027-02-05"})
    assert r.json() == {"date": "2027-02-05", "workday": False, "reason": "春节", "provisional": True}
