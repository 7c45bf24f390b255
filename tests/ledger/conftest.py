from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from tests.factories import make_staff

TZ = ZoneInfo("Asia/Shanghai")


class Clock:
    """Controls ``django.utils.timezone.now`` (and so every local date) during a test."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def set_day(self, day: dt.date, hour: int = 10) -> None:
        self.now = dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Iterator[Clock]:
    c = Clock(dt.datetime(2026, 9, 1, 10, tzinfo=TZ))
    with mock.patch("django.utils.timezone.now", c):
        yield c


@pytest.fixture
def ledger_world(world: dict[str, Any], settings: Any) -> dict[str, Any]:
    settings.QUEUE_ENFORCE_HOURS = False
    head = make_staff("head", "甲镇中心主任", world["ta"], ["centre_head"], centre=world["centres"]["a"])
    chief = make_staff("chief", "乙苏木中心主任", world["tb"], ["centre_head"], centre=world["centres"]["b"])
    return {**world, "head": head, "chief": chief}
