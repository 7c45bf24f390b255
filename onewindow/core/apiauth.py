"""API authentication for every app's router: Bearer token or session, role gates, public operations.

Each app's router (``<app>/api.py``) sits below the ``api`` edge, so it cannot import ``api``; the
authentication it needs lives here, domain-free. What only an upper app knows is installed once by
that app's ``AppConfig.ready()`` (an extension point):

- ``token_lookup(token) -> row | None`` — the ``api`` app (its ``ApiToken`` table);
- ``admin_denied(user, path, view_name) -> bool`` — the 三员分立 rule (``security.policy``);
- ``actor_of(user) -> Actor`` — ``org.actors.actor_of`` (installed by ``api``): the authentication sets
  ``request.actor`` once, when it identifies the caller, so a handler's ``request_actor(request)``
  reads it without another lookup;

Token *management* (issue, list, revoke; system accounts) is the other half of the token extension
point: :mod:`onewindow.core.apitokens`, installed by the same ``api`` app.

``AUTH`` is the usual pair (Bearer token, session); ``role_auth(allowed, what)`` the same pair
refusing with 403 a caller for whom ``allowed(user)`` is false *before* the body is read;
``PUBLIC`` identifies a caller when it can and otherwise treats it as anonymous.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.signals import request_finished, request_started
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth
from ninja.utils import check_csrf

from onewindow.core import audit
from onewindow.core.errors import Forbidden

_hooks: dict[str, Callable[..., Any]] = {}


def install(
    *,
    token_lookup: Callable[[str], Any] | None = None,
    admin_denied: Callable[[Any, str, str], bool] | None = None,
    actor_of: Callable[[Any], Any] | None = None,
) -> None:
    """Called by the app that knows the answer (``api`` for the token table and the actor,
    ``security``'s rule for 三员分立, installed by ``api``)."""
    if token_lookup is not None:
        _hooks["token_lookup"] = token_lookup
    if admin_denied is not None:
        _hooks["admin_denied"] = admin_denied
    if actor_of is not None:
        _hooks["actor_of"] = actor_of


_request = threading.local()  # per thread, within one request: {clear token: row or None}


def _request_started(**_kwargs: Any) -> None:
    _request.tokens = {}


def _request_finished(**_kwargs: Any) -> None:
    _request.tokens = None


request_started.connect(_request_started, dispatch_uid="core.apiauth.started")
request_finished.connect(_request_finished, dispatch_uid="core.apiauth.finished")


def token_lookup(token: str) -> Any:
    """The live token row for a clear token (not revoked, not expired, user active), else ``None``.

    Read once per request: the security middleware's check and the authentication share the row
    (a revocation still takes effect on the very next request)."""
    lookup = _hooks.get("token_lookup")
    if lookup is None:
        return None
    tokens: dict[str, Any] | None = getattr(_request, "tokens", None)
    if tokens is None:  # outside a request (commands, tests calling it directly): no memo
        return lookup(token)
    if token not in tokens:
        tokens[token] = lookup(token)
    return tokens[token]


def _admin_denied(user: Any, path: str, view_name: str) -> bool:
    check = _hooks.get("admin_denied")
    return bool(check(user, path, view_name)) if check is not None else False


def set_actor(request: HttpRequest, user: Any) -> None:
    """Keep the caller's :class:`~onewindow.core.actor.Actor` on the request (``request.actor``)."""
    resolve = _hooks.get("actor_of")
    if resolve is not None:
        request.actor = resolve(user)  # type: ignore[attr-defined]


class BearerToken(HttpBearer):
    SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        row = token_lookup(token)
        if row is None:
            return None
        request.user = row.user
        request.api_token = row  # type: ignore[attr-defined]
        set_actor(request, row.user)
        # 三员分立 also for tokens: the security middleware ran before the token was read
        match = request.resolver_match
        if _admin_denied(row.user, request.path, match.view_name if match else ""):
            audit.record(
                "privacy.admin_denied",
                request=request,
                user=row.user,
                obj=request.path[:200],
                result="denied",
            )
            raise Forbidden(
                "系统管理员、安全管理员和审计管理员不能查看群众个人信息（三员分立）", code="forbidden"
            )
        if request.method not in self.SAFE_METHODS:
            # every write through a token is audited (with the token id), also a refused one; an allowed
            # one's entry is written in the write's own transaction (core.audit.defer)
            entry = audit.record if row.read_only else audit.defer
            entry(
                "api.write",
                request=request,
                user=row.user,
                obj=f"{request.method} {request.path}"[:200],
                result="denied" if row.read_only else "ok",
                details={"token_id": row.pk, "token_prefix": row.prefix, "method": request.method},
            )
            if row.read_only:
                raise Forbidden("该令牌为只读令牌，不能修改数据", code="token_read_only")
        return row.user


class SessionAuth(NinjaSessionAuth):
    """ninja's session authentication, also setting ``request.actor``."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user:
            set_actor(request, user)
        return user


bearer = BearerToken()
django_auth = SessionAuth()
AUTH: list[Any] = [bearer, django_auth]


def role_auth(allowed: Callable[[Any], bool], what: str) -> list[Any]:
    """The API's usual callbacks (Bearer token, session), each refusing with 403 ``forbidden`` an
    authenticated caller for whom ``allowed(user)`` is false. ``what`` completes "您的岗位不能…".

    ninja runs authentication before it reads and validates the body, so a caller whose roles can
    never perform the operation gets 403 even when the body is invalid (not a 422 that would tell an
    outsider what the body should look like). Finer checks stay in the services."""
    callbacks: list[Any] = []
    for inner in AUTH:
        base: Any = type(inner)

        def authenticate(self: Any, request: HttpRequest, key: Any, _base: Any = base) -> Any:
            user = _base.authenticate(self, request, key)
            if user and not allowed(user):
                audit.record(
                    "api.role_denied", request=request, user=user, obj=request.path[:200], result="denied"
                )
                raise Forbidden(f"您的岗位不能{what}", code="forbidden")
            return user

        # same class name, so the OpenAPI security scheme stays "BearerToken" / "SessionAuth"
        cls = type(base.__name__, (base,), {"authenticate": authenticate})
        gate = copy.copy(inner)
        gate.__class__ = cls
        callbacks.append(gate)
    return callbacks


ANONYMOUS = "anonymous"


def optional_auth(request: HttpRequest) -> Any:
    """Public operations: identify the caller when possible (a valid token or session), otherwise
    treat it as anonymous instead of refusing — the operation is public. Unlike ``auth=None`` a
    clerk's token is read, so e.g. a complaint taken by phone names the clerk."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        row = token_lookup(header[7:].strip())
        if row is not None and not row.read_only:
            user = bearer(request)  # sets request.user and audits the write like every token call
            if user:
                return user
        request.user = AnonymousUser()
        return ANONYMOUS
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        if request.method in ("GET", "HEAD", "OPTIONS") or check_csrf(request) is None:
            set_actor(request, user)
            return user
        request.user = AnonymousUser()
    return ANONYMOUS


PUBLIC = [optional_auth]
