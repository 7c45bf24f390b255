from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from onewindow.cases.models import Case
from onewindow.org.models import Staff
from tests.cases.conftest import act, intake
from tests.factories import make_staff

# Tue 2026-09-29 at 10:00 Beijing time: the National Day week (10-01..10-07 off, 10-10 a worked Saturday)
# lies inside every 15-working-day rectification period that starts here.
RATED_AT = dt.datetime(2026, 9, 29, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def today() -> Iterator[Any]:
    with mock.patch("onewindow.cases.services.local_today", return_value=dt.date(2026, 9, 29)) as m:
        yield m


@pytest.fixture
def head(world: dict[str, Any]) -> Staff:
    """Centre head of C-A (township A)."""
    return make_staff("head_a", "甲镇中心主任", world["ta"], ["centre_head"], centre=world["centres"]["a"])


def delivered_case(**kw: Any) -> Case:
    case = intake(**kw)
    case = act("reviewer", case, "approve", note="符合条件")
    case = act("clerk", case, "ready")
    return act("clerk", case, "deliver", to="window", signed_by="巴特尔")


def set_delivered_at(case: Case, when: dt.datetime) -> None:
    Case.objects.filter(pk=case.pk).update(delivered_at=when)


def now() -> dt.datetime:
    return timezone.now()
