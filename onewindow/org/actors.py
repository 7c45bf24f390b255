"""Resolve who is acting into a :class:`~onewindow.core.actor.Actor` — once per request, at the edge.

``actor_of(user)`` reads the staff record with its roles and scope roots in one query (plus one for
extra jurisdictions) and caches the actor on the user object, so a request that resolves it twice
still reads once. An :class:`Actor` passed in is returned unchanged.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from onewindow.core.actor import Actor
from onewindow.org import access


def actor_of(user: Any, *, resident: Any = None) -> Actor:
    """The actor for a Django user (staff, a portal resident, a system account, or anonymous)."""
    if isinstance(user, Actor):
        return user
    if user is None:
        return Actor()
    cached = getattr(user, "_ow_actor", None)
    if isinstance(cached, Actor) and (resident is None or cached.resident == resident):
        return cached
    staff = access.staff_of(user)
    actor = Actor(
        user=user,
        staff=staff,
        roles=frozenset(staff.role_list) if staff is not None else frozenset(),
        scope_roots=tuple(access.scope_roots(user)) if staff is not None else (),
        resident=resident,
    )
    if getattr(user, "is_authenticated", False):
        user._ow_actor = actor
    return actor


def request_actor(request: HttpRequest) -> Actor:
    """The request's actor, resolved on first use and kept on the request."""
    actor = getattr(request, "actor", None)
    if isinstance(actor, Actor):
        return actor
    actor = actor_of(getattr(request, "user", None))
    request.actor = actor  # type: ignore[attr-defined]
    return actor
