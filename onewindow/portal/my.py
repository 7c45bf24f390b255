"""Reads for a logged-in resident: their own cases only (anyone else's is a 404), the timeline in
plain words (the window, never a staff member's name), their inbox and their uploaded files; and the
uploaded files of a case for staff who may open it. Every read takes the acting
:class:`~onewindow.core.actor.Actor` (a resident's: ``portal.edge.resident_actor``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from onewindow.cases.models import Case, CaseEvent, State
from onewindow.cases.services import case_get_for_user
from onewindow.core.actor import Actor
from onewindow.core.errors import NotFound
from onewindow.notify.models import Notification, NotificationState
from onewindow.portal.models import CaseUpload, ResidentAccount

NOT_FOUND = "办件不存在，或不是您本人的办件"

# What happened, for the applicant.
PLAIN_ACTIONS: dict[str, str] = {
    "submit": "您在网上提交了申请",
    "resident_supplement": "您在网上提交了补正材料",
    "accept": "窗口审核通过，已受理",
    "request_correction": "窗口一次性告知：需补正材料",
    "correction_override": "窗口再次告知补正（经中心负责人批准）",
    "supplement": "补正材料齐全，已受理",
    "deemed_accept": "逾期未告知，依法自收到材料之日起受理",
    "reject": "不予受理",
    "assign": "已交审批人员审查",
    "approve": "审查通过，准予办理",
    "joint_approve": "一个联办部门已同意",
    "deny": "不予许可",
    "escalate": "已报上级部门办理",
    "suspend": "中止办理（此期间不计时）",
    "resume": "恢复办理",
    "extend": "办理期限延长",
    "ready": "办理结果已送到出件窗口",
    "deliver": "已送达，办结",
    "withdraw": "申请已撤回",
    "applicant_correction": "窗口更正了本件的申请人信息",
}

# After the resident handed in the corrected materials online: what happens next (not 待补正 again).
SUPPLEMENTED_LABEL = "补正材料已提交"
SUPPLEMENTED_HINT = "补正材料已提交，等待窗口审核。窗口核对无误后即为您受理，并短信通知您。"

STATE_HINTS: dict[str, str] = {
    State.SUBMITTED: "窗口工作人员将审核您的申请和材料。",
    State.CORRECTION_NEEDED: "请按一次性告知书补正材料后在本页提交。",
    State.NOT_ACCEPTED: "申请不予受理，理由见不予受理通知书。",
    State.ACCEPTED: "已受理，将在办结期限前办完。",
    State.IN_REVIEW: "正在审查。",
    State.SUSPENDED: "中止办理，期间不计时。",
    State.APPROVED: "已办结，结果即将送到出件窗口。",
    State.DENIED: "不予许可，理由见办理结果。",
    State.READY: "结果已到出件窗口，请携带身份证领取。",
    State.DELIVERED: "已办结，欢迎评价本次服务。",
    State.WITHDRAWN: "申请已撤回。",
}


def account_resident_id(user: Any) -> int | None:
    account = getattr(user, "resident_account", None) if getattr(user, "is_authenticated", False) else None
    return account.resident_id if isinstance(account, ResidentAccount) else None


def _resident_id(actor: Actor) -> int | None:
    """The real-name record of the acting resident (resolved at the portal edge; else the account's)."""
    if actor.resident is not None:
        return int(actor.resident.pk)
    return account_resident_id(actor.user)


def my_case_list(actor: Actor) -> QuerySet[Case]:
    """The resident's own cases (as applicant), newest first; nothing for staff or anonymous users."""
    rid = _resident_id(actor)
    if rid is None:
        return Case.objects.none()
    return (
        Case.objects.filter(applicant_id=rid)
        .select_related("item_version", "centre", "applicant")
        .order_by("-received_at")
    )


def my_case_get(actor: Actor, number: str) -> Case:
    case = my_case_list(actor).filter(number=number).first()
    if case is None:
        raise NotFound(NOT_FOUND, code="not_found")
    return case


@dataclass
class Step:
    at: Any
    text: str
    where: str
    note: str


def _where(e: CaseEvent) -> str:
    if e.role == "resident":
        return "网上"
    parts = [e.centre.name if e.centre else ""]
    if e.window is not None:
        parts.append(e.window.name + "窗口")
    return " ".join(p for p in parts if p)


def plain_timeline(case: Case) -> list[Step]:
    steps: list[Step] = []
    for e in case.events.select_related("centre", "window").order_by("seq"):
        note = ""
        if e.action in {"reject", "deny", "suspend", "extend", "correction_override"}:
            note = e.note
        elif e.action == "resident_supplement":
            note = "、".join(m.get("name", "") for m in e.data.get("materials", []))
        elif e.action in {"request_correction"}:
            note = "、".join(m.get("name", "") for m in e.data.get("missing", []))
        steps.append(
            Step(
                at=timezone.localtime(e.at),
                text=PLAIN_ACTIONS.get(e.action, "办理进度更新"),
                where=_where(e),
                note=note,
            )
        )
    return steps


def case_uploads(case: Case) -> list[CaseUpload]:
    return list(CaseUpload.objects.filter(case=case).select_related("file").order_by("created_at"))


def my_upload_get(actor: Actor, upload_id: int) -> CaseUpload:
    rid = _resident_id(actor)
    up = (
        CaseUpload.objects.select_related("file", "case").filter(pk=upload_id, case__applicant_id=rid).first()
        if rid is not None
        else None
    )
    if up is None:
        raise NotFound("文件不存在", code="not_found")
    return up


def rating_link(case: Case) -> str:
    """The feedback app's online rating page (一事一评) for a delivered case ('' when it does not exist).
    The page asks for the progress check (last 4 characters of the ID number); the applicant's own."""
    if case.state != State.DELIVERED:
        return ""
    try:
        path = reverse("feedback:rate")
    except NoReverseMatch:
        return ""
    check = (case.applicant_id_number or "")[-4:]
    return f"{path}?{urlencode({'number': case.number, 'check': check})}"


def inbox(actor: Actor) -> QuerySet[Notification]:
    if not actor.is_authenticated or actor.user is None:
        return Notification.objects.none()
    # a notice the resident switched off (``skipped``) was never delivered: not in the inbox
    return (
        Notification.objects.filter(user=actor.user, channel="inbox")
        .exclude(state=NotificationState.SKIPPED)
        .order_by("-created_at")
    )


def staff_upload_get(actor: Actor, upload_id: int) -> CaseUpload:
    """An uploaded file for staff: only when its case is open to them (``case_get_for_user``)."""
    up = CaseUpload.objects.select_related("file", "case").filter(pk=upload_id).first()
    if up is None:
        raise NotFound("文件不存在", code="not_found")
    case_get_for_user(actor, up.case.number)  # 404 outside the jurisdiction
    return up


def staff_case_uploads(actor: Actor, number: str) -> list[CaseUpload]:
    return case_uploads(case_get_for_user(actor, number))
