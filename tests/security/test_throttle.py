"""Rate limits under real conditions: an atomic counter (a concurrent burst lets exactly the limit
through) and no skipping the anonymous limit with a made-up ``Authorization`` header."""

from __future__ import annotations

import threading
from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory

from onewindow.core import throttle
from onewindow.core.ratelimit import RateLimited, check_rate


def _burst(n: int, fn: Any) -> list[Any]:
    barrier = threading.Barrier(n)
    out: list[Any] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        out[i] = fn()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_counter_is_atomic_under_a_burst() -> None:
    cache.clear()
    counts = _burst(60, lambda: throttle.hit("t:burst", 60))
    assert sorted(counts) == list(range(1, 61))
    assert throttle.count("t:burst") == 60


def test_a_burst_of_120_lets_exactly_the_limit_through() -> None:
    cache.clear()
    request = RequestFactory().get("/api/v1/progress", REMOTE_ADDR="203.0.113.7")

    def one() -> bool:
        try:
            check_rate(request, "progress", limit=30, per_seconds=60)
            return True
        except RateLimited:
            return False

    with mock.patch("onewindow.core.ratelimit.time.time", return_value=1_800_000_010.0):
        passed = _burst(120, one)
    assert passed.count(True) == 30


def test_counter_and_lock_expire() -> None:
    cache.clear()
    assert throttle.hit("t:exp", 60) == 1 and throttle.hit("t:exp", 60) == 2
    throttle.reset("t:exp")
    assert throttle.count("t:exp") == 0
    throttle.lock("t:lock", 120)
    assert 110 < throttle.locked_for("t:lock") <= 120
    with mock.patch("onewindow.core.throttle.time.time", return_value=__import__("time").time() + 121):
        assert throttle.locked_for("t:lock") == 0


def test_concurrent_anonymous_posts_over_http(settings: Any) -> None:
    """120 concurrent anonymous POSTs from one address: exactly PUBLIC_POST_RATE_LIMIT pass."""
    cache.clear()
    settings.PUBLIC_POST_RATE_LIMIT = 30

    def one() -> int:
        return Client().post("/no-such-endpoint/", {}, REMOTE_ADDR="203.0.113.8").status_code

    with mock.patch("onewindow.core.ratelimit.time.time", return_value=1_800_000_010.0):
        codes = _burst(120, one)
    assert codes.count(429) == 90 and codes.count(404) == 30


@pytest.mark.django_db
def test_junk_authorization_header_does_not_skip_the_anonymous_limit(client: Client, settings: Any) -> None:
    cache.clear()
    settings.PUBLIC_POST_RATE_LIMIT = 3
    codes = [
        client.post(
            "/api/v1/complaints", {}, content_type="application/json", HTTP_AUTHORIZATION="Bearer junk"
        ).status_code
        for _ in range(5)
    ]
    assert codes[3:] == [429, 429]


@pytest.mark.django_db
def test_a_real_token_still_skips_the_anonymous_limit(world: dict[str, Any], settings: Any) -> None:
    from onewindow.api.tokens import token_create

    cache.clear()
    settings.PUBLIC_POST_RATE_LIMIT = 2
    _row, key = token_create(username="clerk")
    client = Client()
    codes = [
        client.post(
            "/api/v1/complaints", {}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
        ).status_code
        for _ in range(4)
    ]
    assert 429 not in codes
