"""Hot single-row look-ups whose SQL Django compiles once per thread instead of at every call.

Django compiles a queryset's SQL each time it is evaluated: for a ``select_related`` look-up of one
row that is about 0.5 ms of CPU on the benchmark machine, several times the statement's own round
trip (issue #18: every API request looks its token up; every intake its applicant). A
:class:`PreparedFirst` builds the queryset once per thread and database connection with marker
values for its parameters, keeps the compiled SQL and compiler, and then only runs the SQL with the
new values and builds the instance (and its ``select_related`` ones) the way Django's
``ModelIterable`` does — the same statement, the same objects, the same converters.

Only for querysets whose parameters are exactly the values given (equality look-ups on text
columns): anything else fails loudly at the first compile, never silently.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet, sql
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]
from django.db.transaction import TransactionManagementError

M = TypeVar("M", bound=Model)


class _Compiled:
    def __init__(self, queryset: QuerySet[Any], markers: tuple[str, ...], connection: Any) -> None:
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        try:
            self.positions = [markers.index(p) for p in params]
        except ValueError:
            raise ValueError(f"not a prepared look-up: parameters {params!r}") from None
        self.connection = connection
        self.sql = sql
        self.compiler = compiler
        self.for_update = bool(queryset.query.select_for_update) and connection.features.has_select_for_update
        select, klass_info = compiler.select, compiler.klass_info
        assert klass_info is not None and not compiler.annotation_col_map
        assert not queryset._known_related_objects  # type: ignore[attr-defined]
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [f[0].target.attname for f in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, connection.alias)
        self.converters = compiler.get_converters([s[0] for s in select[0 : compiler.col_count]])


class PreparedFirst(Generic[M]):
    """``build(*values).first()``, compiled once per thread: ``PreparedFirst(build, arity)(*values)``.

    ``build`` must return the same query for any values (the values only fill its parameters) and
    order its rows (``first()``'s ordering by primary key is not added here); it is limited to one row."""

    def __init__(self, build: Callable[..., QuerySet[M]], arity: int) -> None:
        self.build = build
        self.markers = tuple(f"\x00prepared-{id(self)}-{i}\x00" for i in range(arity))
        self._local = threading.local()

    def _compiled(self) -> _Compiled:
        compiled: _Compiled | None = getattr(self._local, "compiled", None)
        if compiled is not None and compiled.connection is connections[compiled.connection.alias]:
            return compiled
        queryset = self.build(*self.markers)[:1]
        compiled = _Compiled(queryset, self.markers, connections[queryset.db])
        self._local.compiled = compiled
        return compiled

    def __call__(self, *values: Any) -> M | None:
        c = self._compiled()
        if c.for_update and c.connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        with c.connection.cursor() as cursor:
            cursor.execute(c.sql, [values[i] for i in c.positions])
            row = cursor.fetchone()
        if row is None:
            return None
        if c.converters:
            row = next(iter(c.compiler.apply_converters([row], c.converters)))
        obj: M = c.model.from_db(c.connection.alias, c.init_list, row[c.start : c.end])
        for populator in c.populators:
            populator.populate(row, obj)
        return obj


class _Insert:
    """One model's INSERT of one row with given columns, as Django compiled it the first time."""

    def __init__(self, compiler: Any, fields: list[Any], returning: list[Any], connection: Any) -> None:
        [(self.sql, params)] = compiler.as_sql()
        self.fields = fields
        self.returning = returning
        self.returning_params = compiler.returning_params if returning else ()
        self.connection = connection
        # one plain %s per column (no field placeholder, no expression): else never cached
        self.ok = len(params) == len(fields) + len(self.returning_params) and not any(
            hasattr(f, "get_placeholder") for f in fields
        )
        table = compiler.query.get_meta().db_table
        self.cols = [f.get_col(table) for f in returning]
        self.compiler = compiler
        self.converters = compiler.get_converters(self.cols) if returning else {}


_inserts = threading.local()


class CompiledInsert:
    """Model mixin (before ``models.Model``): ``save()``'s INSERT compiled once per thread and column set.

    Everything else of ``save()`` stays Django's (the model's own ``save``, signals, ``pre_save`` of
    the fields, ``get_db_prep_save``, the returned columns and their converters); only the SQL text
    is reused. A value that is an expression (``F()``, ``Now()``) takes Django's own path."""

    def _do_insert(
        self, manager: Any, using: str, fields: list[Any], returning_fields: Any, raw: bool
    ) -> Any:
        connection = connections[using]
        returning = list(returning_fields or [])
        if raw or not fields or (returning and not connection.features.can_return_columns_from_insert):
            return super()._do_insert(manager, using, fields, returning_fields, raw)  # type: ignore[misc]
        cache: dict[Any, _Insert] = _inserts.__dict__.setdefault("by_key", {})
        key = (type(self), using, tuple(f.attname for f in fields), tuple(f.attname for f in returning))
        insert = cache.get(key)
        if insert is not None and insert.connection is not connection:
            insert = None
        if insert is None:  # compiled on a blank instance: this row's values are prepared once, below
            model: Any = type(self)
            query = sql.InsertQuery(model)
            query.insert_values(fields, [model()], raw=False)
            compiler = query.get_compiler(using=using)
            compiler.returning_fields = returning
            insert = cache[key] = _Insert(compiler, fields, returning, connection)
        if not insert.ok:
            return super()._do_insert(manager, using, fields, returning_fields, raw)  # type: ignore[misc]
        values = [f.pre_save(self, True) for f in fields]
        if any(hasattr(v, "resolve_expression") for v in values):
            return super()._do_insert(manager, using, fields, returning_fields, raw)  # type: ignore[misc]
        params = [f.get_db_prep_save(v, connection=connection) for f, v in zip(fields, values, strict=True)]
        with connection.cursor() as cursor:
            cursor.execute(insert.sql, (*params, *insert.returning_params))
            if not returning:
                return []
            rows = [connection.ops.fetch_returned_insert_columns(cursor, insert.returning_params)]
        if insert.converters:
            rows = list(insert.compiler.apply_converters(rows, insert.converters))
        return rows
