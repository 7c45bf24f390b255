"""Role before body: authentication callbacks that also refuse a caller without the role.

ninja runs the authentication callbacks before it reads and validates the request body, so an
operation with ``auth=role_auth(...)`` answers a caller whose roles can never perform it with 403 even
when the body is invalid (instead of 422, which would tell an outsider what the body should look like).
The finer checks (which action, whose object, jurisdiction → 404) stay in the services.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from onewindow.core.errors import Forbidden


def role_auth(allowed: Callable[[Any], bool], what: str) -> list[Any]:
    """The API's usual callbacks (Bearer token, session), each refusing with 403 ``forbidden`` an
    authenticated caller for whom ``allowed(user)`` is false. ``what`` completes "您的岗位不能…"."""
    from onewindow.api.api import AUTH

    callbacks: list[Any] = []
    for inner in AUTH:
        base: Any = type(inner)

        def authenticate(self: Any, request: HttpRequest, key: Any, _base: Any = base) -> Any:
            user = _base.authenticate(self, request, key)
            if user and not allowed(user):
                from onewindow.core.audit import record

                record("api.role_denied", request=request, user=user, obj=request.path[:200], result="denied")
                raise Forbidden(f"您的岗位不能{what}", code="forbidden")
            return user

        # same class name, so the OpenAPI security scheme stays "BearerToken" / "SessionAuth"
        cls = type(base.__name__, (base,), {"authenticate": authenticate})
        gate = copy.copy(inner)
        gate.__class__ = cls
        callbacks.append(gate)
    return callbacks


def has_any_role(roles: frozenset[str] | set[str]) -> Callable[[Any], bool]:
    def check(user: Any) -> bool:
        from onewindow.org.access import roles_of

        return bool(set(roles_of(user)) & set(roles))

    return check


def has_any_perm(*perms: str) -> Callable[[Any], bool]:
    def check(user: Any) -> bool:
        from onewindow.org.access import has_perm

        return any(has_perm(user, p) for p in perms)

    return check
