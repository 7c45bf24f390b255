"""The working-day calendar router: deadlines and working days (public, no authentication)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from onewindow.core.apischemas import responses, row_out
from onewindow.core.errors import Invalid
from onewindow.worktime import calendar as wc

router = Router(tags=["工作日历"])


class DeadlineQuery(Schema):
    start: dt.date
    days: int


class DeadlineOut(Schema):
    start: dt.date
    days: int
    deadline: dt.date
    provisional: bool | None = None


class WorkdayQuery(Schema):
    date: dt.date


class WorkdayOut(Schema):
    date: dt.date
    workday: bool
    reason: str
    provisional: bool | None = None


def _calendar_get(path: str, schema: type[Schema], summary: str) -> Any:
    """A public calendar operation. API.md: "provisional" only when a provisional year was counted
    (the answers give ``None`` otherwise, left out by ``exclude_none``)."""
    return router.get(path, response=responses(schema, public=True), summary=summary, exclude_none=True)


@_calendar_get("/calendar/deadline", DeadlineOut, "计算办结期限（公开）")
def calendar_deadline(request: HttpRequest, q: Query[DeadlineQuery]) -> Any:
    if not 0 <= q.days <= 1000:
        raise Invalid("工作日数应在0到1000之间", code="invalid", details={"days": ["应在0到1000之间"]})
    try:
        info = wc.deadline_info(q.start, q.days)
    except OverflowError:  # past 9999-12-31
        raise Invalid("日期超出范围", code="invalid", details={"start": ["日期超出范围"]}) from None
    return row_out(DeadlineOut, q, deadline=info.date, provisional=info.provisional or None)


@_calendar_get("/calendar/workday", WorkdayOut, "是否工作日（公开）")
def calendar_workday(request: HttpRequest, q: Query[WorkdayQuery]) -> Any:
    info = wc.day_info(q.date)
    return row_out(WorkdayOut, info, provisional=info.provisional or None)
