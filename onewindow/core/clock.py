"""The one clock: store UTC, reason in Asia/Shanghai (``TIME_ZONE``). Use these instead of calling
``timezone.localdate()`` / ``timezone.localtime()`` by hand, so tests can pin "today" in one place."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    """The current instant (aware, UTC)."""
    return timezone.now()


def local_now() -> dt.datetime:
    """The current instant in the local time zone (aware)."""
    return timezone.localtime(timezone.now())


def local_today() -> dt.date:
    """Today's date in the local time zone."""
    return timezone.localdate()


def local_date(moment: dt.datetime) -> dt.date:
    """The local calendar date of an aware instant."""
    return timezone.localtime(moment).date()
