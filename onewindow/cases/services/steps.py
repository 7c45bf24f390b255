"""One act on a case while it is being taken: what was asked (:class:`Inputs`) and what it changes
(:class:`Step`). The handlers of the transition table (``transitions.TABLE``) fill a step in; the
dispatcher writes it with the version check and appends the timeline entry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from onewindow.cases.models import Case
from onewindow.core.actor import Actor
from onewindow.org.models import Staff


@dataclass(frozen=True)
class Inputs:
    """What the caller gave with the act (the keyword arguments of ``case_transition``)."""

    note: str = ""
    reason: str = ""
    materials: list[dict[str, Any]] | None = None
    to: str | None = None
    signed_by: str = ""
    tracking_number: str = ""
    days: int | None = None
    override_reason: str = ""
    assignee: Any = None
    basis: str = ""
    approver: str = ""


@dataclass
class Step:
    """The act being taken: who, on which case, and what it will write."""

    actor: Actor
    staff: Staff
    roles: list[str]
    case: Case
    action: str
    """The action recorded on the timeline (a handler may name it more precisely, e.g. ``joint_approve``)."""
    target: str
    """The state the case goes to (a handler may keep it, e.g. a 联办件 still waiting for answers)."""
    inputs: Inputs
    now: dt.datetime
    today: dt.date
    note: str = ""
    basis: str = ""
    changes: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    state_from: str = ""
    """The case's state when the act began (handlers such as ``accept`` change ``case.state`` in place)."""

    def __post_init__(self) -> None:
        self.state_from = self.case.state

    def record_acceptance(self) -> None:
        """Copy the acceptance day and the deadline it starts from the case into the update."""
        case = self.case
        self.changes.update(
            accepted_at=case.accepted_at, accept_date=case.accept_date, deadline=case.deadline
        )
        self.changes["deadline_provisional"] = case.deadline_provisional
        self.data["accept_date"] = case.accept_date.isoformat() if case.accept_date else None
