"""Batched delivery (``delivery.deliver_due``, ``tasks.deliver_pending``): one claim, one send each, one
UPDATE for every success; failures retried after ``RETRY_SECONDS``, at most ``MAX_ATTEMPTS``; a claim left
by a dead worker delivered again; after a commit one request for a batch per ``NOTIFY_BATCH_SECONDS``
(huey's immediate mode: delivered at once); two workers never send the same notice (PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from huey.contrib.djhuey import HUEY

from onewindow.notify import backends, delivery, services, tasks
from onewindow.notify.models import Notification, NotificationState
from tests.support import Clock

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def immediate() -> Iterator[None]:
    """huey in immediate mode, as ``HUEY_IMMEDIATE=1`` gives it (tasks run in the caller, no consumer)."""
    saved = HUEY.immediate
    HUEY.immediate = True
    try:
        yield
    finally:
        HUEY.immediate = saved


def _queue(k: int, code: str = "1234") -> list[Notification]:
    """k queued SMS notices, as ``notify`` records them (the test's transaction never commits: no kick)."""
    return [
        services.notify("otp", to=f"139{i:08d}", context={"code": f"{code}{i:02d}", "minutes": 5})
        for i in range(k)
    ]


def _states(rows: list[Notification]) -> Counter[str]:
    return Counter(Notification.objects.filter(pk__in=[n.pk for n in rows]).values_list("state", flat=True))


def _console(caplog: Any) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.name == "onewindow.notify" and " → " in r.getMessage()
    ]


def test_a_batch_delivers_every_queued_notice(caplog: Any) -> None:
    rows = _queue(30)
    with caplog.at_level(logging.INFO, logger="onewindow.notify"):
        assert tasks.deliver_pending.call_local() == {"sent": 30, "failed": 0}
    assert _states(rows) == {NotificationState.SENT: 30}
    lines = _console(caplog)
    assert len(lines) == 30 and lines[0] == delivery.console_line(rows[0])  # the console line, unchanged
    done = Notification.objects.filter(pk__in=[n.pk for n in rows])
    assert all(n.attempts == 1 and n.sent_at and n.error == "" for n in done)
    assert tasks.deliver_pending.call_local() == {"sent": 0, "failed": 0}  # each once


def test_batches_loop_until_a_claim_comes_back_short() -> None:
    rows = _queue(12)
    assert delivery.deliver_due(limit=5) == {"sent": 12, "failed": 0}  # 5 + 5 + 2
    assert _states(rows) == {NotificationState.SENT: 12}


def _statements(k: int) -> list[str]:
    _queue(k)
    with CaptureQueriesContext(connection) as ctx:
        assert delivery.deliver_due() == {"sent": k, "failed": 0}
    return [q["sql"] for q in ctx.captured_queries]


