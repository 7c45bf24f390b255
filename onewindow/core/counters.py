"""Race-free sequence numbers in a counter row (case numbers, queue tickets, proxy and complaint numbers).

:func:`next_value` hands out ``1, 2, 3 …`` per numbering scope (the counter model's key: a case-number
prefix of county and day, a centre's ticket category and day, …). Numbers are unique and increase
within a scope in the order they are taken.

PostgreSQL: taken outside the caller's transaction
    The number is taken by one statement (``INSERT … ON CONFLICT (key) DO UPDATE SET last = last + 1
    RETURNING last``) on a second, per-thread connection to the same database in autocommit mode, so
    the counter row is locked for that one statement and committed at once. Concurrent intakes of one
    scope therefore no longer queue on the counter row until each other's commit (it used to be the
    hottest lock of the intake: held from the number to the end of the transaction).
    The price: **a number whose transaction rolls back is not given out again** (编号作废/跳号): the
    next caller gets the next number and the scope shows a gap. Numbers are still unique and increase
    in the order they were taken; two intakes may commit in the other order (case …0007 visible a
    moment before …0006). Each thread that takes numbers keeps one more database connection.
    ``NUMBERS_OWN_CONNECTION`` off keeps the counter in the caller's transaction, as on SQLite (no
    gaps; the tests wrapped in one transaction, whose rows a second connection cannot see, do that).

SQLite: in the caller's transaction
    SQLite has one writer; the caller's transaction already holds the write lock
    (``transaction_mode=IMMEDIATE``), so a second connection would wait for it (a deadlock with
    ourselves). There the UPDATE ``last = last + 1`` runs in the caller's transaction as before: no gap
    on rollback. The first caller of a new key creates the row (a lost create race retries).
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from typing import Any

from django.conf import settings
from django.core.signals import request_finished
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, Field, Model
from django.db.utils import load_backend

from onewindow.core.errors import Conflict

NUMBERING_ALIAS = "numbering"

_local = threading.local()
_opened: weakref.WeakSet[_Numbering] = weakref.WeakSet()


def next_value(model: type[Model], **key: Any) -> int:
    """The next number of the scope ``key`` of counter ``model`` (see the module docstring)."""
    if _separate_step():
        return _next_committed(model, key)
    return _next_in_transaction(model, key)


def _separate_step() -> bool:
    return connections[DEFAULT_DB_ALIAS].vendor == "postgresql" and bool(settings.NUMBERS_OWN_CONNECTION)


def _next_in_transaction(model: type[Model], key: dict[str, Any]) -> int:
    manager = model._default_manager
    for _attempt in range(5):
        if manager.filter(**key).update(last=F("last") + 1):
            return int(manager.filter(**key).values_list("last", flat=True).get())
        try:
            with transaction.atomic():
                manager.create(**key, last=1)
            return 1
        except IntegrityError:
            continue
    raise Conflict("编号生成繁忙，请重试")


class _Numbering:
    """A thread's numbering connection; closed with the thread (its thread-local storage goes)."""

    def __init__(self) -> None:
        default = connections[DEFAULT_DB_ALIAS].settings_dict
        # Its own session on the same database; no per-request health check (a failure reconnects).
        settings_dict = {**default, "CONN_HEALTH_CHECKS": False}
        # Its commits need not wait for the disk: a number is durable no later than the row that uses
        # it — that row's transaction commits after it, with the server's synchronous_commit, and its
        # WAL flush takes the number's earlier commit record with it. A crash before that loses only
        # numbers no committed row carries (handed out again after the restart).
        options = dict(default.get("OPTIONS") or {})
        options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()
        settings_dict["OPTIONS"] = options
        self.conn: BaseDatabaseWrapper = load_backend(default["ENGINE"]).DatabaseWrapper(
            settings_dict, NUMBERING_ALIAS
        )

    def close(self) -> None:
        """Close (or, with a connection pool, give back) from any thread: it is idle between numbers."""
        self.conn.inc_thread_sharing()
        try:
            self.conn.close()
        finally:
            self.conn.dec_thread_sharing()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # the thread or the interpreter is going away
            self.close()


def numbering_connection() -> BaseDatabaseWrapper:
    """This thread's own connection for numbers: same settings as ``default``, its own session."""
    holder: _Numbering | None = getattr(_local, "holder", None)
    if holder is None:
        holder = _local.holder = _Numbering()
        _opened.add(holder)
    return holder.conn


def _upsert_sql(conn: BaseDatabaseWrapper, model: type[Model], key: dict[str, Any]) -> tuple[str, list[Any]]:
    q = conn.ops.quote_name
    meta = model._meta
    fields: list[Field[Any, Any]] = [meta.get_field(name) for name in key]  # type: ignore[misc]
    params = [
        f.get_db_prep_save(v.pk if isinstance(v, Model) else v, connection=conn)
        for f, v in zip(fields, key.values(), strict=True)
    ]
    cols = ", ".join(q(str(f.column)) for f in fields)
    table, last = q(meta.db_table), q("last")
    sql = (
        f"INSERT INTO {table} ({cols}, {last}) VALUES ({', '.join(['%s'] * len(fields))}, 1) "
        f"ON CONFLICT ({cols}) DO UPDATE SET {last} = {table}.{last} + 1 RETURNING {last}"
    )
    return sql, params


def _next_committed(model: type[Model], key: dict[str, Any]) -> int:
    conn = numbering_connection()
    sql, params = _upsert_sql(conn, model, key)
    for attempt in (1, 2):
        try:
            with conn.cursor() as cur:  # autocommit: one statement, committed at once
                cur.execute(sql, params)
                row = cur.fetchone()
            return int(row[0])
        except Exception:
            # A dropped connection (server restart, idle timeout): open a new one once. Had the
            # statement run before the drop, that number is a gap.
            if attempt == 2 or (conn.connection is not None and conn.is_usable()):
                raise
            conn.close()
    raise AssertionError("unreachable")  # pragma: no cover


def _close_if_obsolete(**_kwargs: Any) -> None:
    holder: _Numbering | None = getattr(_local, "holder", None)
    if holder is not None:
        holder.conn.close_if_unusable_or_obsolete()


def close_all() -> None:
    """Close every thread's numbering connection (e.g. before a test database is dropped)."""
    for holder in list(_opened):
        holder.close()


# Like Django's own connections: closed at the end of a request when too old or broken (CONN_MAX_AGE).
request_finished.connect(_close_if_obsolete, dispatch_uid="onewindow.core.counters")
