"""A small fixed-window rate limiter on Django's cache (per client address and scope)."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest

from onewindow.errors import DomainError


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"
    default_message = "查询过于频繁，请稍后再试"


def check_rate(request: HttpRequest, scope: str, *, limit: int, per_seconds: int) -> None:
    ip = request.META.get("REMOTE_ADDR", "unknown")
    window = int(time.time() // per_seconds)
    key = f"rl:{scope}:{ip}:{window}"
    added = cache.add(key, 1, timeout=per_seconds + 5)
    count = 1 if added else cache.incr(key)
    if count > limit:
        raise RateLimited()
