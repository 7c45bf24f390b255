"""The edge of every resident page and resident API operation (一网通办): who is acting.

``resident_actor(request)`` checks that the caller is a logged-in resident (anonymous → 401, a staff
account → 403, as ``services.require_account``) and resolves, once per request, the
:class:`~onewindow.core.actor.Actor` of that resident — the user with the real-name record bound to
the account (``actor.resident``) — kept as ``request.actor``. ``resident_page`` is the page decorator
built on it: anonymous → the resident log-in, a domain error → the portal's error page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from onewindow.core.actor import Actor
from onewindow.core.errors import DomainError
from onewindow.core.web import render_error
from onewindow.org.actors import actor_of
from onewindow.portal.services import require_account

View = Callable[..., HttpResponse]
ERROR_TEMPLATE = "portal/error.html"


def resident_actor(request: HttpRequest) -> Actor:
    """The request's resident actor (resolved on first use and kept on the request)."""
    actor = getattr(request, "actor", None)
    if isinstance(actor, Actor) and actor.resident is not None:
        return actor
    account = require_account(request.user)
    actor = actor_of(request.user, resident=account.resident)
    request.actor = actor  # type: ignore[attr-defined]
    return actor


def login_url(request: HttpRequest) -> str:
    return reverse("portal:login") + "?" + urlencode({"next": request.get_full_path()})


def resident_page(view: View) -> View:
    """Anonymous → the resident log-in; a staff account → 403; domain errors → an error page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return HttpResponseRedirect(login_url(request))
        try:
            resident_actor(request)
            return view(request, *args, **kwargs)
        except DomainError as exc:
            return render_error(request, exc, ERROR_TEMPLATE)

    return wrapper
