"""Resident accounts of the portal (一网通办): mobile log-in with one-time codes, real-name binding,
and the files a resident handed in with an online application.

A resident is a Django user *without* a ``Staff`` profile; ``ResidentAccount`` links that user to the
mobile number (encrypted, blind-indexed) and, after real-name binding, to ``org.Resident``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.privacy.fields import EncryptedTextField
from onewindow.privacy.masking import mask_phone


class ResidentAccount(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resident_account"
    )
    phone = EncryptedTextField(_("手机号（加密）"))
    phone_index = models.CharField(max_length=64, unique=True, editable=False)
    resident = models.OneToOneField(
        "org.Resident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="portal_account",
        verbose_name=_("实名信息"),
    )
    verified_at = models.DateTimeField(_("实名认证时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("注册时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("群众账号")
        verbose_name_plural = _("群众账号")

    def __str__(self) -> str:
        return mask_phone(self.phone)


class OtpChallenge(models.Model):
    """The current one-time code of a mobile number (one row per number, looked up by blind index).

    Only a hash of the code is stored. ``attempts`` counts wrong codes since it was sent; too many lock
    the number until ``locked_until``.
    """

    phone_index = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    sends_today = models.PositiveSmallIntegerField(default=0)
    sends_day = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("验证码")
        verbose_name_plural = _("验证码")

    def __str__(self) -> str:
        return f"otp:{self.phone_index[:8]}"


class UploadStage(models.TextChoices):
    APPLY = "apply", _("申请时提交")
    SUPPLEMENT = "supplement", _("补正时提交")


class CaseUpload(models.Model):
    """One material file of an online application (its own upload or one reused from an earlier case)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="portal_uploads")
    account = models.ForeignKey(ResidentAccount, on_delete=models.PROTECT, related_name="uploads")
    material_code = models.CharField(_("材料编码"), max_length=20)
    material_name = models.CharField(_("材料名称"), max_length=100)
    file = models.ForeignKey("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    reused_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("复用自")
    )
    stage = models.CharField(_("环节"), max_length=16, choices=UploadStage.choices, default=UploadStage.APPLY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("网上申请材料")
        verbose_name_plural = _("网上申请材料")
        ordering = ["case", "material_code", "created_at"]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.material_code}"


class PendingUpload(models.Model):
    """A file chosen with a resident's form that was not accepted yet (a validation error elsewhere on
    the form): content-checked and stored encrypted, kept for the account that uploaded it and the form
    it belongs to (``scope``: ``apply:<item>`` or ``supplement:<case number>``), offered again with the
    form ("已选择：…") and claimed by the submission that succeeds. Expired ones are purged."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey(ResidentAccount, on_delete=models.CASCADE, related_name="pending_uploads")
    scope = models.CharField(_("表单"), max_length=60)
    material_code = models.CharField(_("材料编码"), max_length=20)
    file = models.OneToOneField("files.StoredFile", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("待提交的材料文件")
        verbose_name_plural = _("待提交的材料文件")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["account", "scope"], name="pending_account_scope")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.material_code}"


class SubmitToken(models.Model):
    """One rendered application form = one case: a second submission of the same form (a double tap,
    a resent request) finds its token taken and is told, instead of creating a second case."""

    token = models.CharField(max_length=64, unique=True)
    account = models.ForeignKey(ResidentAccount, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("申请提交凭据")
        verbose_name_plural = _("申请提交凭据")

    def __str__(self) -> str:
        return self.token[:8]
