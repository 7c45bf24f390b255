from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from onewindow.org.access import ROLE_PERMISSIONS
from onewindow.org.actors import request_actor


def staff(request: HttpRequest) -> dict[str, Any]:
    """``staff``, ``staff_roles`` and ``can`` (e.g. ``can.catalog_edit``) for templates."""
    s = request_actor(request).staff
    roles = s.role_list if s else []
    perms: set[str] = set()
    for role in roles:
        perms |= ROLE_PERMISSIONS.get(role, frozenset())
    return {"staff": s, "staff_roles": roles, "can": {p.replace(".", "_"): True for p in perms}}
