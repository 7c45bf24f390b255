"""The write path only appends to the event log; the fold (worker, or a read with a small backlog)
brings the rollups up to date, once, and the pages say how fresh they are ("数据截至")."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest

from onewindow.ledger import fold, log, receivers, rollup, selectors, tasks
from onewindow.ledger.models import CoarseFact, Fact, FoldMark, LedgerEvent, MonthFact
from tests.cases.conftest import act, intake

pytestmark = pytest.mark.django_db


def test_writes_only_append_and_the_fold_counts_each_event_once(
    ledger_world: dict[str, Any], clock: Any
) -> None:
    clock.set_day(dt.date(2026, 9, 1))
    case = intake()
    act("reviewer", case, "assign")  # counts nothing: not logged
    act("reviewer", case, "approve")
    assert list(LedgerEvent.objects.values_list("kind", flat=True)) == ["case", "case"]
    assert not Fact.objects.exists() and not CoarseFact.objects.exists()  # no rollup row on a write
    assert fold.fold() == 2
    assert not LedgerEvent.objects.exists()
    before = rollup.snapshot()
    assert before and fold.fold() == 0 and rollup.snapshot() == before  # folding again adds nothing
    mark = FoldMark.objects.get()
    assert mark.as_of == clock.now and mark.folded == 2
    rollup.rebuild()
    assert rollup.snapshot() == before


def test_rebuild_drops_the_waiting_events_it_counted(ledger_world: dict[str, Any], clock: Any) -> None:
    clock.set_day(dt.date(2026, 9, 1))
    intake()
    clock.set_day(dt.date(2026, 9, 20))
    late = intake()
    rollup.rebuild(dt.date(2026, 9, 10), dt.date(2026, 9, 30))  # counts the second intake only
    assert list(LedgerEvent.objects.values_list("kind", flat=True)) == ["case"]  # the first still waits
    fold.fold()
    incremental = rollup.snapshot()
    rollup.rebuild()
    assert rollup.snapshot() == incremental
    assert sum(f.received for f in Fact.objects.all()) == 2
    act("reviewer", late, "approve")  # a ticket-like change after a rebuild: folded on top
    fold.fold()
    incremental = rollup.snapshot()
    rollup.rebuild()
    assert rollup.snapshot() == incremental


def test_stats_fold_a_small_backlog_and_state_how_fresh(
    ledger_world: dict[str, Any], clock: Any, login: Any, settings: Any
) -> None:
    clock.set_day(dt.date(2026, 9, 1))
    intake()
    fold.fold()
    folded_at = clock.now
    clock.now = clock.now + dt.timedelta(minutes=5)
    intake()
    settings.LEDGER_FOLD_ON_READ = 0  # the worker is behind and reads do not fold: stale, and said so
    staff = login("supervisor")
    body = staff.get("/api/v1/stats").json()
    assert body["totals"]["received"] == 1
    assert dt.datetime.fromisoformat(body["as_of"]) == folded_at
    page = staff.get("/ledger/").content.decode()
    assert "数据截至 10:00:00" in page
    settings.LEDGER_FOLD_ON_READ = 100  # a small backlog: the read folds first
    body = staff.get("/api/v1/stats").json()
    assert body["totals"]["received"] == 2
    assert dt.datetime.fromisoformat(body["as_of"]) == clock.now
    assert "数据截至 10:05:00" in staff.get("/ledger/").content.decode()
    assert log.backlog(10) == 0


def test_fine_figures_of_whole_months_come_from_month_rows(ledger_world: dict[str, Any], clock: Any) -> None:
    day = dt.date(2026, 8, 20)
    while day < dt.date(2026, 11, 10):
        clock.set_day(day)
        case = intake()
        if day.day % 2:
            act("reviewer", case, "approve")
        day += dt.timedelta(days=6)
    fold.fold()
    county = ledger_world["county"]
    for a, b in [
        (dt.date(2026, 8, 25), dt.date(2026, 11, 5)),
        (dt.date(2026, 9, 1), dt.date(2026, 10, 31)),
        (dt.date(2026, 9, 3), dt.date(2026, 9, 28)),
    ]:
        fine = selectors.facts(county, a, b, fine=True)
        coarse = selectors.facts(county, a, b)
        assert selectors.totals(fine) == selectors.totals(coarse), (a, b)
        days = Fact.objects.filter(day__gte=a, day__lte=b)
        assert selectors.grouped(fine, "item") == selectors.grouped(days, "item"), (a, b)
    whole = selectors.facts(county, dt.date(2026, 9, 1), dt.date(2026, 10, 31), fine=True)
    assert isinstance(whole, selectors.FineFacts)
    assert whole.parts[0].model is MonthFact and not whole.parts[1].exists()  # month rows only
    assert (
        MonthFact.objects.filter(day=dt.date(2026, 9, 1)).count()
        < Fact.objects.filter(month="2026-09").count()
    )


def test_the_worker_is_asked_once_per_interval(ledger_world: dict[str, Any], settings: Any) -> None:
    settings.LEDGER_FOLD_SECONDS = 60
    receivers.kick.reset()
    with mock.patch.object(tasks.ledger_fold, "schedule") as schedule:
        receivers.kick()
        receivers.kick()  # within the interval: not enqueued again
    schedule.assert_called_once_with(delay=60)
    intake()
    assert tasks.ledger_fold.call_local() == 1 and tasks.ledger_fold_sweep.call_local() == 0
