from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from tests.factories import build_world
from tests.support import Clock


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    return build_world()


@pytest.fixture
def login(client: Client) -> Any:
    def _login(username: str) -> Client:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.get(username=username)
        client.force_login(user)
        otp_verify_session(client, user)
        return client

    return _login


def otp_verify_session(client: Client, user: Any) -> None:
    """Mark a force-logged-in session as past the TOTP step (privileged roles need it; see security)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from onewindow.security.middleware import otp_required_for

    if not otp_required_for(user):
        return
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()


@pytest.fixture(autouse=True)
def _fresh_counters() -> None:
    """Guessing counters and locks (progress checks, SMS codes) live in the cache, which outlives a test's
    database: start every test with none, as a fresh database would."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _numbers_in_test_transaction(request: pytest.FixtureRequest, settings: Any) -> None:
    """A test wrapped in one transaction (pytest-django's ``db``) holds rows that a second connection
    cannot see (a new centre), so there numbers are taken in that transaction
    (``NUMBERS_OWN_CONNECTION`` off, as on SQLite); tests with real transactions (``transactional_db``,
    ``django_db(transaction=True)``, ``live_server``) keep the production path."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if not transactional:
        settings.NUMBERS_OWN_CONNECTION = False


@pytest.fixture(autouse=True)
def _readcache_commits_with_the_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test wrapped in one transaction (pytest-django's ``db``: Django's ``TestCase`` blocks) never
    commits, yet what runs inside it stands for committed work. ``core.readcache`` must not take that
    wrapping block for a transaction that may still roll back (it would stop caching for the rest of
    the test): its outermost block is the first one the test itself opened."""
    from django.db import connection

    from onewindow.core import readcache

    def outermost() -> Any:
        return next((b for b in connection.atomic_blocks if not getattr(b, "_from_testcase", False)), None)

    monkeypatch.setattr(readcache, "_transaction", outermost)


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hasher() -> None:
    """PBKDF2 with production iterations costs ~0.5 s per user here; tests use a cheap hasher."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The per-address limits on anonymous POSTs and logins (security) would trip over the suite's own
    # traffic from one address; tests/security sets them low where it tests them.
    settings.PUBLIC_POST_RATE_LIMIT = 1_000_000
    settings.LOGIN_RATE_LIMIT = 1_000_000


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any) -> Any:
    """PostgreSQL: numbers are taken on each thread's own connection (onewindow.core.counters); close
    them before pytest-django drops the test database."""
    yield
    from onewindow.core import counters

    counters.close_all()


@pytest.fixture
def clock() -> Iterator[Clock]:
    """``django.utils.timezone.now`` under the test's control, from 2026-09-01 10:00 Beijing time."""
    c = Clock(dt.datetime(2026, 9, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai")))
    with mock.patch("django.utils.timezone.now", c):
        yield c
