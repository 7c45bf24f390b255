"""The one state machine of a case: the table of allowed transitions and who may take them.

``TRANSITIONS[action]`` gives the states it may start from, the state it leads to (``None``: stays), the
roles allowed, and whether a reason is required. The intake outcomes (accepted / correction_needed /
not_accepted / approved for 即办件) are created by ``case_intake`` through the same table.
``AUTHORITY[action]`` adds who may take it on THIS case (see :func:`may_act`); the services' table
(``cases.services.transitions.TABLE``) pairs each transition with its handler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from onewindow.cases.models import OPEN_STATES, ReviewState, State
from onewindow.catalog.models import ItemType
from onewindow.org.models import Role


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[str]
    target: str | None  # None: the state does not change (e.g. extend, escalate keeps `accepted`)
    roles: frozenset[str]
    reason_required: bool = False


def _t(
    action: str, label: str, sources: set[Any], target: str | None, roles: set[Any], reason: bool = False
) -> Transition:
    return Transition(action, label, frozenset(sources), target, frozenset(roles), reason)


WINDOW = {Role.CLERK, Role.CENTRE_HEAD}
BACK = {Role.REVIEWER, Role.DEPT_HEAD, Role.CENTRE_HEAD}
# The competent department's own acts on the matter (see :func:`may_act`): its reviewers and its head.
MATTER = {Role.REVIEWER, Role.DEPT_HEAD}

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        # window check of an application that arrived online or from an agent
        _t("accept", "受理", {State.SUBMITTED}, State.ACCEPTED, WINDOW),
        _t(
            "request_correction",
            "一次性告知补正",
            {State.SUBMITTED, State.CORRECTION_NEEDED},
            State.CORRECTION_NEEDED,
            WINDOW,
        ),
        _t("supplement", "补正后受理", {State.CORRECTION_NEEDED}, State.ACCEPTED, WINDOW),
        _t(
            "reject",
            "不予受理",
            {State.SUBMITTED, State.CORRECTION_NEEDED},
            State.NOT_ACCEPTED,
            WINDOW,
            reason=True,
        ),
        # back office
        _t("assign", "分派审查", {State.ACCEPTED}, State.IN_REVIEW, BACK),
        # approve / deny: MATTER, plus the window for 即办件 (see :func:`may_decide`)
        _t("approve", "准予", {State.ACCEPTED, State.IN_REVIEW}, State.APPROVED, MATTER),
        _t("deny", "不予许可", {State.ACCEPTED, State.IN_REVIEW}, State.DENIED, MATTER, reason=True),
        _t("escalate", "上报上级", {State.ACCEPTED, State.IN_REVIEW}, State.ACCEPTED, MATTER),
        _t(
            "suspend",
            "中止（听证/检测/专家评审）",
            {State.ACCEPTED, State.IN_REVIEW},
            State.SUSPENDED,
            MATTER,
            reason=True,
        ),
        _t("resume", "恢复办理", {State.SUSPENDED}, State.IN_REVIEW, MATTER),
        # recorded by the centre head or the deciding department; approved by a named head (see services)
        _t(
            "extend",
            "延期",
            {State.ACCEPTED, State.IN_REVIEW},
            None,
            {Role.CENTRE_HEAD, Role.DEPT_HEAD},
            reason=True,
        ),
        # output
        _t("ready", "统一出件", {State.APPROVED, State.DENIED}, State.READY, WINDOW | BACK),
        _t("deliver", "送达签收", {State.READY}, State.DELIVERED, WINDOW | {Role.AGENT}),
        _t("withdraw", "撤回申请", set(OPEN_STATES) - {State.READY}, State.WITHDRAWN, WINDOW, reason=False),
    ]
}

# Intake outcomes recorded on a new case (not actions on an existing one).
INTAKE_ACTIONS = {
    State.ACCEPTED: "accept",
    State.CORRECTION_NEEDED: "request_correction",
    State.NOT_ACCEPTED: "reject",
    State.SUBMITTED: "submit",
}

ACTION_LABELS = {t.action: t.label for t in TRANSITIONS.values()} | {
    "submit": "提交申请",
    "correction_override": "负责人批准再次告知",
    "joint_approve": "联办部门同意",
    "resident_supplement": "群众网上补正",
    "applicant_correction": "更正申请人信息",
    "deadline_recomputed": "办结期限按国务院节假日安排重新核定",
    "deemed_accept": "逾期未告知视为受理",
}

# Roles recorded on events that are not staff roles (staff roles are labelled by ``Role``).
EVENT_ROLE_LABELS = {"resident": "申请人", "system": "系统（电子监察）"}

# Actions that read differently by where the case came from: (channel, action) → label.
CHANNEL_ACTION_LABELS = {
    ("online", "submit"): "群众网上申请",
    ("proxy", "submit"): "代办员报送（帮办代办）",
    ("proxy", "accept"): "代办预审通过并受理",
}
# A delivery to the village agent (代为取件) reads as such.
DELIVERY_ACTION_LABELS = {"agent": "送达（代办员代为取件）"}


def allowed_actions(state: str, roles: list[str]) -> list[Transition]:
    """The transitions from ``state`` that ``roles`` have by the table alone (no case, no authority:
    use :func:`actions_for` for a real case)."""
    return [t for t in TRANSITIONS.values() if state in t.sources and t.roles & set(roles)]


# --- who may act on THIS case (the decision authority) --------------------------------------------
#
# One rule, used by the service (``case_transition``: 403 ``forbidden`` otherwise), the detail page's
# buttons and the API (through the service, and ``actions`` of ``GET /api/v1/cases/{number}``):
#
# * ``approve`` / ``deny`` (the decision) belong to the competent body: a reviewer of the department
#   the case is queued to (the item's department at its decide level, or the department it was
#   escalated to); for a 联办件, a reviewer of each department whose parallel review is still pending.
#   The only exception the catalog states: a 即办件 (type ``immediate``) is decided at the window, so the
#   clerk or centre head of the accepting centre may decide it too. A centre head never decides
#   another body's matter. (There is no "department head" in the staff model: a department's
#   reviewers are its deciding staff.)
# * ``escalate`` / ``suspend`` / ``resume`` are the competent department's acts on the matter too:
#   reviewers of the queue department.
# * ``assign`` (分派) and ``extend`` (延期, 行政许可法 art. 42: the head approves) are supervision: a
#   reviewer of the queue department may take a case (assign), and a centre head may assign or extend
#   a case queued to a department inside the head's own jurisdiction (a township head does not
#   supervise the county bureau's queue).
# * window acts (accept, request_correction, supplement, reject, withdraw) and ``deliver`` keep the
#   table's roles; ``ready`` (统一出件): window staff, or a reviewer of the queue department.
# * the jurisdiction scoping (404 outside it) applies to everything, before this rule.

DECIDE_ACTIONS = frozenset({"approve", "deny"})
MATTER_ACTIONS = frozenset({"escalate", "suspend", "resume"})


def _is_immediate(case: Any) -> bool:
    return bool(case.item_version.type == ItemType.IMMEDIATE)


def _pending_joint_departments(case: Any) -> set[int] | None:
    """联办件: the departments whose answer is still pending (None: not a joint item)."""
    if case.item_version.type != ItemType.JOINT:
        return None
    return set(case.reviews.filter(state=ReviewState.PENDING).values_list("department_id", flat=True))


def _queue_reviewer(staff: Any, roles: set[str], case: Any) -> bool:
    return (
        bool(roles & MATTER)
        and staff.department_id is not None
        and staff.department_id == case.queue_department_id
    )


def _supervising_head(staff: Any, roles: set[str], case: Any) -> bool:
    """A centre head whose jurisdiction contains the department the case is queued to."""
    return (
        Role.CENTRE_HEAD in roles
        and bool(case.queue_path)
        and case.queue_path.startswith(staff.jurisdiction.path)
    )


def _window_of_case(staff: Any, roles: set[str], case: Any) -> bool:
    return bool(roles & WINDOW) and staff.centre_id is not None and staff.centre_id == case.centre_id


def _competent_reviewer(staff: Any, roles: set[str], case: Any) -> bool:
    if not roles & MATTER or staff.department_id is None:
        return False
    pending = _pending_joint_departments(case)
    if pending is not None:
        return staff.department_id in pending
    return bool(staff.department_id == case.queue_department_id)


def may_decide(staff: Any, case: Any) -> bool:
    """Whether ``staff`` may ``approve`` / ``deny`` ``case`` (the decision authority, see above)."""
    if staff is None:
        return False
    return _decider(staff, set(staff.role_list), case)


def _decider(staff: Any, roles: set[str], case: Any) -> bool:
    if _competent_reviewer(staff, roles, case):
        return True
    return _is_immediate(case) and _window_of_case(staff, roles, case)


def _assigner(staff: Any, roles: set[str], case: Any) -> bool:
    return _queue_reviewer(staff, roles, case) or _supervising_head(staff, roles, case)


def _extender(staff: Any, roles: set[str], case: Any) -> bool:
    """The supervising centre head or the deciding department's head records an extension."""
    return _supervising_head(staff, roles, case) or (
        Role.DEPT_HEAD in roles and staff.department_id == case.queue_department_id
    )


