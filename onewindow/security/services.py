"""Security services: unlocking accounts locked by repeated login failures."""

from __future__ import annotations

from typing import Any

from axes.utils import reset

from onewindow.security.audit import record


def unlock_user(username: str, *, request: Any = None, user: Any = None) -> int:
    """Clear the failed-login record of ``username`` (django-axes) and audit it; returns records cleared."""
    count = int(reset(username=username) or 0)
    record("auth.unlock", request=request, user=user, obj=f"user:{username}", details={"cleared": count})
    return count


def is_locked(username: str) -> bool:
    """Whether ``username`` is locked now from at least one address."""
    from onewindow.security.lockout import active_locks

    return bool(active_locks(username))
