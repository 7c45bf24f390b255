"""The user of the current request, for audit entries written from model signals (role changes)."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

_current: ContextVar[Any] = ContextVar("ow_current_user", default=None)


def current_user() -> Any:
    return _current.get()


def set_current_user(user: Any) -> Any:
    return _current.set(user)


def reset_current_user(token: Any) -> None:
    _current.reset(token)
