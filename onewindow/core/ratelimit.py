"""A small fixed-window rate limiter on Django's cache (per client address and scope).

The counter is atomic (:func:`onewindow.core.throttle.hit`): of a burst of concurrent requests exactly
``limit`` pass, on Redis as well as on the file cache used without Redis.
"""

from __future__ import annotations

import time

from django.http import HttpRequest

from onewindow.core import throttle
from onewindow.core.errors import DomainError


class RateLimited(DomainError, status=429, code="rate_limited", message="查询过于频繁，请稍后再试"):
    pass


def check_rate(request: HttpRequest, scope: str, *, limit: int, per_seconds: int) -> None:
    ip = request.META.get("REMOTE_ADDR", "unknown")
    window = int(time.time() // per_seconds)
    key = f"rl:{scope}:{ip}:{window}"
    if throttle.hit(key, per_seconds + 5) > limit:
        raise RateLimited()
