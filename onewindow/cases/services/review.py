"""The deciding department's acts on a case (handlers of ``transitions.TABLE``): 分派, 准予 / 不予许可
(for a 联办件 each department's answer), 上报, 中止 / 恢复 and 延期 with its approving head
(行政许可法 art. 42)."""

from __future__ import annotations

from typing import Any

from onewindow.cases.deadlines import compute_deadline
from onewindow.cases.models import Case, CaseReview, ReviewState, State
from onewindow.cases.services.steps import Step
from onewindow.catalog.models import ExtensionRule, ItemType
from onewindow.core.errors import Conflict, Forbidden, Invalid
from onewindow.org.models import Department, Role, Staff
from onewindow.worktime.calendar import WorkCalendar


def assign_handler(step: Step) -> None:
    step.changes["assignee"] = step.inputs.assignee or step.actor.user


def decide_handler(step: Step) -> None:
    """准予 / 不予许可; for a 联办件 this department's answer (decided when all approved or one denied)."""
    case, inputs = step.case, step.inputs
    reason = (inputs.reason or inputs.note).strip()
    review = None
    if case.item_version.type == ItemType.JOINT:
        review = CaseReview.objects.filter(
            case=case, department=step.staff.department, state=ReviewState.PENDING
        ).first()
    if review is not None:
        answer = ReviewState.APPROVED if step.action == "approve" else ReviewState.DENIED
        CaseReview.objects.filter(pk=review.pk).update(state=answer, decided_at=step.now, reason=reason)
        step.data.update(department=review.department.name, department_code=review.department.code)
        step.data["answer"] = answer
        pending = CaseReview.objects.filter(case=case, state=ReviewState.PENDING).exists()
        if answer == ReviewState.APPROVED and pending:
            step.target = State.IN_REVIEW
            step.action = "joint_approve"
        else:
            step.changes.update(decided_at=step.now, decision_reason=reason)
    else:
        step.changes.update(decided_at=step.now, decision_reason=reason)
        step.data.update(_deciding_body(step.staff, case))
    if step.action == "deny":
        step.data["basis"] = step.basis.strip()


def escalate_handler(step: Step) -> None:
    case = step.case
    upper = _upper_department(case.queue_department)
    step.changes.update(
        queue_department=upper,
        queue_level=upper.jurisdiction.level,
        queue_path=upper.jurisdiction.path,
        assignee=None,
    )
    step.data.update(from_department=case.queue_department.name, to_department=upper.name)


def suspend_handler(step: Step) -> None:
    step.changes["suspended_since"] = step.today
    step.data["reason"] = step.inputs.reason.strip()


def resume_handler(step: Step) -> None:
    """恢复办理: the working days it was suspended are added to the deadline."""
    case, today = step.case, step.today
    paused = WorkCalendar().workdays_between(case.suspended_since or today, today)
    case.paused_days += paused
    step.changes.update(paused_days=case.paused_days, suspended_since=None, deadline=compute_deadline(case))
    step.changes["deadline_provisional"] = case.deadline_provisional
    step.data["paused_days"] = paused


def extend_handler(step: Step) -> None:
    """延期: at most the item's limit in total, approved by a named head of the deciding body."""
    case, staff, days = step.case, step.staff, step.inputs.days
    if Role.CENTRE_HEAD not in step.roles and staff.department_id != case.queue_department_id:
        raise Forbidden("该办件不由您的部门决定，不能办理延期")
    if days is None or days < 1:
        raise Invalid("请填写延期的工作日数", code="invalid", details={"days": ["应≥1"]})
    limit = case.item_version.extension_limit
    if case.extended_days + days > limit:
        raise Invalid(
            f"延期合计不得超过{limit}个工作日（已延期{case.extended_days}日）",
            code="extension_too_long",
            details={"days": [f"最多还可延期{max(0, limit - case.extended_days)}日"]},
        )
    head = extension_approver(case, step.inputs.approver or "", staff)
    case.extended_days += days
    step.changes.update(extended_days=case.extended_days, deadline=compute_deadline(case))
    step.changes["deadline_provisional"] = case.deadline_provisional
    step.data.update(
        days=days,
        rule=case.item_version.extension_rule,
        approver=head.name,
        approver_post=head.post or "",
        approver_id=head.pk,
    )


def extension_approvers(case: Case) -> list[Staff]:
    """Who may approve extending the case (行政许可法 art. 42): the head of the deciding body.

    An ordinary item (para. 1, 本行政机关负责人): a ``dept_head`` of the deciding department. A 联办件
    (para. 2, 本级人民政府负责人): also the head of the government service centre at the deciding
    department's level (``centre_head`` of a centre in that jurisdiction)."""
    dept = case.queue_department
    heads = Staff.objects.filter(department=dept, roles__role=Role.DEPT_HEAD)
    if case.item_version.extension_rule == ExtensionRule.JOINT:
        heads = heads | Staff.objects.filter(
            centre__jurisdiction=dept.jurisdiction_id, roles__role=Role.CENTRE_HEAD
        )
    return list(heads.distinct().order_by("name"))


def extension_approver(case: Case, approver: str, actor_staff: Staff) -> Staff:
    """The approver named on the extension (a username; empty: the actor, when they qualify)."""
    allowed = extension_approvers(case)
    names = "、".join(s.name for s in allowed) or "无（请先在部门中设置部门负责人）"
    wanted = approver.strip()
    chosen = next(
        (s for s in allowed if (s.user.get_username() == wanted if wanted else s.pk == actor_staff.pk)),
        None,
    )
    if chosen is None:
        raise Invalid(
            f"延期须经决定机关负责人批准，请填写批准人（可选：{names}）",
            code="approver_required" if not wanted else "invalid_approver",
            details={"approver": [s.user.get_username() for s in allowed] or ["无"]},
        )
    return chosen


def _upper_department(dept: Department) -> Department:
    parent = dept.jurisdiction.parent
    if parent is None:
        raise Conflict("已是最高层级，不能再上报", code="no_upper_level")
    upper = Department.objects.filter(jurisdiction=parent, short_name=dept.short_name).first()
    if upper is None:
        upper = Department.objects.filter(
            jurisdiction__path__startswith=parent.path, short_name=dept.short_name
        ).first()
    if upper is None:
        raise Conflict(f"上级没有「{dept.short_name}」部门，无法上报", code="no_upper_department")
    return upper


def _deciding_body(staff: Any, case: Case) -> dict[str, Any]:
    """Who decides, recorded on the approve/deny event: the reviewer's department, or the accepting
    centre's window for a 即办件 decided there."""
    dept_roles = {Role.REVIEWER, Role.DEPT_HEAD} & set(staff.role_list)
    if dept_roles and staff.department_id == case.queue_department_id:
        return {"department": case.queue_department.name, "department_code": case.queue_department.code}
    centre = staff.centre or case.centre
    return {"department": centre.name, "centre_code": centre.code}
