"""Models of the proxy app (帮办代办, 三级代理).

- :class:`Entrustment` (委托): a resident authorises an agent for named items until a date, with a
  confirmation file (signature image, fingerprint photo or scanned paper form); revocable.
- :class:`ProxyRequest` (代办申请, 一事一记): one record per request handled by a village agent, from
  intake at the village through remote pre-review (网上预审) to the real case, the result collected by
  the agent (代为取件) and handed to the resident, then the follow-up (回访).
- :class:`ProxyEvent`: the request's own append-only trail (who, when, what).
- :class:`ProxyAttachment`: an uploaded scan/photo (files.StoredFile) of one material or entrustment.
- :class:`FollowUp` (回访): the task created after hand-over, with its outcome.
- :class:`Batch`, :class:`BatchItem`, :class:`BatchHandover`, :class:`BatchAlert`: the paper chain of
  custody between levels (a holder at every moment, a signed hand-over per hop, missing items alerted).

The service is free: there is deliberately no fee field for the proxy service anywhere here; the
statutory fee of the item is shown from the catalog.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import Case
from onewindow.catalog.models import Item
from onewindow.files.models import StoredFile
from onewindow.org.models import Centre, Jurisdiction, Resident


class ConfirmationKind(models.TextChoices):
    SIGNATURE = "signature", _("签名图片")
    FINGERPRINT = "fingerprint", _("指印照片")
    PAPER_FORM = "paper_form", _("纸质委托书扫描件")


class Entrustment(models.Model):
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="entrustments", verbose_name=_("委托人")
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="entrustments",
        verbose_name=_("代办员"),
    )
    village = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="entrustments", verbose_name=_("嘎查村")
    )
    items = models.ManyToManyField(Item, related_name="entrustments", verbose_name=_("委托事项"))
    valid_until = models.DateField(_("有效期至"))
    confirmation_kind = models.CharField(
        _("确认方式"), max_length=16, choices=ConfirmationKind.choices, default=ConfirmationKind.SIGNATURE
    )
    confirmation = models.ForeignKey(
        StoredFile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认文件"),
    )
    created_at = models.DateTimeField(_("委托时间"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoke_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("代办委托")
        verbose_name_plural = _("代办委托")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"委托 {self.pk}"

    def problem(self, *, today: dt.date, item: Item | None = None, agent: object = None) -> str:
        """Why the entrustment does not cover the action ("" when it does)."""
        if self.revoked_at is not None:
            return "委托已撤销"
        if self.valid_until < today:
            return f"委托已于 {self.valid_until:%Y-%m-%d} 到期"
        if agent is not None and getattr(agent, "pk", None) != self.agent_id:
            return "委托的代办员不是您"
        if item is not None and not self.items.filter(pk=item.pk).exists():
            name = item.published.name if item.published is not None else item.code
            return f"委托事项中没有「{name}」"
        return ""


class RequestState(models.TextChoices):
    DRAFT = "draft", _("已登记（待报送）")
    SUBMITTED = "submitted", _("待预审")
    RETURNED = "returned", _("退回补正")
    FORWARDED = "forwarded", _("已转上级预审")
    PASSED = "passed", _("预审通过（办理中）")
    COLLECTED = "collected", _("已代为取件")
    HANDED_OVER = "handed_over", _("已送达群众")
    CLOSED = "closed", _("已回访")
    WITHDRAWN = "withdrawn", _("已撤回")


# States in which the agent still has to pass the request on (the pass-on clock runs).
PASS_ON_STATES = (RequestState.DRAFT, RequestState.RETURNED)
OPEN_REQUEST_STATES = (
    RequestState.DRAFT,
    RequestState.SUBMITTED,
    RequestState.RETURNED,
    RequestState.FORWARDED,
    RequestState.PASSED,
    RequestState.COLLECTED,
)


class ProxyRequest(models.Model):
    number = models.CharField(_("代办编号"), max_length=32, unique=True)
    entrustment = models.ForeignKey(
        Entrustment, on_delete=models.PROTECT, related_name="requests", verbose_name=_("委托")
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="proxy_requests",
        verbose_name=_("代办员"),
    )
    village = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="proxy_requests", verbose_name=_("嘎查村")
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="proxy_requests", verbose_name=_("事项")
    )
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="proxy_requests", verbose_name=_("委托人")
    )
    state = models.CharField(_("状态"), max_length=16, choices=RequestState.choices, db_index=True)
    version = models.PositiveIntegerField(default=0, editable=False)
    form_data = models.JSONField(_("申请表"), default=dict, blank=True)
    # [{code, name, required, provided, note, paper_held, files: [uuid]}]
    materials = models.JSONField(_("材料"), default=list, blank=True)
    notice = models.JSONField(_("一次性告知内容"), default=dict, blank=True)
    return_count = models.PositiveSmallIntegerField(_("退回次数"), default=0)
    # the centre whose clerk pre-reviews it now (township first, the county after `forward`)
    review_centre = models.ForeignKey(
        Centre, on_delete=models.PROTECT, related_name="proxy_requests", verbose_name=_("预审中心")
    )
    pass_on_deadline = models.DateField(_("报送期限"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    passed_at = models.DateTimeField(_("预审通过时间"), null=True, blank=True)
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proxy_requests",
        verbose_name=_("办件"),
    )
    collected_at = models.DateTimeField(_("代为取件时间"), null=True, blank=True)
    handed_over_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    signed_by = models.CharField(_("签收人"), max_length=50, blank=True)
    receipt = models.ForeignKey(
        StoredFile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签收凭证"),
    )
    onsite = models.BooleanField(_("上门服务"), default=False)

    class Meta:
        verbose_name = _("代办申请")
        verbose_name_plural = _("代办申请")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.number


class ProxyEvent(models.Model):
    request = models.ForeignKey(ProxyRequest, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    actor_name = models.CharField(max_length=50, blank=True)
    action = models.CharField(max_length=32)
    state_from = models.CharField(max_length=16, blank=True)
    state_to = models.CharField(max_length=16, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("代办记录")
        verbose_name_plural = _("代办记录")
        ordering = ["request", "seq"]
        constraints = [models.UniqueConstraint(fields=["request", "seq"], name="proxyevent_unique_seq")]

    def __str__(self) -> str:
        return f"{self.request_id}#{self.seq} {self.action}"


class ProxyAttachment(models.Model):
    """An upload of the proxy app: linked to a request's material or to an entrustment (or not yet)."""

    file = models.OneToOneField(StoredFile, on_delete=models.PROTECT, related_name="proxy_attachment")
    request = models.ForeignKey(
        ProxyRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    material_code = models.CharField(max_length=32, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("代办材料文件")
        verbose_name_plural = _("代办材料文件")

    def __str__(self) -> str:
        return str(self.file_id)


class FollowUpMethod(models.TextChoices):
    CALL = "call", _("电话回访")
    VISIT = "visit", _("上门回访")


class FollowUp(models.Model):
    request = models.OneToOneField(ProxyRequest, on_delete=models.CASCADE, related_name="follow_up")
    due = models.DateField(_("回访期限"))
    method = models.CharField(_("方式"), max_length=8, choices=FollowUpMethod.choices, blank=True)
    outcome = models.TextField(_("回访结果"), blank=True)
    satisfied = models.BooleanField(_("群众满意"), null=True)
    done_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")

    def __str__(self) -> str:
        return f"回访 {self.request_id}"


# --- paper chain of custody ----------------------------------------------------------------------


class BatchState(models.TextChoices):
    IN_TRANSIT = "in_transit", _("在途")
    RECEIVED = "received", _("已签收")
    INCOMPLETE = "incomplete", _("签收（有缺失）")


class Batch(models.Model):
    number = models.CharField(_("批次号"), max_length=32, unique=True)
    from_jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("发出")
    )
    to_jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("接收")
    )
    # the holder is a user, or (carried by someone without an account, e.g. the weekly driver) nobody:
    # then carrier_name / carrier_phone name the person who has the papers
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("当前保管人"),
    )
    carrier_name = models.CharField(_("携带人"), max_length=50, blank=True)
    carrier_phone = models.CharField(_("携带人电话"), max_length=20, blank=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=BatchState.choices, default=BatchState.IN_TRANSIT
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("发出时间"), auto_now_add=True)
    received_at = models.DateTimeField(_("签收时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("纸质材料交接批次")
        verbose_name_plural = _("纸质材料交接批次")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.number

    @property
    def holder_label(self) -> str:
        """Who has the papers now, for people: a staff name, or the carrier's name and phone."""
        if self.holder is not None:
            staff = getattr(self.holder, "staff", None)
            return staff.name if staff is not None else self.holder.get_username()
        return f"{self.carrier_name}（{self.carrier_phone}）" if self.carrier_name else ""


class BatchItemState(models.TextChoices):
    SENT = "sent", _("已发出")
    RECEIVED = "received", _("已签收")
    MISSING = "missing", _("缺失")
    DAMAGED = "damaged", _("损坏")


class BatchItem(models.Model):
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="items")
    request = models.ForeignKey(ProxyRequest, on_delete=models.PROTECT, related_name="batch_items")
    papers = models.JSONField(_("纸质材料"), default=list, blank=True)  # [{code, name}]
    state = models.CharField(
        _("状态"), max_length=16, choices=BatchItemState.choices, default=BatchItemState.SENT
    )
    received_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("交接清单项")
        verbose_name_plural = _("交接清单项")
        constraints = [models.UniqueConstraint(fields=["batch", "request"], name="batchitem_unique")]

    def __str__(self) -> str:
        return f"{self.batch_id}/{self.request_id}"


class BatchHandover(models.Model):
    """One hop of the chain of custody: who gave the batch to whom, when, signed by the receiver."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="handovers")
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # to a user, or to a carrier without an account (to_user empty, to_phone set)
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_phone = models.CharField(_("接收人电话"), max_length=20, blank=True)
    # the giver when it is a carrier without an account (from_user empty)
    from_name = models.CharField(_("交出人"), max_length=50, blank=True)
    signed_by = models.CharField(_("签收人"), max_length=50)
    at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("交接记录")
        verbose_name_plural = _("交接记录")
        ordering = ["batch", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.batch_id} → {self.signed_by}"


class BatchAlert(models.Model):
    """A paper item reported missing/damaged on receipt: visible to the centre head until resolved."""

    item = models.ForeignKey(BatchItem, on_delete=models.PROTECT, related_name="alerts")
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=BatchItemState.choices)
    raised_at = models.DateTimeField()
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("材料缺失告警")
        verbose_name_plural = _("材料缺失告警")
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"告警 {self.pk}"


class ProxyCounter(models.Model):
    """Per-prefix sequence for request and batch numbers (see onewindow.core.counters)."""

    prefix = models.CharField(max_length=24, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}:{self.last}"


# --- on-site service (上门服务) ---------------------------------------------------------------------


class ResidentFlags(models.Model):
    """Special groups who get on-site visits by appointment (elderly, disabled, sick)."""

    resident = models.OneToOneField(Resident, on_delete=models.CASCADE, related_name="proxy_flags")
    elderly = models.BooleanField(_("高龄老人"), default=False)
    disabled = models.BooleanField(_("残疾人"), default=False)
    sick = models.BooleanField(_("重病患者"), default=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("上门服务对象")
        verbose_name_plural = _("上门服务对象")

    def __str__(self) -> str:
        return f"flags {self.resident_id}"

    @property
    def eligible(self) -> bool:
        return self.elderly or self.disabled or self.sick

    @property
    def labels(self) -> list[str]:
        return [
            str(label)
            for flag, label in (("elderly", "高龄"), ("disabled", "残疾"), ("sick", "重病"))
            if getattr(self, flag)
        ]


class VisitState(models.TextChoices):
    BOOKED = "booked", _("已预约")
    DONE = "done", _("已上门")
    CANCELLED = "cancelled", _("已取消")


class Visit(models.Model):
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="proxy_visits")
    village = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proxy_visits")
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    start = models.DateTimeField(_("上门时间"))
    end = models.DateTimeField(_("结束时间"))
    purpose = models.CharField(_("事由"), max_length=200, blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=VisitState.choices, default=VisitState.BOOKED)
    outcome = models.TextField(_("上门结果"), blank=True)
    request = models.OneToOneField(
        ProxyRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visit",
        verbose_name=_("代办申请"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("上门服务预约")
        verbose_name_plural = _("上门服务预约")
        ordering = ["start"]

    def __str__(self) -> str:
        return f"visit {self.pk}"
