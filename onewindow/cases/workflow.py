"""The one state machine of a case: the table of allowed transitions and who may take them.

``ACTIONS[action]`` gives the states it may start from, the state it leads to (``None``: stays), the
roles allowed, and whether a reason is required. The intake outcomes (accepted / correction_needed /
not_accepted / approved for 即办件) are created by ``case_intake`` through the same table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from onewindow.cases.models import OPEN_STATES, State
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
BACK = {Role.REVIEWER, Role.CENTRE_HEAD}

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
        _t("approve", "准予", {State.ACCEPTED, State.IN_REVIEW}, State.APPROVED, BACK),
        _t("deny", "不予许可", {State.ACCEPTED, State.IN_REVIEW}, State.DENIED, BACK, reason=True),
        _t("escalate", "上报上级", {State.ACCEPTED, State.IN_REVIEW}, State.ACCEPTED, BACK),
        _t(
            "suspend",
            "中止（听证/检测/专家评审）",
            {State.ACCEPTED, State.IN_REVIEW},
            State.SUSPENDED,
            BACK,
            reason=True,
        ),
        _t("resume", "恢复办理", {State.SUSPENDED}, State.IN_REVIEW, BACK),
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
    return [t for t in TRANSITIONS.values() if state in t.sources and t.roles & set(roles)]
