"""Who is acting: one small frozen value, resolved once at the edge and passed everywhere below.

The edge — the staff-page decorator (``org.edge.staff_page``), the API authentication (``api``) and
the portal login (``portal``) — resolves the request's user into an :class:`Actor` with
``org.actors.actor_of`` (staff record, roles and scope roots read once) and hands it to every service
and selector as ``actor=``. Nothing below the edge looks the staff record up again: it asks the actor.

Workers and commands act as :func:`system` (no user, no roles, no scope) or as a named user resolved
the same way. A village agent acting for a resident passes ``actor.for_resident(resident)``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # types only: core imports no domain app at run time
    from onewindow.org.models import Centre, Department, Jurisdiction, Resident, Staff


@dataclass(frozen=True, eq=False)
class Actor:
    """The acting person (or the system) of one request, task or command."""

    user: Any = None
    """The Django user (``None`` for the system)."""
    staff: Staff | None = None
    """The staff record of a staff user; ``None`` for residents, system accounts and the system."""
    roles: frozenset[str] = frozenset()
    """The staff roles (``org.Role`` values)."""
    scope_roots: tuple[Jurisdiction, ...] = ()
    """The jurisdictions whose subtrees this actor may see (own plus extra); empty: nothing."""
    resident: Resident | None = None
    """The resident behind a portal account (a resident acting for herself)."""
    on_behalf_of: Resident | None = None
    """The resident a village agent or window clerk acts for (帮办代办), when there is one."""
    system: bool = False
    """True for the background worker and maintenance commands."""

    # -- what a service asks --------------------------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return self.system or bool(getattr(self.user, "is_authenticated", False))

    @property
    def recorded_user(self) -> Any:
        """The Django user to record on a row as its author or actor (``created_by``, an event's
        ``actor``): ``None`` for the system and an anonymous user."""
        return self.user if getattr(self.user, "is_authenticated", False) else None

    @property
    def is_staff_member(self) -> bool:
        return self.staff is not None

    @property
    def user_id(self) -> int | None:
        return getattr(self.user, "pk", None) if self.user is not None else None

    @property
    def username(self) -> str:
        if self.user is None:
            return "system" if self.system else ""
        return str(self.user.get_username())

    @property
    def display_name(self) -> str:
        if self.staff is not None:
            return str(self.staff.name)
        if self.resident is not None:
            return str(self.resident.name)
        return self.username

    @property
    def centre(self) -> Centre | None:
        return self.staff.centre if self.staff is not None else None

    @property
    def department(self) -> Department | None:
        return self.staff.department if self.staff is not None else None

    @property
    def jurisdiction(self) -> Jurisdiction | None:
        return self.staff.jurisdiction if self.staff is not None else None

    @property
    def scope_paths(self) -> tuple[str, ...]:
        return tuple(root.path for root in self.scope_roots)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def has_any_role(self, roles: Iterable[str]) -> bool:
        return bool(self.roles.intersection(roles))

    def in_scope_path(self, path: str) -> bool:
        return any(path.startswith(root) for root in self.scope_paths)

    def for_resident(self, resident: Resident) -> Actor:
        """The same actor, acting on behalf of ``resident``."""
        return dataclasses.replace(self, on_behalf_of=resident)

    def __repr__(self) -> str:
        kind = (
            "system"
            if self.system
            else ("staff" if self.staff else ("resident" if self.resident else "user"))
        )
        return f"<Actor {kind} {self.username!r} roles={sorted(self.roles)}>"


SYSTEM = Actor(system=True)


def system() -> Actor:
    """The actor of the background worker and maintenance commands."""
    return SYSTEM
