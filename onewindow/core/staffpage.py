"""The staff-page decorator for the leaf apps (an extension point).

A leaf app (worktime, documents, files) imports no domain app, yet its staff pages need the one
decorator of every staff page — ``org.edge.staff_page``: anonymous → log-in page, no staff profile or
a missing permission/role → 403 page, a domain error → its page, ``request.actor`` set. ``staff_page``
here takes the same arguments and delegates, on the first request, to the implementation that org
installs in its ``AppConfig.ready()`` (``install(org.edge.staff_page)``).

Publisher: core. Installed by: org. Used by: worktime (the 工作日历 page). Inside such a page
``page_actor(request)`` is the actor the guard resolved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

from onewindow.core.actor import Actor

View = Callable[..., HttpResponse]
Decorator = Callable[[View], View]
Factory = Callable[..., Decorator]

_installed: list[Factory] = []


def install(factory: Factory) -> None:
    """Called by org's ``ready()`` with ``org.edge.staff_page``."""
    _installed[:] = [factory]


def staff_page(
    *, perm: str | None = None, roles: Iterable[str] | None = None, error_template: str | None = None
) -> Decorator:
    needed = tuple(roles or ())
    options: dict[str, Any] = {"perm": perm, "roles": needed}
    if error_template is not None:
        options["error_template"] = error_template

    def decorator(view: View) -> View:
        guarded: list[View] = []

        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not guarded:
                if not _installed:
                    raise ImproperlyConfigured("no staff-page guard installed (org's ready())")
                guarded.append(_installed[0](**options)(view))
            return guarded[0](request, *args, **kwargs)

        return wrapper

    return decorator


def page_actor(request: HttpRequest) -> Actor:
    """The actor the staff-page guard resolved for this request (``request.actor``)."""
    actor = getattr(request, "actor", None)
    if not isinstance(actor, Actor):
        raise ImproperlyConfigured("page_actor() outside a staff_page view")
    return actor
