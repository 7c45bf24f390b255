"""The ledger's append-only event log and its watermark row (the write side of the rollups).

- :func:`append` — what a signal receiver does: ONE small INSERT of a :class:`LedgerEvent` in the
  event's own transaction. No shared row is read or locked, so concurrent intakes in one centre never
  wait on each other for the statistics.
- :func:`lock_mark` — the single :class:`FoldMark` row, locked by whoever folds (``fold.fold``) or
  rebuilds (``rollup.rebuild``); two folds never interleave. The lock is taken in the worker, on a
  dashboard read (small backlog only, never waiting) and by the rebuild — never on a write request.

Why the events are deleted when folded rather than read past an id watermark: an id is assigned at
INSERT, not at COMMIT, so a transaction that inserted id 100 may commit after one that inserted id 101
was folded; a fold that only read "id > watermark" would skip 100 for ever. Taking the rows that are
there (committed) and deleting them in the folding transaction is exact: an event is folded once,
whenever its transaction commits. The watermark the dashboards state is a *time*: ``FoldMark.as_of``,
the moment before the last fold that drained the log read it — every event committed before it is in
the rollups.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, connection, transaction

from onewindow.ledger.models import FoldMark, LedgerEvent

MARK = 1


def append(kind: str, object_id: int) -> None:
    """Log that the source row ``object_id`` of ``kind`` changed (in the caller's transaction)."""
    LedgerEvent.objects.create(kind=kind, object_id=object_id)


def lock_mark(*, wait: bool = True) -> FoldMark | None:
    """The watermark row, locked to the end of the current transaction (created on first use).
    ``wait=False``: ``None`` at once when another transaction holds it (PostgreSQL ``SKIP LOCKED``)."""
    qs = FoldMark.objects.select_for_update(skip_locked=not wait)
    mark = qs.filter(pk=MARK).first()
    if mark is not None:
        return mark
    if FoldMark.objects.filter(pk=MARK).exists():  # there, but locked by another fold
        return None
    try:
        with transaction.atomic():
            FoldMark.objects.create(pk=MARK)
    except IntegrityError:  # a concurrent first fold created it
        pass
    return qs.filter(pk=MARK).first()


def as_of() -> dt.datetime | None:
    """When the rollups were last known complete (``None``: never folded)."""
    return FoldMark.objects.filter(pk=MARK).values_list("as_of", flat=True).first()


def backlog(limit: int) -> int:
    """How many events wait to be folded, counted up to ``limit + 1`` (a bounded count)."""
    return LedgerEvent.objects.order_by()[: limit + 1].count()


def freeze_for_rebuild() -> None:
    """PostgreSQL, outermost transaction: REPEATABLE READ, so the rebuild's reads of the sources and
    of the pending events see one snapshot — the pending events it drops are exactly those whose rows
    it counted. (Inside an outer transaction, e.g. a test, the caller's isolation applies.)"""
    outermost = connection.in_atomic_block and not connection.savepoint_ids
    if connection.vendor == "postgresql" and outermost:
        with connection.cursor() as cur:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
