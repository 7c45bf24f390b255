"""Atomic counters and timed locks on Django's cache: rate limits and limits on guessing.

Redis (production), local memory and memcached do ``add`` + ``incr`` atomically. The file cache (the
default without Redis) does not: there every update runs under an exclusive ``flock`` on a lock file in
the cache directory, which serialises all threads and local processes sharing that cache.

Imports nothing from the domain apps, so any app may use it (like :mod:`onewindow.core.errors`).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.memcached import BaseMemcachedCache
from django.core.cache.backends.redis import RedisCache

ATOMIC_BACKENDS = (RedisCache, LocMemCache, BaseMemcachedCache)


def _backend() -> BaseCache:
    return caches["default"]


def digest(*parts: Any) -> str:
    """A short stable key part for free text (case numbers, phone indexes, addresses)."""
    raw = "\x1f".join(str(p) for p in parts)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


@contextmanager
def _file_lock(backend: BaseCache) -> Iterator[None]:
    directory = getattr(backend, "_dir", None)
    if not directory:
        directory = str(settings.DATA_DIR)
    os.makedirs(directory, exist_ok=True)
    fd = os.open(os.path.join(directory, ".throttle.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def hit(key: str, ttl: int) -> int:
    """Count one event under ``key`` and return the new count. The count expires ``ttl`` seconds after
    the first event (a fixed window). Atomic: N concurrent calls return 1…N exactly once each."""
    backend = _backend()
    ttl = max(1, int(ttl))
    if isinstance(backend, ATOMIC_BACKENDS):
        for _ in range(5):
            if backend.add(key, 1, timeout=ttl):
                return 1
            try:
                return int(backend.incr(key))
            except ValueError:  # expired between add and incr: start again
                continue
        return 1
    with _file_lock(backend):
        now = time.time()
        value = backend.get(key)
        if not (isinstance(value, tuple) and len(value) == 2 and value[1] > now):
            value = (0, now + ttl)
        value = (int(value[0]) + 1, float(value[1]))
        backend.set(key, value, timeout=max(1, int(value[1] - now) + 1))
        return value[0]


def count(key: str) -> int:
    """The current count under ``key`` (0 when none or expired)."""
    value = _backend().get(key)
    if isinstance(value, tuple):
        return int(value[0]) if value[1] > time.time() else 0
    return int(value or 0)


def reset(*keys: str) -> None:
    _backend().delete_many(list(keys))


def lock(key: str, seconds: int) -> None:
    """Lock ``key`` for ``seconds`` from now (an existing longer lock is kept)."""
    backend = _backend()
    until = time.time() + max(1, int(seconds))
    if locked_for(key) < seconds:
        backend.set(key, until, timeout=max(1, int(seconds)) + 1)


def locked_for(key: str) -> int:
    """Seconds left on the lock ``key`` (0: not locked)."""
    until = _backend().get(key)
    if not isinstance(until, (int, float)):
        return 0
    left = float(until) - time.time()
    return int(left + 0.999) if left > 0 else 0


def wait_text(seconds: int) -> str:
    """``seconds`` as Chinese minutes for a message (at least 1 minute)."""
    return f"{max(1, (int(seconds) + 59) // 60)} 分钟"
