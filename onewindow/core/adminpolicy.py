"""The admin policy hook (三员分立 in the Django admin): may this user do this to this model?

Published here, in ``core``, because the apps that register models in the admin (``org``, ``catalog``,
…) sit below ``security``, which decides it (the role table in ``security.admin_policy``).

- Publisher: ``core`` (this module). Subscriber: ``security`` installs ``security.admin_policy.allows``
  with :func:`install` in ``SecurityConfig.ready()``.
- Callers: a ModelAdmin that narrows its own form by the table, e.g. ``org.admin.StaffAdmin`` (only the
  security administrator may change which account a staff record belongs to)::

      from onewindow.core import adminpolicy
      adminpolicy.allows(request.user, StaffRole, adminpolicy.ADD)

- Answer: ``True`` when one of the user's roles is granted ``action`` (``view``, ``add``, ``change``,
  ``delete``) on ``model``. Until installed, nothing is allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.http import HttpRequest

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"

_allows: list[Callable[[Any, Any, str], bool]] = []


def install(allows: Callable[[Any, Any, str], bool]) -> None:
    """Called once by ``security`` (its ``admin_policy.allows``)."""
    _allows[:] = [allows]


def allows(user: Any, model: Any, action: str) -> bool:
    """May ``user`` do ``action`` to ``model`` in the admin? (``False`` until a policy is installed.)"""
    return bool(_allows[0](user, model, action)) if _allows else False


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A record the admin shows but never adds, changes or deletes (logs, trails, heartbeats): they are
    written by the services, and the admin must not become a side door around them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
