"""Commits that need not wait for the disk themselves (PostgreSQL ``synchronous_commit = off``).

A synchronous commit waits for its WAL to be flushed (``fdatasync``): on the 2-core bench machine the
largest single PostgreSQL cost of an intake and of each worker step (issue #18). ``lazy_commit()``
makes the *current* transaction commit without that wait; PostgreSQL's WAL writer flushes it within
``3 × wal_writer_delay`` (0.6 s by default), and any later synchronous commit of any session flushes
it first (the WAL is one sequence: a flush up to a commit record flushes every earlier record).
A server crash inside that window loses the transaction as if it had never committed — never half of
it, never the order: the database stays consistent.

So it is used only where losing the last moment's commit loses nothing that matters:

- rows the worker derives again from what is still there (the ledger fold, the audit chain, the case
  tally compaction): a lost fold is folded again, exactly; and a notice's claim and its "sent" state
  after it was handed to the gateway (lost: the notice is due again and the worker sends it once more —
  at least once, never lost);
- a row written just *before* a synchronous write that carries the guarantee (the case numbers of
  ``core.counters``): the write's own commit flushes it, so it is durable no later than the write it
  accounts for. (The ``api.write`` audit entry of a token write is not lazy: it is written inside the
  write's own transaction, or — for a write that did not happen — in a synchronous one of its own at the
  end of the request; see ``core.audit.defer``.)

Never for the intake (or any other) legal record itself. SQLite, or inside a transaction someone else
commits (``atomic`` blocks of a caller, tests): nothing changes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import QuerySet, sql

ENABLED = True  # off: every commit waits for the disk (``bench/pg_cpu.py --ab`` measures both)


@contextlib.contextmanager
def lazy_commit() -> Iterator[None]:
    """``transaction.atomic()`` that, when it is the outermost transaction on PostgreSQL, commits
    without waiting for the WAL flush. Nested in a caller's transaction (whose commit is the one that
    counts) or on SQLite it is a plain ``atomic()``: the caller's durability is never relaxed."""
    outermost = ENABLED and connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if outermost:
            with connection.cursor() as cur:
                cur.execute("SET LOCAL synchronous_commit = off")
        yield


def lazy_update(queryset: QuerySet[Any], **values: Any) -> int:
    """``queryset.update(**values)`` committed like :func:`lazy_commit`, in ONE statement when it is its
    own transaction on PostgreSQL (``set_config(..., true)`` inside the UPDATE: no BEGIN, SET, COMMIT
    round trips; the session's setting is untouched). Otherwise the plain ``update``."""
    if not (ENABLED and connection.vendor == "postgresql" and not connection.in_atomic_block):
        return queryset.update(**values)
    query = cast(sql.UpdateQuery, queryset.query.chain(sql.UpdateQuery))
    query.add_update_values(values)
    update_sql, params = query.get_compiler(queryset.db).as_sql()
    head, where, tail = update_sql.partition(" WHERE ")
    relax = "(SELECT set_config('synchronous_commit', 'off', true)) AS lazy_commit"
    relaxed = f"{head} FROM {relax}{where}{tail}"
    with connection.cursor() as cur:
        cur.execute(relaxed, params)
        return int(cur.rowcount)
