"""Outgoing notices to residents and staff (SMS, e-mail, portal inbox), recorded before sending."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.prepared import CompiledInsert
from onewindow.privacy.fields import EncryptedTextField


class NotificationState(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    SKIPPED = "skipped", _("未发送（本人已关闭该渠道）")


class Notification(CompiledInsert, models.Model):
    channel = models.CharField(_("渠道"), max_length=16)  # sms | email | inbox | webhook
    template = models.CharField(_("模板"), max_length=40)
    recipient = EncryptedTextField(_("接收人"), blank=True)  # a phone or an e-mail: personal data
    resident = models.ForeignKey(
        "org.Resident", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    case_number = models.CharField(_("办件编号"), max_length=32, blank=True)  # indexed: Meta.indexes
    subject = models.CharField(_("标题"), max_length=200, blank=True)
    body = EncryptedTextField(_("内容"))
    state = models.CharField(
        _("状态"), max_length=8, choices=NotificationState.choices, default=NotificationState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # when a worker took it to send (state sending), or when its last attempt failed (state failed)
    claimed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at"]
        # looked up by exact case number (no pattern-ops twin: every notice inserts here)
        indexes = [
            models.Index(fields=["case_number"], name="notification_case_number"),
            # the worker's batch looks only at the few notices still to be delivered (``delivery.py``)
            models.Index(
                fields=["id"],
                name="notification_undelivered",
                condition=models.Q(state__in=["queued", "sending", "failed"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.template}#{self.pk}"


class NotifyPreference(models.Model):
    """A resident's choice of channels (absent row: everything on). The portal inbox can be turned
    off too; a one-time password (``otp``) is always sent, it is not a notice but a login step."""

    resident = models.OneToOneField(
        "org.Resident", on_delete=models.CASCADE, related_name="notify_preference", verbose_name=_("办事群众")
    )
    sms = models.BooleanField(_("短信"), default=True)
    email = models.BooleanField(_("电子邮件"), default=True)
    inbox = models.BooleanField(_("网上站内信"), default=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")

    def __str__(self) -> str:
        return f"{self.resident_id}"

    def allows(self, channel: str) -> bool:
        return bool(getattr(self, channel, True))
