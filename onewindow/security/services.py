"""Security services: unlocking accounts locked by repeated login failures."""

from __future__ import annotations

from typing import Any

from axes.utils import reset

from onewindow.core.actor import Actor
from onewindow.security.audit import record
from onewindow.security.lockout import active_locks


def unlock_user(username: str, *, actor: Actor, request: Any = None) -> int:
    """Clear the failed-login record of ``username`` (django-axes) and audit it as ``actor`` (the
    security administrator, or :func:`~onewindow.core.actor.system` for ``onewindow unlock``);
    returns the records cleared."""
    count = int(reset(username=username) or 0)
    record(
        "auth.unlock", request=request, user=actor.user, obj=f"user:{username}", details={"cleared": count}
    )
    return count


def is_locked(username: str) -> bool:
    """Whether ``username`` is locked now from at least one address."""
    return bool(active_locks(username))