def test_statements_of_a_batch_do_not_grow_with_its_size() -> None:
    five, twenty = _statements(5), _statements(20)
    assert len(five) == len(twenty) <= 6, twenty  # claim (SELECT + UPDATE), one UPDATE for all sent
    updates = [q for q in twenty if q.lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 2


def test_a_failure_costs_one_statement_more() -> None:
    ok = len(_statements(5))
    _queue(3, code="9")
    calls = iter([None, backends.BackendError("HTTP 500"), None])

    def flaky(name: str, n: Notification) -> None:
        if (err := next(calls)) is not None:
            raise err

    with (
        mock.patch.object(delivery, "backend_for", return_value="sms_http"),
        mock.patch.object(backends, "send", flaky),
        CaptureQueriesContext(connection) as ctx,
    ):
        assert delivery.deliver_due() == {"sent": 2, "failed": 1}
    assert len(ctx.captured_queries) == ok + 1


def test_a_failure_is_retried_after_30_seconds_and_given_up_after_6_attempts(clock: Clock) -> None:
    (n,) = _queue(1)
    with (
        mock.patch.object(delivery, "backend_for", return_value="sms_http"),
        mock.patch.object(backends, "send", side_effect=backends.BackendError("HTTP 500")) as send,
        mock.patch.object(tasks.deliver_pending, "schedule") as schedule,
    ):
        assert tasks.deliver_pending.call_local() == {"sent": 0, "failed": 1}
        schedule.assert_called_once_with(delay=delivery.RETRY_SECONDS)  # as huey's retry_delay=30
        for attempt in range(2, 7):
            clock.advance(29)
            assert delivery.deliver_due() == {"sent": 0, "failed": 0}  # not yet
            clock.advance(1)
            assert delivery.deliver_due() == {"sent": 0, "failed": 1}
            n.refresh_from_db()
            assert (n.state, n.attempts) == (NotificationState.FAILED, attempt) and "500" in n.error
        clock.advance(3600)
        assert delivery.deliver_due() == {"sent": 0, "failed": 0}  # 6 attempts in all: it stays failed
    assert send.call_count == 6
    n.refresh_from_db()
    assert (n.state, n.attempts) == (NotificationState.FAILED, 6)


def test_a_retry_that_succeeds_is_recorded_as_sent(clock: Clock) -> None:
    (n,) = _queue(1)
    with (
        mock.patch.object(delivery, "backend_for", return_value="sms_http"),
        mock.patch.object(backends, "send", side_effect=[backends.BackendError("timeout"), None]),
    ):
        delivery.deliver_due()
        clock.advance(30)
        assert delivery.deliver_due() == {"sent": 1, "failed": 0}
    n.refresh_from_db()
    assert (n.state, n.attempts, n.error) == (NotificationState.SENT, 2, "")


def test_a_claim_left_by_a_dead_worker_is_delivered_again(clock: Clock) -> None:
    rows = _queue(3)
    assert len(delivery.claim()) == 3  # the worker dies here, before sending
    assert _states(rows) == {NotificationState.SENDING: 3}
    clock.advance(delivery.STALE_SECONDS - 1)
    assert delivery.deliver_due() == {"sent": 0, "failed": 0}  # maybe still sending
    clock.advance(1)
    assert delivery.deliver_due() == {"sent": 3, "failed": 0}
    assert _states(rows) == {NotificationState.SENT: 3}


def test_a_slow_gateway_gives_back_what_it_cannot_send_before_the_claim_goes_stale() -> None:
    rows = _queue(3)
    claimed = delivery.claim()
    ticks = iter([0.0, 1.0, delivery.STALE_SECONDS])  # the start, before the 1st, before the 2nd
    with mock.patch.object(delivery.time, "monotonic", lambda: next(ticks)):
        assert delivery.send_claimed(claimed) == (1, 0)
    assert _states(rows) == {NotificationState.SENT: 1, NotificationState.QUEUED: 2}


def test_the_minutely_sweep_delivers_when_every_kick_was_lost() -> None:
    rows = _queue(2)
    assert tasks.deliver_pending_sweep.call_local() == {"sent": 2, "failed": 0}
    assert _states(rows) == {NotificationState.SENT: 2}
    instance = tasks.deliver_pending_sweep.task_class()
    assert all(instance.validate_datetime(dt.datetime(2026, 11, 26, 10, m)) for m in (0, 7, 59))  # noqa: DTZ001


def test_two_commits_in_the_interval_ask_for_one_batch(
    settings: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    assert not HUEY.immediate
    settings.NOTIFY_BATCH_SECONDS = 60
    services._debounced.reset()
    with mock.patch.object(tasks.deliver_pending, "schedule") as schedule:
        with django_capture_on_commit_callbacks(execute=True):
            first = services.notify("ready", to="13912345678", context={"number": "B1"})
        with django_capture_on_commit_callbacks(execute=True):
            second = services.notify("ready", to="13912345679", context={"number": "B2"})
    schedule.assert_called_once_with(delay=60)
    assert _states([first, second]) == {NotificationState.QUEUED: 2}  # the worker's batch will send them
    assert tasks.deliver_pending.call_local() == {"sent": 2, "failed": 0}  # that batch
    assert _states([first, second]) == {NotificationState.SENT: 2}


def test_a_broker_outage_is_logged_not_raised(
    monkeypatch: Any, caplog: Any, django_capture_on_commit_callbacks: Any
) -> None:
    services._debounced.reset()
    with (
        mock.patch.object(tasks.deliver_pending, "schedule", side_effect=ConnectionError("down")),
        caplog.at_level(logging.WARNING, logger="onewindow.notify"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        n = services.notify("ready", to="13912345678", context={"number": "B3"})
    assert "could not enqueue the delivery" in caplog.text
    assert _states([n]) == {NotificationState.QUEUED: 1}  # the minutely sweep will send it


def test_immediate_mode_delivers_right_after_the_commit(
    immediate: None, caplog: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        mock.patch.object(tasks.deliver_pending, "schedule") as schedule,
        caplog.at_level(logging.INFO, logger="onewindow.notify"),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            n = services.notify("otp", to="13904799001", context={"code": "246810", "minutes": 5})
            assert _states([n]) == {NotificationState.QUEUED: 1}  # not before the commit
        assert _states([n]) == {NotificationState.SENT: 1}
        with django_capture_on_commit_callbacks(execute=True):
            m = services.notify("otp", to="13904799002", context={"code": "135791", "minutes": 5})
        assert _states([m]) == {NotificationState.SENT: 1}  # no debounce either
    schedule.assert_not_called()
    assert [line for line in _console(caplog) if "246810" in line or "135791" in line] == [
        delivery.console_line(n),
        delivery.console_line(m),
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
def test_eight_workers_at_once_send_each_notice_exactly_once() -> None:
    rows = [
        Notification.objects.create(channel="sms", template="otp", recipient=f"139{i:08d}", body=f"码 {i}")
        for i in range(120)
    ]
    sent: Counter[int] = Counter()
    lock = threading.Lock()
    original = delivery._send

    def counting(n: Notification) -> None:
        original(n)
        with lock:
            sent[n.pk] += 1

    start = threading.Barrier(8)
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            results.append(delivery.deliver_due(limit=5))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    with mock.patch.object(delivery, "_send", counting):
        threads = [threading.Thread(target=worker) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    assert sum(r["sent"] for r in results) == 120
    assert sent == Counter({n.pk: 1 for n in rows})
    assert _states(rows) == {NotificationState.SENT: 120}
