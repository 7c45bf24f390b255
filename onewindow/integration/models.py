"""The outbox of domain events and their delivery to webhook subscribers.

Every event that other systems may want (a case step, a ticket called, a rating, a proxy request, a
complaint) is written to :class:`OutboxEvent` in the same transaction as the event itself, together
with one :class:`WebhookDelivery` row per matching active subscription. The worker then delivers
them at least once; the event id (a UUID) lets the receiver drop duplicates.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.prepared import CompiledInsert
from onewindow.privacy.fields import EncryptedTextField


class OutboxEvent(CompiledInsert, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(_("事件类型"), max_length=64, db_index=True)
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Materialised path of the jurisdiction, so a subscription's scope is a prefix match.
    path = models.CharField(max_length=255, blank=True, db_index=True)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(_("发生时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("事件")
        verbose_name_plural = _("事件")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"


class WebhookSubscription(models.Model):
    name = models.CharField(_("名称"), max_length=100)
    url = models.URLField(_("接收地址"), max_length=500)
    secret = EncryptedTextField(_("签名密钥"))  # encrypted at rest; shown once when created
    # Empty list: every event type. Entries are exact types ("case.accept") or prefixes ("case.*").
    event_types = models.JSONField(_("事件类型"), default=list, blank=True)
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("范围"),
        help_text=_("只推送该区域（含下级）的事件；留空为全部"),
    )
    active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("事件订阅")
        verbose_name_plural = _("事件订阅")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def wants(self, event_type: str, path: str) -> bool:
        if self.jurisdiction is not None and not (path and path.startswith(self.jurisdiction.path)):
            return False
        if not self.event_types:
            return True
        for t in self.event_types:
            if t == event_type or (t.endswith("*") and event_type.startswith(t[:-1])):
                return True
        return False


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("待发送")
    DELIVERING = "delivering", _("发送中")
    DONE = "done", _("已送达")
    DEAD = "dead", _("已放弃（死信）")


class WebhookDelivery(models.Model):
    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(
        _("状态"), max_length=12, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), db_index=True)
    lease_until = models.DateTimeField(_("占用到期"), null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(_("最近响应码"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("事件推送")
        verbose_name_plural = _("事件推送")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["event", "subscription"], name="webhookdelivery_unique")
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="webhookdelivery_due")]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.subscription_id} {self.state}"
