"""The org look-ups every request makes, from a per-process cache invalidated on change.

``ORG`` (a :class:`~onewindow.core.readcache.ReadCache`) holds centres by code (with the jurisdiction
and its chain of parents, so ``centre.jurisdiction.county()`` reads nothing) and staff records by user
id (with roles and extra jurisdictions). Any save or delete of a jurisdiction, centre, department,
window, staff record or role, and any change of a staff member's extra jurisdictions, bumps its
generation in every process (``org.apps``). The rows are shared between requests: read them, never
change them (load a fresh row to change it).
"""

from __future__ import annotations

from typing import Any

from onewindow.core.readcache import ReadCache
from onewindow.org.models import Centre, Jurisdiction, Staff

ORG = ReadCache("org")


def _wire_parents(jurisdictions: list[Jurisdiction]) -> None:
    """Load the ancestors of ``jurisdictions`` in one query and set each ``parent`` (no query later)."""
    codes = {code for j in jurisdictions for code in j.path.strip("/").split("/") if code}
    by_id = {j.pk: j for j in Jurisdiction.objects.filter(code__in=codes)}
    for j in [*jurisdictions, *by_id.values()]:
        parent = by_id.get(j.parent_id) if j.parent_id is not None else None
        if j.parent_id is None or parent is not None:
            j.parent = parent


def centre_by_code(code: str) -> Centre | None:
    """The centre with ``code`` (active or not), its jurisdiction and that jurisdiction's parents."""

    def load() -> Centre | None:
        centre = Centre.objects.select_related("jurisdiction").filter(code=code).first()
        if centre is not None:
            _wire_parents([centre.jurisdiction])
        return centre

    return ORG.get(("centre", code), load)


def staff_record(user: Any) -> Staff | None:
    """The staff record of ``user`` with jurisdiction, centre, department, roles and extra
    jurisdictions (``None``: not staff)."""

    def load() -> Staff | None:
        return (
            Staff.objects.select_related("jurisdiction", "centre", "department")
            .prefetch_related("roles", "extra_jurisdictions")
            .filter(user_id=user.pk)
            .first()
        )

    return ORG.get(("staff", user.pk), load)
