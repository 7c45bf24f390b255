"""Row locks and transaction retries: the one place that says how writes hold locks.

Lock only what must be locked
    Every ``select_for_update`` names ``of=("self",)``: on PostgreSQL a bare ``FOR UPDATE`` also
    locks every joined row (``select_related`` and joins of a model's default ``ordering``), e.g. the
    township's ``org_jurisdiction`` row behind a resident, which every intake of that township then
    queues on. A lock that reads with ``.first()`` clears the default ordering (``order_by()`` or
    ``order_by("pk")``) so no join is needed; several rows of one table are locked in primary-key
    order. Reference rows (jurisdictions, centres, items, departments, windows) are never locked:
    foreign keys to them take PostgreSQL's weak ``FOR KEY SHARE`` only.

The lock order (every write takes its locks in this order, skipping what it does not need)
    1. the proxy service's own rows: handoff ``Batch`` → its ``BatchItem`` rows → ``ProxyRequest``
       rows (by pk);
    2. the portal's ``OtpChallenge`` / ``ResidentAccount`` → ``Resident`` (looked up by blind index,
       locked or inserted);
    3. the subject row of the action: ``Case`` (``version`` check in the UPDATE, or
       ``select_for_update``), ``Ticket``, ``Appointment``, ``Visit``;
    4. rows owned by that subject: ``Rating`` → ``Rectification`` / ``RatingAppeal``, ``CaseReview``;
    5. counter rows that hand out numbers (``CaseCounter``, ``TicketCounter``, ``SlotCounter``, the
       proxy counters): each is one short ``UPDATE last = last + 1``. ``SlotCounter`` (and, on SQLite,
       every counter) is held to the commit, so it comes after every per-object lock; on PostgreSQL
       the number counters are taken on a separate connection and committed at once
       (:mod:`onewindow.core.counters`), holding nothing;
    6. appends that only insert (timeline ``CaseEvent`` / ``ProxyEvent``, outbox, notifications);
    7. (none for the statistics: the ledger's receivers only append a ``LedgerEvent``; the worker
       folds them into the rollups under its own watermark row, ``ledger.fold``);
    8. the security audit entry: an insert only; the chain head (``AuditHead`` pk 1) is locked by the
       worker's chaining step, never on the request path.
    A write that creates a case from a proxy request (``prereview_pass``) therefore goes
    ProxyRequest → Resident → CaseCounter → Case, the same order as a window intake. Inserting
    a new row (a new case, event, rating) takes no lock another transaction could already hold, so it
    may come anywhere. Catalog edits lock ``Item`` → ``ItemVersion`` and nothing else.

Retry at the service boundary
    PostgreSQL may still abort one of two transactions (``deadlock_detected`` 40P01,
    ``serialization_failure`` 40001) and SQLite may report ``database is locked`` after its busy
    timeout; two transactions may also both insert the first row of one unique key (23505: a new
    resident). None of these is the user's fault, and a rerun of the *whole* transaction sees the
    winner's committed rows. :func:`retry_atomic` wraps a write service: outside any transaction it
    runs the function in ``transaction.atomic`` and reruns it (at most ``DB_RETRY_ATTEMPTS`` times,
    jittered exponential backoff) on those errors; a lost race still lost after the last attempt is
    409 ``conflict`` (a unique violation that keeps repeating is a bug and is re-raised as is).
    Inside an outer ``atomic`` block it is a plain savepoint and never retries: after such an error
    PostgreSQL has aborted the whole outer transaction, so only the outermost block can rerun; that
    block (a view wrapping several services, a test) owns the retry or lets the error through.
    Functions so wrapped must be safe to rerun: no side effect outside the database before the commit
    (``transaction.on_commit`` callbacks of a failed attempt are discarded with it).
"""

from __future__ import annotations

import functools
import logging
import random
import sqlite3
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction

from onewindow.core import audit
from onewindow.core.errors import Conflict

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

RETRY_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure
UNIQUE_VIOLATION = "23505"


def _sqlstate(exc: BaseException) -> str:
    """The SQLSTATE of a database error Django wrapped (psycopg 3 ``sqlstate``, psycopg2 ``pgcode``)."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        code = getattr(cur, "sqlstate", None) or getattr(cur, "pgcode", None)
        if code:
            return str(code)
        cur = cur.__cause__ or cur.__context__
    return ""


def _sqlite_locked(exc: BaseException) -> bool:
    cause = exc.__cause__ if isinstance(exc.__cause__, sqlite3.OperationalError) else exc
    text = str(cause).lower()
    return "database is locked" in text or "database table is locked" in text


def retryable(exc: BaseException) -> bool:
    """Whether ``exc`` is a lost race that a rerun of the whole transaction can win."""
    if not isinstance(exc, DatabaseError):
        return False
    if _sqlstate(exc) in RETRY_SQLSTATES:
        return True
    if isinstance(exc, IntegrityError):
        return _sqlstate(exc) == UNIQUE_VIOLATION
    return _sqlite_locked(exc)


def _attempts() -> int:
    return max(1, int(settings.DB_RETRY_ATTEMPTS))


def _pause(attempt: int) -> None:
    base = float(settings.DB_RETRY_BASE_SECONDS)
    time.sleep(random.uniform(0, base * (2 ** (attempt - 1))))  # full jitter


def run_with_retry(fn: Callable[[], Any], *, name: str = "", using: str | None = None) -> Any:
    """Run ``fn`` in its own transaction, rerunning it on a lost race (see the module docstring)."""
    if transaction.get_connection(using).in_atomic_block:
        with transaction.atomic(using=using):
            return fn()
    attempts = _attempts()
    for attempt in range(1, attempts + 1):
        try:
            with transaction.atomic(using=using):
                result = fn()
                written = audit.flush_deferred()  # the request's entries for this write, in its transaction
            audit.forget(written)
            return result
        except DatabaseError as exc:
            if not retryable(exc):
                raise
            if attempt == attempts:
                if isinstance(exc, IntegrityError):
                    raise
                log.warning("%s: lost a database race %d times, giving up: %s", name, attempts, exc)
                raise Conflict("系统繁忙（并发冲突），请稍后重试", code="conflict") from exc
            log.info(
                "%s: lost a database race (attempt %d of %d), retrying: %s", name, attempt, attempts, exc
            )
            _pause(attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def retry_atomic(func: F) -> F:
    """Decorator for a write service: ``transaction.atomic`` plus the bounded retry at the boundary."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return run_with_retry(lambda: func(*args, **kwargs), name=func.__qualname__)

    return cast(F, wrapper)
