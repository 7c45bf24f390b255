"""The edge of every staff page: who may open it, and how domain errors look.

One decorator for all apps: anonymous → login page; no staff profile, a missing permission or role →
403 page; any :class:`~onewindow.core.errors.DomainError` raised inside (e.g. an object outside the
jurisdiction → 404) → a page with its status, Chinese message and machine code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from onewindow.core.errors import DomainError, Forbidden, Unauthenticated
from onewindow.core.web import render_error
from onewindow.org import access
from onewindow.org.actors import request_actor

View = Callable[..., HttpResponse]


def staff_page(
    *, perm: str | None = None, roles: Iterable[str] | None = None, error_template: str | None = None
) -> Callable[[View], View]:
    """``error_template`` is no longer needed (every error renders the one ``error.html``); an app's
    former ``<app>/error.html`` still names the app whose layout the page uses."""
    needed_roles = set(roles or ())

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            try:
                if perm is not None:
                    access.require_perm(request.user, perm)
                actor = request_actor(request)
                staff = actor.staff
                if staff is None:
                    raise Forbidden("您的账号未关联工作人员信息", code="no_staff_profile")
                if needed_roles and not actor.has_any_role(needed_roles):
                    raise Forbidden("您的岗位不能使用此页面")
                return view(request, *args, **kwargs)
            except Unauthenticated:
                return redirect_to_login(request.get_full_path())
            except DomainError as exc:
                return render_error(request, exc, error_template)

        return wrapper

    return decorator
