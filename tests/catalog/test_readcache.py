"""The intake's read path comes from per-process caches, and a change made in another process is seen
by the next request (the shared generation in Django's cache, ``core.readcache``)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from onewindow.api.tokens import token_create
from onewindow.cases.models import Case
from onewindow.catalog.models import ItemVersion, VersionStatus
from onewindow.catalog.selectors import PUBLISHED
from onewindow.worktime.calendar import YEARS
from onewindow.worktime.models import CalendarDay
from tests.cases.conftest import intake_body


@pytest.fixture
def fixed_today() -> Any:
    with mock.patch("onewindow.cases.services.local_today", return_value=dt.date(2026, 9, 29)):
        yield


def _intake(client: Client, key: str) -> Case:
    r = client.post(
        "/api/v1/cases", intake_body(), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert r.status_code == 201, r.content
    return Case.objects.get(number=r.json()["number"])


def test_republished_in_another_process_is_seen_by_the_next_intake(
    client: Client, world: Any, fixed_today: Any
) -> None:
    _row, key = token_create(username="clerk")
    first = _intake(client, key)
    days = first.promised_days
    # another process changes the published version: no signal here, only its generation bump
    ItemVersion.objects.filter(item__code="MZ-001", status=VersionStatus.PUBLISHED).update(
        promised_days=days + 3
    )
    assert _intake(client, key).promised_days == days  # this process still answers from its cache
    cache.incr(PUBLISHED.key)  # what the other process's post_save receiver did
    assert _intake(client, key).promised_days == days + 3


def test_a_warm_intake_reads_no_catalog_calendar_or_org_rows(
    client: Client, world: Any, fixed_today: Any
) -> None:
    _row, key = token_create(username="clerk")
    _intake(client, key)
    with CaptureQueriesContext(connection) as ctx:
        _intake(client, key)
    tables = " ".join(q["sql"] for q in ctx.captured_queries)
    for table in ("catalog_", "worktime_", "org_staff", "org_centre", "org_jurisdiction"):
        assert f'FROM "{table}' not in tables, table


def test_calendar_change_elsewhere_reaches_the_deadline(client: Client, world: Any, fixed_today: Any) -> None:
    _row, key = token_create(username="clerk")
    before = _intake(client, key).deadline
    assert before is not None
    # another process declares the deadline day a holiday and bumps the generation
    CalendarDay.objects.bulk_create([CalendarDay(date=before, workday=False, name="停工")])
    cache.incr(YEARS.key)
    after = _intake(client, key).deadline
    assert after is not None and after > before


def test_values_read_inside_an_uncommitted_change_are_not_kept(db: Any) -> None:
    """A change not yet committed (this thread's open ``atomic()``): what it reads is not kept, since it
    may roll back; once its block has ended the cache keeps values again."""
    from django.db import transaction

    from onewindow.core.readcache import ReadCache

    rc = ReadCache("test-uncommitted")
    loads: list[int] = []

    def load() -> int:
        loads.append(1)
        return len(loads)

    assert rc.get("k", load) == 1 and rc.get("k", load) == 1
    with transaction.atomic():
        rc.bump()
        assert rc.get("k", load) == 2 and rc.get("k", load) == 3
    assert rc.get("k", load) == 4 and rc.get("k", load) == 4
