"""Loading a year's official calendar into the table."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from django.db import transaction

from onewindow.core import signals
from onewindow.core.actor import Actor
from onewindow.core.errors import Invalid
from onewindow.worktime.calendar import YEARS
from onewindow.worktime.models import CalendarDay, CalendarYear
from onewindow.worktime.notice import Notice, parse_notice

_TRUE = {"workday", "work", "上班", "调休", "1", "true", "yes"}
_FALSE = {"holiday", "off", "休息", "放假", "节假日", "0", "false", "no"}


def parse_calendar_file(text: str) -> list[tuple[dt.date, bool, str]]:
    """CSV ``date,type,name`` (type: holiday/休息 or workday/上班) or JSON ``[{date, workday, name}]``."""
    rows: list[tuple[dt.date, bool, str]] = []
    errors: dict[str, list[str]] = {}
    stripped = text.strip()
    records: list[tuple[int, Any, Any, Any]] = []
    if stripped.startswith("[") or stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise Invalid(f"JSON 格式错误：{exc}", code="invalid_calendar_file") from None
        if isinstance(data, dict):
            data = data.get("days", [])
        for i, rec in enumerate(data, start=1):
            if not isinstance(rec, dict):
                errors[f"第{i}项"] = ["应为对象 {date, workday, name}"]
                continue
            records.append((i, rec.get("date"), rec.get("workday", rec.get("type")), rec.get("name", "")))
    else:
        reader = csv.reader(io.StringIO(stripped))
        for i, line in enumerate(reader, start=1):
            if not line or not "".join(line).strip() or line[0].strip().startswith("#"):
                continue
            if i == 1 and line[0].strip().lower() in {"date", "日期"}:
                continue
            if len(line) < 2:
                errors[f"第{i}行"] = ["至少需要日期和类型两列"]
                continue
            records.append((i, line[0].strip(), line[1].strip(), line[2].strip() if len(line) > 2 else ""))
    seen: set[dt.date] = set()
    for i, date_s, kind, name in records:
        where = f"第{i}行"
        try:
            date = dt.date.fromisoformat(str(date_s))
        except (TypeError, ValueError):
            errors.setdefault(where, []).append(f"日期 {date_s!r} 不是 YYYY-MM-DD")
            continue
        if isinstance(kind, bool):
            workday = kind
        elif str(kind).strip().lower() in _TRUE:
            workday = True
        elif str(kind).strip().lower() in _FALSE:
            workday = False
        else:
            errors.setdefault(where, []).append(f"类型 {kind!r} 应为 holiday/休息 或 workday/上班")
            continue
        if date in seen:
            errors.setdefault(where, []).append(f"日期 {date} 重复")
            continue
        seen.add(date)
        rows.append((date, workday, str(name or "")[:50]))
    if errors:
        raise Invalid("日历文件有误，未导入任何内容", code="invalid_calendar_file", details=errors)
    if not rows:
        raise Invalid("日历文件中没有任何日期", code="invalid_calendar_file")
    return rows


@transaction.atomic  # all or nothing; the calendar_loaded listeners lock the cases they recount
def calendar_load(*, actor: Actor | None, text: str, source: str = "") -> dict[int, int]:
    """Replace the table entries of every year in the file; mark those years loaded. All or nothing.
    ``actor``: who loads it (``system()`` or ``None`` for a command)."""
    rows = parse_calendar_file(text)
    years = sorted({d.year for d, _w, _n in rows})
    for year in years:
        CalendarDay.objects.filter(date__year=year).delete()
        CalendarYear.objects.update_or_create(year=year, defaults={"source": source[:200]})
    CalendarDay.objects.bulk_create([CalendarDay(date=d, workday=w, name=n) for d, w, n in rows])
    YEARS.bump()  # bulk_create sends no post_save: drop the cached years before the listeners count
    signals.calendar_loaded.send(sender=CalendarYear, years=years, actor=actor)
    return {y: sum(1 for d, _w, _n in rows if d.year == y) for y in years}


@transaction.atomic
def calendar_load_notice(*, actor: Actor | None, text: str, year: int | None = None) -> Notice:
    """Load the year of a State Council notice (its 放假 and 调休上班 days replace the year's entries;
    days it names in the previous year, e.g. 12-31 of a 元旦 range, are set one by one), then let the
    listeners recompute what was counted provisionally — all in one transaction."""
    notice = parse_notice(text, year=year)
    rows = notice.rows()
    CalendarDay.objects.filter(date__year=notice.year).delete()
    CalendarYear.objects.update_or_create(year=notice.year, defaults={"source": notice.source[:200]})
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=d, workday=w, name=n) for d, w, n in rows if d.year == notice.year]
    )
    for d, w, n in rows:
        if d.year != notice.year:
            CalendarDay.objects.update_or_create(date=d, defaults={"workday": w, "name": n})
    YEARS.bump()
    for _receiver, touched in signals.calendar_loaded.send(
        sender=CalendarYear, years=[notice.year], actor=actor
    ):
        if isinstance(touched, list):
            notice.recomputed += len(touched)
            notice.moved += sum(1 for _n, old, new in touched if old != new)
    return notice
