"""Helpers shared by test folders that are neither fixtures nor factories: requests started together in
threads (PostgreSQL), Python run in a subprocess from the repository root, and data loaded once for many
tests inside a transaction that is rolled back."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
from django.db import connections, transaction

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")

# The marks of a module whose tests race real transactions against each other.
CONCURRENT_ON_POSTGRES = [
    pytest.mark.skipif(
        "connection.vendor != 'postgresql'",
        reason="concurrency is proven on PostgreSQL (the SQLite test database is in memory)",
    ),
    pytest.mark.django_db(transaction=True),
]


def run_threads(n: int, work: Callable[[int], list[T]]) -> list[T]:
    """Run ``work(i)`` in ``n`` threads started together; each closes its connections at the end."""
    barrier = threading.Barrier(n)

    def one(i: int) -> list[T]:
        try:
            barrier.wait()
            return work(i)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return [r for part in pool.map(one, range(n)) for r in part]


def python_process(
    args: list[str], env: dict[str, str], timeout: int = 120
) -> subprocess.CompletedProcess[str]:
    """This interpreter with ``args``, run from the repository root, its output captured as text."""
    return subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_python(args: list[str], env: dict[str, str], timeout: int = 120) -> str:
    """:func:`python_process` that fails the test on a non-zero exit (showing its stderr); its stdout."""
    r = python_process(args, env, timeout)
    assert r.returncode == 0, r.stderr
    return r.stdout


@contextmanager
def rolled_back(django_db_blocker: Any) -> Iterator[None]:
    """For a wide-scoped fixture: what is written inside is seen by the tests and rolled back at the end
    (each test still runs in its own savepoint)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


class Clock:
    """Controls ``django.utils.timezone.now`` (and so every local date) during a test: the ``clock``
    fixture (tests/conftest.py) patches it in; ``set_day`` jumps to a day, ``advance`` moves on."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def set_day(self, day: dt.date, hour: int = 10) -> None:
        self.now = dt.datetime.combine(day, dt.time(hour), tzinfo=self.now.tzinfo)

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)

    def __call__(self) -> dt.datetime:
        return self.now
