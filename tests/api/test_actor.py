"""The API authentication resolves the caller's Actor once (``request.actor``), when it identifies the
caller; handlers read it with ``request_actor(request)`` without another lookup."""

from __future__ import annotations

from typing import Any

from django.test import RequestFactory

from onewindow.api.tokens import token_create
from onewindow.core.actor import Actor
from onewindow.core.apiauth import bearer, django_auth, optional_auth
from onewindow.org.actors import request_actor


def test_token_and_session_auth_set_the_actor(world: dict[str, Any]) -> None:
    _row, key = token_create(username="clerk")
    request = RequestFactory().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    user = bearer(request)
    actor = request.actor  # type: ignore[attr-defined]
    assert isinstance(actor, Actor) and actor.user == user and actor.staff is not None
    assert "clerk" in actor.roles and request_actor(request) is actor

    request = RequestFactory().get("/api/v1/me")
    request.user = world["people"]["reviewer"].user
    assert django_auth(request) == request.user
    assert request.actor.staff == world["people"]["reviewer"]  # type: ignore[attr-defined]

    request = RequestFactory().get("/api/v1/centres")
    request.user = world["people"]["agent"].user
    assert optional_auth(request) == request.user
    assert request.actor.user == request.user  # type: ignore[attr-defined]
