"""``{% calendar_banner as banner %}`` in ``base.html``: from 1 October, supervisors and administrators
see that next year's holiday arrangement is not loaded yet (deadlines into it are provisional)."""

from __future__ import annotations

from typing import Any

from django import template

from onewindow.worktime import status

register = template.Library()


@register.simple_tag(takes_context=True)
def calendar_banner(context: template.Context) -> dict[str, Any] | None:
    staff = context.get("staff")
    if staff is None:
        return None
    roles = set(staff.role_list)
    if not roles & status.WARN_ROLES:
        return None
    year = status.next_year_missing(status.local_today())
    if year is None:
        return None
    return {"year": year, "can_load": "admin" in roles}
