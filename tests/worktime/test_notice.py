"""The notice parser, on the published notices of eleven years, compared day by day with chinesecalendar.

Fixtures (tests/worktime/notices/YYYY.txt) are the texts of 国务院办公厅关于YYYY年部分节假日安排的通知 in
their published form. Years left out: 2015 (the 70th anniversary holiday of 9-3 came by a separate
notice), 2018 (its December days belong to the 2019 notice), 2019 (劳动节 was changed by a later notice,
国办发明电〔2019〕2号), 2020 (Spring Festival extended by a later notice).
"""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import chinese_calendar
import pytest
from django.core.management import CommandError, call_command

from onewindow.core.errors import Invalid
from onewindow.worktime import calendar as wc
from onewindow.worktime.models import CalendarDay, CalendarYear
from onewindow.worktime.notice import parse_notice

NOTICES = Path(__file__).parent / "notices"
YEARS = sorted(int(p.stem) for p in NOTICES.glob("*.txt"))
D = dt.date.fromisoformat


def test_at_least_ten_years() -> None:
    assert len(YEARS) >= 10


@pytest.mark.parametrize("year", YEARS)
def test_notice_matches_chinesecalendar_day_by_day(year: int) -> None:
    notice = parse_notice((NOTICES / f"{year}.txt").read_text(encoding="utf-8"))
    assert notice.year == year and "国办发明电" in notice.source
    day = dt.date(year, 1, 1)
    mismatches = []
    while day.year == year:
        if notice.is_workday(day) != chinese_calendar.is_workday(day):
            mismatches.append(day)
        day += dt.timedelta(days=1)
    # days of the year before named by the notice (元旦 from 12-30 or 12-31, a Saturday worked)
    for d, (workday, _name) in notice.days().items():
        if d.year != year and workday != chinese_calendar.is_workday(d):
            mismatches.append(d)
    assert mismatches == []


def test_wording_variations() -> None:
    n2012 = parse_notice((NOTICES / "2012.txt").read_text(encoding="utf-8"))
    days = n2012.days()
    assert days[D("2011-12-31")] == (True, "元旦")  # "2011年12月31日（星期六）上班"
    assert days[D("2012-01-29")][0] is True  # "1月21日（星期六）、29日（星期日）上班"
    assert days[D("2012-05-01")] == (False, "劳动节")  # "4月29日至5月1日"
    assert days[D("2012-10-07")] == (False, "中秋节、国庆节")
    n2023 = parse_notice((NOTICES / "2023.txt").read_text(encoding="utf-8"))
    for d in ("2022-12-31", "2023-01-01", "2023-01-02"):  # "2022年12月31日至2023年1月2日"
        assert n2023.days()[D(d)] == (False, "元旦")
    n2014 = parse_notice((NOTICES / "2014.txt").read_text(encoding="utf-8"))
    assert n2014.days()[D("2014-04-07")] == (False, "清明节")  # "4月7日（星期一）补休"
    n2024 = parse_notice((NOTICES / "2024.txt").read_text(encoding="utf-8"))
    assert D("2024-02-09") not in n2024.days()  # "鼓励……在除夕（2月9日）休息" is not an arrangement


def test_december_range_without_years() -> None:
    n = parse_notice("关于2023年部分节假日安排的通知\n一、元旦：12月31日至1月2日放假调休，共3天。\n")
    assert [d for d, _w, _n in n.rows()] == [D("2022-12-31"), D("2023-01-01"), D("2023-01-02")]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("没有任何条目的文字", "年份"),
        ("关于2027年部分节假日安排的通知\n全文没有条目", "条目"),
        ("关于2027年部分节假日安排的通知\n一、元旦：1月1日至3日放假，共4天。", "共4天"),
        ("关于2027年部分节假日安排的通知\n一、元旦：1月1日放假。\n二、春节：1月1日放假。", "两次"),
        ("关于2027年部分节假日安排的通知\n一、元旦：2月30日放假。", "不存在"),
        ("关于2027年部分节假日安排的通知\n一、元旦：与周末连休。", "没有识别到放假日期"),
        ("关于2027年部分节假日安排的通知\n一、元旦：3日放假。", "缺少月份"),
    ],
)
def test_bad_notices_are_errors(text: str, fragment: str) -> None:
    with pytest.raises(Invalid) as exc:
        parse_notice(text)
    assert exc.value.code == "invalid_notice" or "年份" in exc.value.message
    assert fragment in exc.value.message


@pytest.mark.django_db
def test_cli_load_notice(tmp_path: Path) -> None:
    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()
    f = tmp_path / "2026.txt"
    f.write_text((NOTICES / "2026.txt").read_text(encoding="utf-8"), encoding="utf-8")
    out = StringIO()
    call_command("calendar", "load", "--notice", str(f), stdout=out)
    assert "已导入 2026 年" in out.getvalue() and "国办发明电〔2025〕7号" in out.getvalue()
    assert CalendarYear.objects.get(year=2026).source.startswith("国务院办公厅关于2026年")
    assert wc.is_workday(D("2026-02-28")) and not wc.is_workday(D("2026-02-23"))
    assert wc.day_info(D("2026-02-28")).reason == "春节调休上班"
    bad = tmp_path / "bad.txt"
    bad.write_text("关于2027年部分节假日安排的通知\n一、元旦：1月1日至3日放假，共4天。", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("calendar", "load", "--notice", str(bad), stdout=StringIO())
    assert "共4天" in str(exc.value)
    assert not CalendarYear.objects.filter(year=2027).exists()
    with pytest.raises(CommandError):
        call_command("calendar", "load", stdout=StringIO())
