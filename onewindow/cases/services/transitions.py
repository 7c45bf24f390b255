"""The state machine's one entry, :func:`case_transition`: a short dispatcher over :data:`TABLE`.

Each row names the transition of ``cases.workflow.TRANSITIONS`` (the states it may start from, the
state it leads to, the roles, the label), its authority (``cases.workflow.may_act`` with
``workflow.AUTHORITY``: which department at which level may take it) and a small handler that says
what the act changes. The dispatcher looks the row up, checks authority, state and the required
reason / legal basis, runs the handler, writes the case with the version check (a concurrent act
gets ``conflict``) and appends the timeline entry — in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import F

from onewindow.cases.models import Case, State
from onewindow.cases.services import review, window
from onewindow.cases.services.acceptance import open_joint_reviews
from onewindow.cases.services.base import (
    BASIS_REQUIRED,
    append_event,
    case_get_for_user,
    staff_context,
    today,
)
from onewindow.cases.services.steps import Inputs, Step
from onewindow.cases.workflow import TRANSITIONS, Transition, acting_role, may_act
from onewindow.core.actor import Actor
from onewindow.core.clock import now as clock_now
from onewindow.core.errors import Conflict, Forbidden, Invalid
from onewindow.core.locking import retry_atomic
from onewindow.org.models import Role, Staff

Handler = Callable[[Step], None]


@dataclass(frozen=True)
class Row:
    """One action: its transition (from-states, to-state, roles, label) and its handler."""

    t: Transition
    handler: Handler

    def permits(self, staff: Staff, case: Case) -> bool:
        """The authority rule of ``cases.workflow`` (roles and ``AUTHORITY``) for this action."""
        return may_act(staff, case, self.t.action)


HANDLERS: dict[str, Handler] = {
    "accept": window.accept_handler,
    "request_correction": window.correction_handler,
    "supplement": window.correction_handler,
    "reject": window.reject_handler,
    "assign": review.assign_handler,
    "approve": review.decide_handler,
    "deny": review.decide_handler,
    "escalate": review.escalate_handler,
    "suspend": review.suspend_handler,
    "resume": review.resume_handler,
    "extend": review.extend_handler,
    "ready": window.ready_handler,
    "deliver": window.deliver_handler,
    "withdraw": window.withdraw_handler,
}
TABLE: dict[str, Row] = {action: Row(TRANSITIONS[action], handler) for action, handler in HANDLERS.items()}


@retry_atomic
def case_transition(
    *,
    actor: Actor,
    number: str,
    action: str,
    note: str = "",
    reason: str = "",
    materials: list[dict[str, Any]] | None = None,
    to: str | None = None,
    signed_by: str = "",
    tracking_number: str = "",
    days: int | None = None,
    override_reason: str = "",
    assignee: Any = None,
    basis: str = "",
    approver: str = "",
) -> Case:
    """One act on a case. Who may take it is :func:`onewindow.cases.workflow.may_act` (403 otherwise);
    ``reject`` (不予受理) and ``deny`` (不予许可) need a ``reason`` and a legal ``basis`` (422)."""
    staff, roles = staff_context(actor)
    case, row = _permitted(actor, staff, number, action)
    inputs = Inputs(
        note=note,
        reason=reason,
        materials=materials,
        to=to,
        signed_by=signed_by,
        tracking_number=tracking_number,
        days=days,
        override_reason=override_reason,
        assignee=assignee,
        basis=basis,
        approver=approver,
    )
    basis = _check_may_start(case, row.t, inputs, basis)
    step = Step(actor, staff, roles, case, action, row.t.target or case.state, inputs, clock_now(), today())
    step.note, step.basis = note, basis
    row.handler(step)
    return _write(step, row.t)


def _permitted(actor: Actor, staff: Staff, number: str, action: str) -> tuple[Case, Row]:
    """The case (404 outside the jurisdiction) and the row of ``action``, if this actor may take it."""
    case = case_get_for_user(actor, number)
    row = TABLE.get(action)
    if row is None:
        raise Invalid(f"未知的操作 {action}", code="unknown_action", details={"action": sorted(TRANSITIONS)})
    if not row.permits(staff, case):
        raise Forbidden(_refusal(staff, case, row.t))
    return case, row


def case_transition_check(*, actor: Actor, number: str, action: str) -> Case:
    """What :func:`case_transition` checks before acting, without acting: the case is in the actor's
    jurisdiction (404), the actor may take ``action`` on it (403) and its state allows it (409).
    Used by the staff pages' confirmation step, which must refuse exactly what the act would."""
    staff, _roles = staff_context(actor)
    case, row = _permitted(actor, staff, number, action)
    if case.state not in row.t.sources:
        raise Conflict(
            f"办件当前状态为「{State(case.state).label}」，不能执行「{row.t.label}」",
            code="invalid_transition",
            details={"state": case.state, "action": row.t.action},
        )
    return case


def _check_may_start(case: Case, t: Transition, inputs: Inputs, basis: str) -> str:
    """The case's state allows the act, and the reason / legal basis it needs are given; the basis."""
    if case.state not in t.sources:
        raise Conflict(
            f"办件当前状态为「{State(case.state).label}」，不能执行「{t.label}」",
            code="invalid_transition",
            details={"state": case.state, "action": t.action},
        )
    if t.reason_required and not (inputs.reason or "").strip():
        raise Invalid(f"「{t.label}」须写明理由", code="reason_required", details={"reason": ["必填"]})
    if t.action == "reject" and not basis.strip():
        basis = inputs.note  # the legal basis of 不予受理 used to travel in ``note``; still accepted
    if t.action in BASIS_REQUIRED and not basis.strip():
        raise Invalid(f"「{t.label}」须写明法律依据", code="reason_required", details={"basis": ["必填"]})
    return basis


def _write(step: Step, t: Transition) -> Case:
    """Write the act with the version check (one of two concurrent acts wins) and its timeline entry."""
    case, target, state_from = step.case, step.target, step.state_from
    if target != state_from:
        step.changes["state_since"] = step.now
    updated = Case.objects.filter(pk=case.pk, version=case.version).update(
        state=target, version=F("version") + 1, **step.changes
    )
    if not updated:
        raise Conflict("办件已被他人处理，请刷新后重试", code="conflict")
    case.refresh_from_db()
    if target == State.ACCEPTED and step.action in {"accept", "supplement"}:
        open_joint_reviews(case)
    append_event(
        case,
        actor=step.actor,
        staff=step.staff,
        role=acting_role(step.staff, case, t.action),
        action=step.action,
        state_from=state_from,
        state_to=target,
        note=(step.inputs.reason or step.note).strip(),
        data=step.data,
    )
    return case


def _refusal(staff: Any, case: Case, t: Any) -> str:
    """The Chinese message of a refused act: names the competent body for a decision."""
    if t.action in {"approve", "deny", "escalate", "suspend", "resume"}:
        return (
            f"「{t.label}」由审批部门（{case.queue_department.name}）的审批人员决定，您无权对该办件作出此操作"
        )
    if t.action in {"assign", "extend"} and Role.CENTRE_HEAD in staff.role_list:
        return f"该办件在{case.queue_department.name}的审批队列中，不属于本中心负责人督办范围"
    return f"您的角色不能对该办件执行「{t.label}」"
