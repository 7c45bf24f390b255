"""The lock discipline and the bounded retry at the write services' boundary (onewindow.core.locking)."""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

import psycopg.errors
import pytest
from django.db import DatabaseError, IntegrityError, OperationalError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from onewindow.cases.models import CaseCounter
from onewindow.core.errors import Conflict
from onewindow.core.locking import retry_atomic, retryable

pg_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="needs concurrent connections and row locks (PostgreSQL)"
)


def wrapped(cls: type[DatabaseError], cause: BaseException) -> DatabaseError:
    """A database error as Django raises it: its own class, the driver's error as ``__cause__``."""
    try:
        raise cls(str(cause)) from cause
    except DatabaseError as exc:
        return exc


def deadlock() -> DatabaseError:
    return wrapped(OperationalError, psycopg.errors.DeadlockDetected("deadlock detected"))


def test_what_counts_as_a_lost_race() -> None:
    assert retryable(deadlock())
    assert retryable(wrapped(OperationalError, psycopg.errors.SerializationFailure("could not serialize")))
    assert retryable(wrapped(OperationalError, sqlite3.OperationalError("database is locked")))
    assert retryable(wrapped(IntegrityError, psycopg.errors.UniqueViolation("duplicate key")))
    assert not retryable(wrapped(IntegrityError, psycopg.errors.NotNullViolation("null value")))
    assert not retryable(wrapped(OperationalError, sqlite3.OperationalError("no such table: x")))
    assert not retryable(wrapped(DatabaseError, psycopg.errors.UndefinedColumn("no such column")))
    assert not retryable(ValueError("database is locked"))


@pytest.mark.django_db(transaction=True)
def test_a_lost_race_reruns_the_whole_transaction(settings: Any) -> None:
    settings.DB_RETRY_BASE_SECONDS = 0
    calls: list[int] = []

    @retry_atomic
    def write() -> str:
        calls.append(1)
        CaseCounter.objects.create(prefix=f"P{len(calls)}", last=1)
        if len(calls) < 3:
            raise deadlock()
        return "ok"

    assert write() == "ok"
    assert len(calls) == 3
    assert list(CaseCounter.objects.values_list("prefix", flat=True)) == ["P3"]  # attempts 1-2 rolled back


@pytest.mark.django_db(transaction=True)
def test_retries_are_bounded_and_end_in_conflict(settings: Any) -> None:
    settings.DB_RETRY_ATTEMPTS = 3
    settings.DB_RETRY_BASE_SECONDS = 0
    calls: list[int] = []

    @retry_atomic
    def always_loses() -> None:
        calls.append(1)
        raise deadlock()

    with pytest.raises(Conflict) as info:
        always_loses()
    assert len(calls) == 3 and info.value.code == "conflict" and info.value.status == 409

    @retry_atomic
    def duplicate() -> None:
        calls.append(1)
        raise wrapped(IntegrityError, psycopg.errors.UniqueViolation("duplicate key"))

    calls.clear()
    with pytest.raises(IntegrityError):  # a unique violation that keeps repeating is a bug: not hidden
        duplicate()
    assert len(calls) == 3

    @retry_atomic
    def broken() -> None:
        calls.append(1)
        raise wrapped(OperationalError, sqlite3.OperationalError("no such table: x"))

    calls.clear()
    with pytest.raises(OperationalError):
        broken()
    assert len(calls) == 1  # not a race: never rerun


@pytest.mark.django_db(transaction=True)
def test_no_retry_inside_an_outer_transaction(settings: Any) -> None:
    settings.DB_RETRY_BASE_SECONDS = 0
    calls: list[int] = []

    @retry_atomic
    def loses_once() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise deadlock()

    with pytest.raises(OperationalError), transaction.atomic():
        loses_once()  # a savepoint cannot recover an aborted transaction: the outer block decides
    assert len(calls) == 1
    loses_once()
    assert len(calls) == 2


@pg_only
@pytest.mark.django_db(transaction=True)
def test_a_real_deadlock_is_retried_and_both_writers_succeed(settings: Any) -> None:
    """Two writers lock two counter rows in opposite orders; PostgreSQL aborts one, which reruns."""
    settings.DB_RETRY_BASE_SECONDS = 0.05
    CaseCounter.objects.bulk_create([CaseCounter(prefix="A", last=0), CaseCounter(prefix="B", last=0)])
    barrier = threading.Barrier(2)
    calls: list[str] = []
    errors: list[BaseException] = []

    def writer(first: str, second: str) -> None:
        @retry_atomic
        def bump_both() -> None:
            calls.append(first)
            CaseCounter.objects.filter(prefix=first).update(last=1)
            if calls.count(first) == 1:
                barrier.wait(timeout=10)  # both hold their first row: the second UPDATE deadlocks
            CaseCounter.objects.filter(prefix=second).update(last=2)

        try:
            bump_both()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=pair) for pair in (("A", "B"), ("B", "A"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert len(calls) == 3  # one of the two lost the deadlock once and ran again


@pg_only
def test_intake_locks_only_its_own_rows(world: Any) -> None:
    """Every row lock an intake takes is ``FOR UPDATE OF`` its own table (no joined jurisdiction)."""
    from onewindow.cases.services import case_intake
    from onewindow.org.actors import actor_of
    from tests.cases.conftest import ALL_MATERIALS, applicant, user

    args = {"item": "MZ-001", "centre": "C-A", "materials": ALL_MATERIALS, "form": {"reason": "x"}}
    case_intake(actor=actor_of(user("clerk")), applicant=applicant(), **args)
    with CaptureQueriesContext(connection) as ctx:
        case_intake(actor=actor_of(user("clerk")), applicant=applicant(), **args)  # a returning resident
    locks = [q["sql"] for q in ctx.captured_queries if "FOR UPDATE" in q["sql"] or "FOR NO KEY" in q["sql"]]
    assert any('"org_resident"' in sql for sql in locks)
    for sql in locks:
        assert " FOR UPDATE OF " in sql or " FOR NO KEY UPDATE OF " in sql, sql
        assert "org_jurisdiction" not in sql.split(" FOR ")[-1], sql
