from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest


@pytest.fixture(autouse=True)
def _webhooks_to_local_receivers(settings: Any) -> None:
    """These tests deliver to receivers on 127.0.0.1: allowed only with WEBHOOK_ALLOW_PRIVATE."""
    settings.WEBHOOK_ALLOW_PRIVATE = True


@pytest.fixture
def today() -> Iterator[Any]:
    with mock.patch("onewindow.cases.services.local_today", return_value=dt.date(2026, 9, 29)) as m:
        yield m
