"""What the applicant of a case is told, and when: the texts of the case's events and the one rule that
turns a timeline entry into a notice (``core.notices``; notify delivers it).

On each timeline entry (``signals.case_event_recorded``) the applicant is told once, through
``notices.applicant_notice``:

- with an online (一网通办) account: the online text of the action (submitted, correction asked,
  accepted, not accepted, ready) and, after delivery, the rating invitation — in the portal inbox and
  by SMS;
- otherwise: a state change into accepted / correction needed / ready, and after delivery the rating
  invitation — by SMS to the phone given for this case at intake (the case's applicant snapshot);
- either way: an extension (延期, with its reason, approver and new deadline), a suspension (中止, with
  its reason) and the resumption (恢复办理, with the new deadline) — 行政许可法 art. 42 and 45.

A resident's online supplement (``resident_supplement``) tells the window staff of the case's centre
(clerks and centre heads) in their inbox (``supplement_received``), shown on the staff home page.

Supervision reminders (``CaseReminder``, queued by the deadline scan) go to the assignee, or else the
centre's heads (or clerks): inbox and SMS through ``notices.tell``, each minute from notify's periodic
task (``notices.register_reminders("cases", ...)``).

Registered by ``CasesConfig.ready()`` (importing this module).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from onewindow.cases.models import CaseReminder, State
from onewindow.core import notices, signals
from onewindow.org.models import Staff

TEXTS: dict[str, tuple[str, str]] = {
    # case progress for an applicant reached by phone
    "accepted": (
        "办件已受理",
        "【一窗通办】您申请的「{item}」已受理，办件编号 {number}，"
        "承诺办结期限 {deadline}。可凭编号查询办理进度。",
    ),
    "correction_needed": (
        "请补正材料",
        "【一窗通办】您申请的「{item}」（编号 {number}）需补正材料：{missing}。"
        "请一次性补齐后到{centre}办理。",
    ),
    "ready": (
        "办理结果可领取",
        "【一窗通办】您申请的「{item}」（编号 {number}）已办结，请携带身份证件到{centre}出件窗口领取。",
    ),
    "deadline_changed": (
        "办结期限调整",
        "【一窗通办】您申请的「{item}」（编号 {number}）办结期限按国务院公布的节假日安排"
        "由 {old} 调整为 {deadline}。",
    ),
    "deadline_reminder": (
        "督办提醒",
        "【一窗通办】督办提醒：办件 {number}「{item}」{reason}"
        "（办结期限 {deadline}，当前环节：{state}），请及时处理。",
    ),
    # staff: the window learns that a resident handed the asked-for materials in online
    "supplement_received": (
        "补正材料已提交",
        "【一窗通办】办件 {number}「{item}」的申请人已在网上提交补正材料（{materials}），请核验后受理。",
    ),
    "rating_invitation": (
        "请您评价",
        "【一窗通办】您申请的「{item}」（编号 {number}）已办结。请对本次服务作出评价：{url}",
    ),
    # the clock of an accepted case (行政许可法 art. 42, 45): the applicant is told, with the reason
    "extended": (
        "办理期限延长",
        "【一窗通办】您申请的「{item}」（编号 {number}）因{reason}，经{approver}批准延长办理期限"
        " {days} 个工作日，办结期限调整为 {deadline}。",
    ),
    "suspended": (
        "中止办理",
        "【一窗通办】您申请的「{item}」（编号 {number}）因{reason}中止办理，中止期间不计入办理期限；"
        "恢复办理时将另行通知您。",
    ),
    "resumed": (
        "恢复办理",
        "【一窗通办】您申请的「{item}」（编号 {number}）已恢复办理，中止的 {paused} 个工作日不计入办理期限，"
        "办结期限为 {deadline}。",
    ),
    # progress of an online application (一网通办), for an applicant with an online account
    "portal_submitted": (
        "网上申请已提交",
        "【一窗通办】您申请的「{item}」已提交，办件编号 {number}，{centre}将尽快审核。",
    ),
    "portal_correction": (
        "请补正材料",
        "【一窗通办】您的办件 {number}「{item}」需补正：{missing}。请登录一网通办“我的办件”上传补正材料。",
    ),
    "portal_accepted": (
        "申请已受理",
        "【一窗通办】您的办件 {number}「{item}」已受理，办结期限 {deadline}。",
    ),
    "portal_not_accepted": (
        "申请不予受理",
        "【一窗通办】您的办件 {number}「{item}」不予受理：{reason}。详见一网通办“我的办件”。",
    ),
    "portal_ready": (
        "可以领取办理结果",
        "【一窗通办】您的办件 {number}「{item}」已办结，请到{centre}出件窗口领取结果。",
    ),
}
notices.register_texts("cases", TEXTS)

# An applicant reached by phone: the state the case moved into.
TEMPLATE_FOR_STATE = {
    "accepted": "accepted",
    "correction_needed": "correction_needed",
    "ready": "ready",
    "delivered": "rating_invitation",
}
NO_NOTICE_ACTIONS = {"escalate"}  # moving a case upwards is not news for the applicant
# Acts on the clock that every applicant is told of, whatever the channel (SMS, and the inbox online).
CLOCK_TEMPLATE_FOR_ACTION = {"extend": "extended", "suspend": "suspended", "resume": "resumed"}

# An applicant with an online account: the action (and the rating invitation after delivery).
ONLINE_TEMPLATE_FOR_ACTION = {
    "submit": "portal_submitted",
    "request_correction": "portal_correction",
    "correction_override": "portal_correction",
    "accept": "portal_accepted",
    "supplement": "portal_accepted",
    "deemed_accept": "portal_accepted",
    "reject": "portal_not_accepted",
    "ready": "portal_ready",
}


def rating_url(number: str) -> str:
    """The feedback app's rating page (一事一评) for this case, marked as the SMS channel (短信评价).

    Absolute with ``NOTIFY_SITE_URL``; the page asks for the progress check (last 4 characters of the
    ID number), so the link carries no personal data. Without a site URL: plain words instead.
    """
    site = str(settings.NOTIFY_SITE_URL or "").rstrip("/")
    if not site:
        return "请到一窗通办网站“评价”页面，输入办件编号评价"
    try:
        path = reverse("feedback:rate")
        query = urlencode({"number": number, "channel": "sms"})
    except NoReverseMatch:  # without the feedback app: the progress page
        path = reverse("cases:progress")
        query = urlencode({"number": number})
    return f"{site}{path}?{query}"


def _deadline(case: Any) -> str:
    return case.deadline.isoformat() if case.deadline else "见受理回执"


def _progress_context(case: Any, event: Any) -> dict[str, Any]:
    missing = (event.data or {}).get("missing") or (case.notice or {}).get("missing") or []
    return {
        "number": case.number,
        "item": case.item_version.name,
        "centre": case.centre.name,
        "deadline": _deadline(case),
        "missing": "、".join(str(m.get("name", "")) for m in missing if isinstance(m, dict))
        or "见一次性告知书",
        "url": rating_url(case.number),
    }


def _online_context(case: Any, event: Any) -> dict[str, Any]:
    missing = (event.data or {}).get("missing") or []
    return {
        "number": case.number,
        "item": case.item_version.name,
        "centre": case.centre.name,
        "deadline": _deadline(case),
        "missing": "、".join(str(m.get("name", "")) for m in missing) or "见一次性告知书",
        "reason": event.note or "见不予受理通知书",
    }


def _state_template(event: Any) -> str | None:
    if not event.state_to or event.state_from == event.state_to or event.action in NO_NOTICE_ACTIONS:
        return None
    return TEMPLATE_FOR_STATE.get(event.state_to)


def _clock_context(case: Any, event: Any) -> dict[str, Any]:
    data = event.data if isinstance(event.data, dict) else {}
    approver = str(data.get("approver") or "")
    if approver and data.get("approver_post"):
        approver = f"{approver}（{data['approver_post']}）"
    return {
        "number": case.number,
        "item": case.item_version.name,
        "centre": case.centre.name,
        "deadline": _deadline(case),
        "reason": (event.note or "").strip().rstrip("。") or "办理需要",
        "approver": approver or "决定机关负责人",
        "days": data.get("days") or "",
        "paused": data.get("paused_days", 0),
    }


@receiver(signals.case_event_recorded, dispatch_uid="cases.notices.case_event")
def tell_the_applicant(sender: Any, case: Any, event: Any, **kwargs: Any) -> None:
    clock = CLOCK_TEMPLATE_FOR_ACTION.get(event.action)
    if clock is not None:
        context = _clock_context(case, event)
        notices.applicant_notice.send(
            sender=sender,
            case=case,
            offline=notices.ApplicantNotice(clock, context),
            online=notices.ApplicantNotice(clock, context, inbox=True),
        )
        return
    template = _state_template(event)
    offline = (
        notices.ApplicantNotice(template, _progress_context(case, event)) if template is not None else None
    )
    online: notices.ApplicantNotice | None = None
    online_template = ONLINE_TEMPLATE_FOR_ACTION.get(event.action)
    if online_template is not None:
        online = notices.ApplicantNotice(online_template, _online_context(case, event), inbox=True)
    elif offline is not None and template == "rating_invitation":
        online = notices.ApplicantNotice(template, offline.context, inbox=True)
    if offline is not None or online is not None:
        notices.applicant_notice.send(sender=sender, case=case, offline=offline, online=online)


@receiver(signals.case_event_recorded, dispatch_uid="cases.notices.supplement_received")
def tell_the_window(sender: Any, case: Any, event: Any, **kwargs: Any) -> None:
    """A resident's online supplement: the window staff of the case's centre (its clerks and heads) get
    an inbox notice (no personal data in it) and the home page counts it (``cases.desk``)."""
    if event.action != "resident_supplement":
        return
    materials = "、".join(str(m.get("name", "")) for m in (event.data or {}).get("materials", []))
    context = {"number": case.number, "item": case.item_version.name, "materials": materials or "材料"}
    window_staff = (
        Staff.objects.filter(
            centre_id=case.centre_id, roles__role__in=("clerk", "centre_head"), user__is_active=True
        )
        .select_related("user")
        .distinct()
        .order_by("pk")
    )
    for staff in window_staff:
        notices.tell(
            "supplement_received", channel="inbox", user=staff.user, context=context, case_number=case.number
        )


# -- supervision reminders --------------------------------------------------------------------------

REASONS = {"yellow": "临近办结期限", "red": "已超过办结期限", "step": "在当前环节停留超时"}


def _reminder_recipients(case: Any) -> list[Staff]:
    if case.assignee_id:
        staff = Staff.objects.filter(user_id=case.assignee_id).select_related("user").first()
        if staff is not None and staff.user.is_active:
            return [staff]
    for role in ("centre_head", "clerk"):
        found = list(
            Staff.objects.filter(centre_id=case.centre_id, roles__role=role, user__is_active=True)
            .select_related("user")
            .distinct()
        )
        if found:
            return found
    return []


def case_reminders_send(limit: int = 200) -> int:
    """Send the queued supervision reminders; each row is claimed with a conditional ``update()`` of
    ``sent_at`` inside the transaction that records its notices, so two workers never send one twice."""
    sent = 0
    pending = CaseReminder.objects.filter(sent_at__isnull=True).select_related(
        "case__item_version", "case__centre"
    )[:limit]
    for r in pending:
        with transaction.atomic():
            if not CaseReminder.objects.filter(pk=r.pk, sent_at__isnull=True).update(sent_at=timezone.now()):
                continue  # another worker took it
            case = r.case
            context = {
                "number": case.number,
                "item": case.item_version.name,
                "reason": REASONS.get(r.kind, "需要督办"),
                "deadline": case.deadline.isoformat() if case.deadline else "—",
                "state": str(State(case.state).label) if case.state in State.values else case.state,
            }
            for staff in _reminder_recipients(case):
                common: dict[str, Any] = {"user": staff.user, "context": context, "case_number": case.number}
                notices.tell("deadline_reminder", channel="inbox", **common)
                if staff.mobile:
                    notices.tell("deadline_reminder", channel="sms", to=staff.mobile, **common)
            sent += 1
    return sent


notices.register_reminders("cases", case_reminders_send)
