"""Send a notice: record it, then let the worker deliver it after the transaction commits.

``notify(template, channel=..., to=..., context=...)`` never blocks the request and never fails it: the
row is written in the caller's transaction and delivery runs in the worker (huey). Templates are
Chinese text with ``{name}`` placeholders (``TEMPLATES``). Backends: ``console`` (default, logs the
text), more in ``backends.py``; ``NOTIFY_BACKENDS`` maps a channel to a backend name.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from onewindow.notify.models import Notification, NotificationState

log = logging.getLogger("onewindow.notify")

TEMPLATES: dict[str, tuple[str, str]] = {
    "otp": ("登录验证码", "【一窗通办】您的验证码为 {code}，{minutes} 分钟内有效。请勿告诉他人。"),
    # case progress for the applicant (receivers.py) and reminders (tasks.py)
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
    "deadline_reminder": (
        "督办提醒",
        "【一窗通办】督办提醒：办件 {number}「{item}」{reason}"
        "（办结期限 {deadline}，当前环节：{state}），请及时处理。",
    ),
    "deadline_changed": (
        "办结期限调整",
        "【一窗通办】您申请的「{item}」（编号 {number}）办结期限按国务院公布的节假日安排"
        "由 {old} 调整为 {deadline}。",
    ),
    "calendar_missing": (
        "{year}年节假日安排尚未导入",
        "【一窗通办】{year}年节假日安排尚未导入，跨年办件的办结期限暂按法定节假日计算。"
        "国务院公布安排后请在“工作日历”页面粘贴通知全文导入。",
    ),
    "rating_invitation": (
        "请您评价",
        "【一窗通办】您申请的「{item}」（编号 {number}）已办结。请对本次服务作出评价：{url}",
    ),
    "appointment_calendar_cancelled": (
        "预约已取消（节假日安排）",
        "【一窗通办】{name}您好，按国务院公布的节假日安排，{centre} {date} {start} 不办公，"
        "您的预约（预约码 {code}）已取消，请重新预约其他时段。",
    ),
    "appointment_reminder": (
        "预约提醒",
        "【一窗通办】{name}您好，您已预约 {date} {start}—{end} 到{centre}办理业务，"
        "预约码 {code}，请按时到场。",
    ),
    "rating_bad": (
        "差评待整改",
        "【一窗通办】{centre}收到一条{level}评价，请于{deadline}前完成回访核实和整改。",
    ),
    "complaint_answered": (
        "投诉建议已答复",
        "【一窗通办】您提交的 {number} 已有答复，请凭编号和查询码在“投诉建议查询”页面查看。",
    ),
    "proxy_returned": (
        "代办申请退回补正",
        "【一窗通办】代办申请 {number} 预审退回，需补正 {count} 项材料，详见一次性告知。",
    ),
    "proxy_result_ready": (
        "代办结果可取件",
        "【一窗通办】代办申请 {number}（{item}）已在{centre}出件，请代为取件后送达群众。",
    ),
    "proxy_handed_over": (
        "办理结果已送达",
        "【一窗通办】您委托代办的「{item}」办理结果已由代办员送达（签收人：{signed_by}）。",
    ),
    # resident portal (一网通办): progress of an online application
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


class _Context(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        log.warning("notify: template placeholder {%s} has no value", key)
        return ""


def render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    subject, body = TEMPLATES[template]
    ctx = _Context(context)
    return subject.format_map(ctx), body.format_map(ctx)


def channel_allowed(resident: Any, channel: str, template: str = "") -> bool:
    """The resident's preference (``NotifyPreference``); no preference row means every channel on."""
    if resident is None or template == "otp":
        return True
    from onewindow.notify.models import NotifyPreference

    pref = NotifyPreference.objects.filter(resident=resident).first()
    return pref is None or pref.allows(channel)


def notify(
    template: str,
    *,
    channel: str = "sms",
    to: str = "",
    context: dict[str, Any] | None = None,
    resident: Any = None,
    user: Any = None,
    case_number: str = "",
) -> Notification:
    subject, body = render(template, context or {})
    if not channel_allowed(resident, channel, template):
        return Notification.objects.create(
            channel=channel,
            template=template,
            recipient=to,
            resident=resident,
            user=user,
            case_number=case_number,
            subject=subject,
            body=body,
            state=NotificationState.SKIPPED,
        )
    n = Notification.objects.create(
        channel=channel,
        template=template,
        recipient=to,
        resident=resident,
        user=user,
        case_number=case_number,
        subject=subject,
        body=body,
    )
    if channel != "inbox":
        from onewindow.notify.tasks import deliver_notification

        # robust: a broker outage must not turn a committed request into an error page
        transaction.on_commit(lambda: deliver_notification(n.pk), robust=True)
    else:
        Notification.objects.filter(pk=n.pk).update(state=NotificationState.SENT, sent_at=timezone.now())
    return n


def backend_for(channel: str) -> str:
    """``NOTIFY_BACKENDS`` (setting: a dict; or env var ``sms=sms_http,email=email``); default console."""
    backends: dict[str, str] | None = settings.NOTIFY_BACKENDS
    if backends is None:
        raw = os.environ.get("NOTIFY_BACKENDS", "")
        backends = dict(
            (k.strip(), v.strip())
            for k, _, v in (p.partition("=") for p in raw.split(","))
            if k.strip() and v.strip()
        )
    return backends.get(channel, "console")


def deliver(n: Notification) -> None:
    """Deliver one notice with its channel's backend; record the outcome."""
    name = backend_for(n.channel)
    try:
        if name == "console":
            log.info("[%s → %s] %s", n.channel, n.recipient, n.body)
        else:
            from onewindow.notify import backends

            backends.send(name, n)
    except Exception as exc:  # a backend failure is recorded, retried by the task
        Notification.objects.filter(pk=n.pk).update(
            attempts=n.attempts + 1, error=str(exc)[:500], state=NotificationState.FAILED
        )
        raise
    Notification.objects.filter(pk=n.pk).update(
        attempts=n.attempts + 1, state=NotificationState.SENT, sent_at=timezone.now(), error=""
    )
