"""Reads of cases, always scoped to the user's jurisdiction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from onewindow.cases.models import CLOCK_STATES, Case, CaseEvent, Warning
from onewindow.org import access
from onewindow.worktime.calendar import WorkCalendar

YELLOW_DAYS_BEFORE = 1  # 电子监察: yellow from 1 working day before the deadline


def case_scope(user: Any, qs: QuerySet[Case]) -> QuerySet[Case]:
    """Cases accepted at a centre in the user's jurisdiction, or queued at a department in it."""
    roots = access.scope_roots(user)
    if not roots:
        return qs.none()
    q = Q()
    for root in roots:
        q |= Q(centre__jurisdiction__path__startswith=root.path)
        q |= Q(queue_department__jurisdiction__path__startswith=root.path)
    return qs.filter(q)


def case_list(
    *, actor: Any, state: str | None = None, item: str | None = None, warning: str | None = None
) -> QuerySet[Case]:
    qs = case_scope(actor, Case.objects.all()).select_related(
        "item_version", "centre", "queue_department", "applicant", "assignee"
    )
    if state:
        qs = qs.filter(state=state)
    if item:
        qs = qs.filter(item__code=item)
    if warning:
        qs = qs.filter(warning=warning)
    return qs.order_by("-received_at")


def warning_for(case: Case, today: dt.date, cal: WorkCalendar | None = None) -> str:
    """none / yellow (≤ 1 working day left) / red (past the deadline), for cases on the clock."""
    if case.state not in CLOCK_STATES or case.deadline is None:
        return Warning.NONE
    if today > case.deadline:
        return Warning.RED
    cal = cal or WorkCalendar()
    if cal.workdays_between(today, case.deadline) <= YELLOW_DAYS_BEFORE:
        return Warning.YELLOW
    return Warning.NONE


def chain_verify(case: Case) -> list[str]:
    """Problems in the case's timeline hash chain (empty: intact)."""
    problems: list[str] = []
    prev = ""
    expected_seq = 1
    for ev in CaseEvent.objects.filter(case=case).order_by("seq"):
        if ev.seq != expected_seq:
            problems.append(f"第{expected_seq}条记录缺失")
            expected_seq = ev.seq
        if ev.prev_hash != prev:
            problems.append(f"第{ev.seq}条记录的前序哈希不连续")
        if ev.compute_hash() != ev.hash:
            problems.append(f"第{ev.seq}条记录内容被改动")
        prev = ev.hash
        expected_seq += 1
    return problems
