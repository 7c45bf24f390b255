"""The queueing tests' clock and their booking helper."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest

from onewindow.org.actors import actor_of
from onewindow.queueing import appointments as ap
from onewindow.queueing.models import Appointment

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 9, 28, 9, 0, tzinfo=TZ)  # Monday


@pytest.fixture
def now() -> Iterator[Any]:
    """The hall's clock stands at :data:`NOW` (set ``now.return_value`` to move it)."""
    with mock.patch("onewindow.queueing.services.local_now", return_value=NOW) as m:
        yield m


def book(**kw: Any) -> Appointment:
    """巴特尔 books the comprehensive window of C-A for Tue 2026-09-29 09:00 (override any argument)."""
    args: dict[str, Any] = {
        "centre": "C-A",
        "date": dt.date(2026, 9, 29),
        "start": dt.time(9, 0),
        "category": "comprehensive",
        "name": "巴特尔",
        "phone": "13912345678",
    }
    args.update(kw)
    if "actor" not in args:  # staff (here the township clerk) book without an SMS code or limit
        from django.contrib.auth import get_user_model

        args["actor"] = actor_of(get_user_model().objects.get(username="clerk"))
    return ap.appointment_book(**args)