def _output(staff: Any, roles: set[str], case: Any) -> bool:
    """统一出件: window staff, or the deciding department sending its result out."""
    return bool(roles & WINDOW) or _queue_reviewer(staff, roles, case)


def _by_roles(staff: Any, roles: set[str], case: Any) -> bool:
    return True  # the table's roles alone


Authority = Callable[[Any, set[str], Any], bool]
"""``(staff, roles, case) -> bool``: whether the staff member may take the action on this case."""

# The authority of each action, on top of the table's roles (decisions: instead of them, see above).
AUTHORITY: dict[str, Authority] = {
    "approve": _decider,
    "deny": _decider,
    "escalate": _queue_reviewer,
    "suspend": _queue_reviewer,
    "resume": _queue_reviewer,
    "assign": _assigner,
    "extend": _extender,
    "ready": _output,
}


def may_act(staff: Any, case: Any, action: str) -> bool:
    """Whether ``staff`` may take ``action`` on ``case`` (role and authority; not the case's state)."""
    t = TRANSITIONS.get(action)
    if t is None or staff is None:
        return False
    roles = set(staff.role_list)
    if action not in DECIDE_ACTIONS and not t.roles & roles:
        return False
    return AUTHORITY.get(action, _by_roles)(staff, roles, case)


def acting_role(staff: Any, case: Any, action: str) -> str:
    """The role recorded on the timeline for ``action`` (the one that gave the authority)."""
    roles = set(staff.role_list)
    dept_role = str(Role.REVIEWER) if Role.REVIEWER in roles else str(Role.DEPT_HEAD)
    if action in DECIDE_ACTIONS and _competent_reviewer(staff, roles, case):
        return dept_role
    if action in MATTER_ACTIONS and roles & MATTER:
        return dept_role
    if action in DECIDE_ACTIONS:
        return next((r for r in staff.role_list if r in WINDOW), staff.role_list[0] if roles else "")
    if action == "assign" and _queue_reviewer(staff, roles, case):
        return dept_role
    t = TRANSITIONS[action]
    return next((r for r in staff.role_list if r in t.roles), staff.role_list[0] if roles else "")


def actions_for(staff: Any, case: Any) -> list[Transition]:
    """The actions ``staff`` may take on ``case`` now: its state, the roles and the authority."""
    return [t for t in TRANSITIONS.values() if case.state in t.sources and may_act(staff, case, t.action)]
