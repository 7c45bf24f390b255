from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the clear token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("用户")
    )
    name = models.CharField(_("用途"), max_length=100, blank=True)
    prefix = models.CharField(_("前缀"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    read_only = models.BooleanField(_("只读"), default=False, help_text=_("只读令牌只能调用 GET 接口"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"


class IntegrationAccount(models.Model):
    """A system (not a person) that calls the API: its own user, scoped to one jurisdiction.

    The account's user has a staff profile whose jurisdiction is the account's scope and whose roles
    are the account's roles, so every existing permission and scoping rule applies to it unchanged.
    A read-only account only gets read-only tokens.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="integration_account"
    )
    name = models.CharField(_("系统名称"), max_length=100)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", on_delete=models.PROTECT, related_name="+", verbose_name=_("范围")
    )
    read_only = models.BooleanField(_("只读"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("对接系统账号")
        verbose_name_plural = _("对接系统账号")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
