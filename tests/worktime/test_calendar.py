from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from onewindow.worktime import calendar as wc
from onewindow.worktime.calendar import CalendarUnknownYear
from onewindow.worktime.models import CalendarDay, CalendarYear
from onewindow.worktime.services import calendar_load

D = dt.date.fromisoformat
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "workday"),
    [
        ("2026-02-13", True),  # Friday before the Spring Festival
        ("2026-02-14", True),  # Saturday worked (调休)
        ("2026-02-15", False),
        ("2026-02-23", False),
        ("2026-02-24", True),
        ("2026-02-28", True),  # Saturday worked (调休)
        ("2026-03-01", False),  # ordinary Sunday
        ("2026-09-20", True),  # Sunday worked for National Day
        ("2026-10-01", False),
        ("2026-10-07", False),
        ("2026-10-08", True),
        ("2026-10-10", True),  # Saturday worked
        ("2026-10-11", False),
    ],
)
def test_official_2026_calendar(day: str, workday: bool) -> None:
    assert wc.is_workday(D(day)) is workday


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        ("2026-02-12", 1, "2026-02-13"),  # Thursday → Friday; start day not counted
        ("2026-02-13", 1, "2026-02-14"),  # Friday → the 调休 Saturday
        ("2026-02-13", 2, "2026-02-24"),  # … then the whole Spring Festival is skipped
        ("2026-02-13", 5, "2026-02-27"),
        ("2026-02-13", 6, "2026-02-28"),  # the second 调休 Saturday counts
        ("2026-02-13", 7, "2026-03-02"),
        ("2026-09-18", 1, "2026-09-20"),  # Friday → the 调休 Sunday
        ("2026-09-30", 1, "2026-10-08"),  # National Day holidays skipped
        ("2026-09-30", 3, "2026-10-10"),  # 10-08, 10-09, the 调休 Saturday 10-10
        ("2026-09-30", 4, "2026-10-12"),
        ("2026-11-26", 0, "2026-11-26"),
        ("2026-11-26", 20, "2026-12-24"),
    ],
)
def test_deadline_counts_working_days(start: str, days: int, expected: str) -> None:
    assert wc.deadline(D(start), days) == D(expected)


def test_year_outside_every_rule_is_an_error_not_a_guess() -> None:
    # before chinesecalendar's table (2004) no rule is applied; after it, the provisional calendar
    with pytest.raises(CalendarUnknownYear) as exc:
        wc.deadline(D("2003-12-20"), 10)
    assert exc.value.code == "calendar_unknown_year"
    assert "2003" in exc.value.message
    with pytest.raises(CalendarUnknownYear):
        wc.is_workday(D("2100-01-04"))


def test_loaded_table_for_2027_and_overrides(tmp_path: Path) -> None:
    f = tmp_path / "2027.csv"
    f.write_text(
        "date,type,name\n2027-01-01,holiday,元旦\n2027-02-06,holiday,春节\n2027-02-07,holiday,春节\n"
        "2027-02-08,holiday,春节\n2027-02-20,workday,春节\n",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("calendar", "load", str(f), "--source", "测试", stdout=out)
    assert "2027" in out.getvalue()
    assert CalendarYear.objects.filter(year=2027).exists()
    assert wc.deadline(D("2026-12-31"), 1) == D("2027-01-04")  # 01-01 holiday, weekend
    assert wc.is_workday(D("2027-02-20")) is True  # a Saturday worked
    assert wc.day_info(D("2027-02-20")).reason == "春节调休上班"
    assert wc.is_workday(D("2027-02-08")) is False  # Monday off
    assert wc.is_workday(D("2027-03-06")) is False  # ordinary Saturday
    # a row in a builtin year overrides the package (e.g. a local correction)
    CalendarDay.objects.create(date=D("2026-11-27"), workday=False, name="测试停工")
    assert wc.is_workday(D("2026-11-27")) is False


def test_bad_calendar_file_loads_nothing(tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    f.write_text("2027-01-01,holiday,元旦\n2027-13-01,holiday,坏日期\n2027-01-02,maybe,\n", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("calendar", "load", str(f), stdout=StringIO())
    assert "第2行" in str(exc.value) and "第3行" in str(exc.value)
    assert not CalendarDay.objects.exists() and not CalendarYear.objects.exists()


def test_load_replaces_a_year_atomically() -> None:
    calendar_load(actor=None, text="2027-01-01,holiday,元旦\n2027-01-04,holiday,错误\n")
    calendar_load(actor=None, text="2027-01-01,holiday,元旦\n")
    assert list(CalendarDay.objects.values_list("date", flat=True)) == [D("2027-01-01")]


def test_calendar_api(client: Client) -> None:
    r = client.get("/api/v1/calendar/deadline", {"start": "2026-09-30", "days": 3})
    assert r.status_code == 200
    assert r.json() == {"start": "2026-09-30", "days": 3, "deadline": "2026-10-10"}
    r = client.get("/api/v1/calendar/workday", {"date": "2026-02-28"})
    assert r.json() == {"date": "2026-02-28", "workday": True, "reason": "春节调休上班"}
    r = client.get("/api/v1/calendar/workday", {"date": "2026-10-01"})
    assert r.json()["workday"] is False and r.json()["reason"] == "国庆节"
    r = client.get("/api/v1/calendar/workday", {"date": "2003-01-01"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "calendar_unknown_year"
    r = client.get("/api/v1/calendar/deadline", {"start": "not-a-date", "days": 3})
    assert r.status_code == 422 and "start" in r.json()["error"]["details"]


def test_workdays_between(world: Any = None) -> None:
    cal = wc.WorkCalendar()
    assert cal.workdays_between(D("2026-09-30"), D("2026-10-10")) == 3
    assert cal.workdays_between(D("2026-10-10"), D("2026-09-30")) == 0
