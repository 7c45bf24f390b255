from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.factories import build_world


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    return build_world()


@pytest.fixture
def login(client: Client) -> Any:
    def _login(username: str) -> Client:
        from django.contrib.auth import get_user_model

        client.force_login(get_user_model().objects.get(username=username))
        return client

    return _login


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hasher() -> None:
    """PBKDF2 with production iterations costs ~0.5 s per user here; tests use a cheap hasher."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
