from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonalDataAccess(models.Model):
    """One full (unmasked) view of someone's personal data: who, when, from where, what, why."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("查看人")
    )
    object_type = models.CharField(_("对象类型"), max_length=64)
    object_id = models.CharField(_("对象标识"), max_length=64)
    fields = models.CharField(_("字段"), max_length=200)
    purpose = models.CharField(_("事由"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = _("个人信息查看记录")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.object_type}#{self.object_id}"


class ConsentPurpose(models.TextChoices):
    """What a resident agreed to (PIPL art. 14: informed consent; art. 29: separately for sensitive data)."""

    SIGN_UP = "sign_up", _("注册登录：处理手机号")
    SENSITIVE_ID = "sensitive_id", _("实名认证：处理身份证号（敏感个人信息）")


class Consent(models.Model):
    """One consent given by a resident to the privacy notice of a given version (append-only)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="privacy_consents",
        verbose_name=_("用户"),
    )
    purpose = models.CharField(_("同意事项"), max_length=20, choices=ConsentPurpose.choices)
    notice_version = models.CharField(_("告知书版本"), max_length=20)
    given_at = models.DateTimeField(_("同意时间"))
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("个人信息处理同意记录")
        verbose_name_plural = _("个人信息处理同意记录")
        ordering = ["-given_at", "-pk"]
        indexes = [models.Index(fields=["user", "purpose"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.purpose} v{self.notice_version} {self.given_at:%Y-%m-%d %H:%M}"
