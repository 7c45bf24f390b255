"""Optional authentication for public operations (``auth=PUBLIC``).

A public operation answers everybody: an anonymous visitor, a browser session of any role and a
Bearer token. Unlike ``auth=None`` (where ninja never reads the token), a valid token or session
identifies the caller, so e.g. a clerk's token can record a complaint taken by phone. A caller that
cannot be identified (no, unknown, expired or read-only token; a session POST without a valid CSRF
token) is treated as anonymous instead of being refused: the operation is public. The OpenAPI schema
shows no security requirement for these operations.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

ANONYMOUS = "anonymous"


def optional_auth(request: HttpRequest) -> Any:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        from onewindow.api.api import bearer
        from onewindow.api.tokens import token_lookup

        row = token_lookup(header[7:].strip())
        if row is not None and not row.read_only:
            user = bearer(request)  # sets request.user and audits the write like every token call
            if user:
                return user
        request.user = AnonymousUser()
        return ANONYMOUS
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return user
        from ninja.utils import check_csrf

        if check_csrf(request) is None:
            return user
        request.user = AnonymousUser()
    return ANONYMOUS


PUBLIC = [optional_auth]
