"""Per-process caches of rarely changing rows, invalidated on change in every process.

A :class:`ReadCache` keeps values in a process-local dict and remembers the *generation* it loaded
them under. The generation lives in Django's shared cache (file cache on one host, Redis across
hosts) under one key shared by every ReadCache (one read per request instead of one per cache: a
change of any of these rarely changing rows reloads all of them, issue #18), so every process sees a
bump: the app owning the rows bumps it from its ``post_save`` /
``post_delete`` receivers (and domain signals such as ``calendar_loaded``), and each process compares
its generation with the shared one before it answers and drops everything when they differ.

- ``get(key, load)`` — the cached value, or ``load()`` stored under the current generation;
- ``bump()`` — invalidate in all processes; inside a transaction it bumps again on commit (a process
  that reloaded between the two bumps read the old committed rows), and values read by this thread
  until then are not kept (they may never commit);
- within one request the generation is read once (a request sees one consistent snapshot; the
  request boundary is ``request_started`` / ``request_finished``); outside a request (tasks,
  commands, tests) it is read at every ``get``.

Users: ``catalog`` (published item versions with their materials and form fields), ``worktime``
(the working calendar's years), ``org`` (centres, jurisdictions, the staff record of an actor).
No answer a user could see as stale: a process never answers from a generation older than the shared
one it read at the start of the request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import connection, transaction

T = TypeVar("T")
GENERATION_KEY = "readcache:generation"

_local = threading.local()  # per thread: in_request, seen {key: generation}, pending {names}


def _request_started(**_kwargs: Any) -> None:
    _local.in_request = True
    _local.seen = {}


def _request_finished(**_kwargs: Any) -> None:
    _local.in_request = False
    _local.seen = {}


request_started.connect(_request_started, dispatch_uid="core.readcache.started")
request_finished.connect(_request_finished, dispatch_uid="core.readcache.finished")


def _transaction() -> Any:
    """The outermost ``atomic()`` block that may still roll back, else ``None``."""
    return connection.atomic_blocks[0] if connection.atomic_blocks else None


class ReadCache:
    """A process-local cache for one kind of rows, sharing its generation through Django's cache."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.key = GENERATION_KEY
        self._values: dict[Hashable, Any] = {}
        self._generation: Any = None
        self._lock = threading.Lock()

    def generation(self) -> Any:
        seen: dict[str, Any] | None = (
            getattr(_local, "seen", None) if getattr(_local, "in_request", False) else None
        )
        if seen is not None and self.key in seen:
            return seen[self.key]
        value = cache.get(self.key)
        if value is None:  # never set or evicted: start a new generation everywhere
            cache.add(self.key, time.time_ns(), None)
            value = cache.get(self.key)
        if seen is not None:
            seen[self.key] = value
        return value

    def get(self, key: Hashable, load: Callable[[], T]) -> T:
        generation = self.generation()
        pending: dict[str, Any] = getattr(_local, "pending", {})
        if self.name in pending:
            if any(b is pending[self.name] for b in connection.atomic_blocks):
                return load()  # this thread changed the rows and has not committed: do not keep
            del pending[self.name]  # that transaction ended (rolled back: nothing was kept)
        with self._lock:
            if generation != self._generation:
                self._values = {}
                self._generation = generation
            values = self._values
        try:
            return values[key]  # type: ignore[no-any-return]
        except KeyError:
            value = load()
            values[key] = value
            return value

    def clear_local(self) -> None:
        with self._lock:
            self._values = {}
            self._generation = None

    def bump(self) -> None:
        """Invalidate in every process (now, and again when the current transaction commits)."""
        self._bump()
        block = _transaction()
        if block is not None:
            pending: dict[str, Any] = getattr(_local, "pending", None) or {}
            pending[self.name] = block
            _local.pending = pending
            transaction.on_commit(self._committed)

    def _committed(self) -> None:
        getattr(_local, "pending", {}).pop(self.name, None)
        self._bump()

    def _bump(self) -> None:
        self.clear_local()
        seen = getattr(_local, "seen", None)
        if seen:
            seen.pop(self.key, None)
        try:
            cache.incr(self.key)
        except ValueError:  # not set (or evicted): any new value differs from what processes hold
            cache.set(self.key, time.time_ns(), None)


def receiver_bumping(*caches: ReadCache) -> Callable[..., None]:
    """A signal receiver that bumps ``caches`` (connect it with ``weak=False``)."""

    def bump(**_kwargs: Any) -> None:
        for c in caches:
            c.bump()

    return bump
