"""Databases for the benchmark: recreate them, and COPY generated rows with the indexes off."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .common import UTC


def admin_exec(base: str, *sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        for s in sql:
            conn.execute(s)  # type: ignore[arg-type]


def recreate(base: str, name: str) -> None:
    admin_exec(base, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}")


CONSTRAINTS = (
    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
    "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')"
)
INDEXES = (
    "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND NOT EXISTS "
    "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
)


@contextmanager
def bulk_load(cur: Any, table: str) -> Iterator[None]:
    """Drop the table's secondary indexes, unique and foreign-key constraints; recreate them after."""
    dropped: dict[str, list[tuple[str, str]]] = {}
    for kind, query, drop in (
        ("constraint", CONSTRAINTS, f'ALTER TABLE "{table}" DROP CONSTRAINT "{{}}"'),
        ("index", INDEXES, 'DROP INDEX "{}"'),
    ):
        cur.execute(query, (table,))
        dropped[kind] = cur.fetchall()
        for name, _definition in dropped[kind]:
            cur.execute(drop.format(name))
    yield
    for _name, definition in dropped["index"]:
        cur.execute(definition)
    for name, definition in dropped["constraint"]:
        cur.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')


def db_default(field: Any, now: dt.datetime) -> Any:
    """The value a COPY row gets for a model field the generator does not set."""
    from django.db import models

    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    if field.has_default():
        value = field.get_default()
        if isinstance(field, models.JSONField):
            return json.dumps(value, ensure_ascii=False)
        return value
    if field.null:
        return None
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, models.CharField | models.TextField):
        return ""
    if isinstance(field, models.IntegerField | models.DecimalField | models.FloatField):
        return 0
    raise RuntimeError(f"{field.model.__name__}.{field.name}: no value and no default for COPY")


def copy_rows(cur: Any, model: Any, rows: Iterator[dict[str, Any]]) -> int:
    """COPY dict rows (keyed by attname; JSON as text) into the model's table; missing → defaults."""
    now = dt.datetime.now(UTC)
    fields = list(model._meta.concrete_fields)
    columns = ", ".join(f'"{f.column}"' for f in fields)
    names = [f.attname for f in fields]
    defaults: dict[str, Any] | None = None
    n = 0
    with cur.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as cp:
        for row in rows:
            if defaults is None:  # from the first row: the fields the generator leaves out
                defaults = {f.attname: db_default(f, now) for f in fields if f.attname not in row}
            cp.write_row([row[k] if k in row else defaults[k] for k in names])
            n += 1
    return n


def reset_sequence(cur: Any, model: Any) -> None:
    table = model._meta.db_table
    cur.execute(
        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
        f'(SELECT COALESCE(MAX(id), 1) FROM "{table}"))'
    )
