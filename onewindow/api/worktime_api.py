from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from onewindow.api.schemas import ERRORS_PUBLIC
from onewindow.errors import Invalid
from onewindow.worktime import calendar as wc

router = Router(tags=["工作日历"])


class DeadlineQuery(Schema):
    start: dt.date
    days: int


class DeadlineOut(Schema):
    start: dt.date
    days: int
    deadline: dt.date


class WorkdayQuery(Schema):
    date: dt.date


class WorkdayOut(Schema):
    date: dt.date
    workday: bool
    reason: str


@router.get(
    "/calendar/deadline", response={200: DeadlineOut, **ERRORS_PUBLIC}, summary="计算办结期限（公开）"
)
def calendar_deadline(request: HttpRequest, q: Query[DeadlineQuery]) -> Any:
    if not 0 <= q.days <= 1000:
        raise Invalid("工作日数应在0到1000之间", code="invalid", details={"days": ["应在0到1000之间"]})
    try:
        deadline = wc.deadline(q.start, q.days)
    except OverflowError:  # past 9999-12-31
        raise Invalid("日期超出范围", code="invalid", details={"start": ["日期超出范围"]}) from None
    return {"start": q.start, "days": q.days, "deadline": deadline}


@router.get("/calendar/workday", response={200: WorkdayOut, **ERRORS_PUBLIC}, summary="是否工作日（公开）")
def calendar_workday(request: HttpRequest, q: Query[WorkdayQuery]) -> Any:
    info = wc.day_info(q.date)
    return {"date": info.date, "workday": info.workday, "reason": info.reason}
