"""好差评 (ratings, rectifications, appeals), complaints / suggestions / 民情信息, and the notice board."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import Case
from onewindow.catalog.models import Item
from onewindow.files.models import StoredFile
from onewindow.org.models import Centre, Jurisdiction, Window
from onewindow.privacy.fields import EncryptedTextField


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    BASIC = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


BAD_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)  # 差评
GOOD_LEVELS = (Level.VERY_SATISFIED, Level.SATISFIED, Level.BASIC)  # counted as satisfied


class RatingChannel(models.TextChoices):
    WINDOW = "window", _("窗口评价（一次一评）")
    ONLINE = "online", _("网上/二维码评价（一事一评）")
    SMS = "sms", _("短信评价")
    DEFAULT = "default", _("系统默认评价")
    VISIT = "visit", _("代办回访评价")


# GB/T 39734/39735-2020 indicators: offline (at the window) and online services.
OFFLINE_INDICATORS = {
    "overall": "整体满意度",
    "efficiency": "服务效率",
    "level": "服务水平",
    "attitude": "服务态度",
}
ONLINE_INDICATORS = {
    "overall": "整体满意度",
    "efficiency": "办事效率",
    "guide_accuracy": "办事指南精确度",
    "convenience": "办事便捷度",
    "operability": "平台操作性",
}


class Rating(models.Model):
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="ratings", verbose_name=_("办件")
    )
    ticket = models.ForeignKey(
        "queueing.Ticket",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("排队号"),
    )
    centre = models.ForeignKey(
        Centre, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("被评价中心")
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("事项")
    )
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=Level.choices)
    channel = models.CharField(_("评价渠道"), max_length=16, choices=RatingChannel.choices)
    indicators = models.JSONField(_("分项评价"), default=dict, blank=True)
    comment = models.TextField(_("评价意见"), blank=True)
    real_name = models.BooleanField(_("实名评价"), default=False)
    is_default = models.BooleanField(_("默认评价"), default=False)
    voided = models.BooleanField(_("已作废"), default=False, db_index=True)
    void_reason = models.TextField(_("作废决定"), blank=True)
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("评价时间"), db_index=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("被评价代办员"),
    )
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("被评价工作人员"),
    )

    class Meta:
        verbose_name = _("好差评")
        verbose_name_plural = _("好差评")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "channel"],
                condition=Q(case__isnull=False),
                name="rating_one_per_case_channel",
            ),
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(ticket__isnull=False), name="rating_one_per_ticket"
            ),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="rating_level_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id or self.ticket_id} {self.level}"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS


class RectState(models.TextChoices):
    CALLBACK = "callback", _("待回访核实")
    RECTIFYING = "rectifying", _("整改中")
    CLOSED = "closed", _("已办结")
    VOIDED = "voided", _("评价已作废")


class RectOutcome(models.TextChoices):
    RECTIFIED = "rectified", _("已整改")
    EXPLAINED = "explained", _("已解释说明")


class Rectification(models.Model):
    """A 差评's rectification, owned by the handling centre: call back, then rectify or explain."""

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification")
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="+", verbose_name=_("责任中心"))
    state = models.CharField(
        _("状态"), max_length=16, choices=RectState.choices, default=RectState.CALLBACK, db_index=True
    )
    opened_on = models.DateField(_("开始日期"))
    deadline = models.DateField(_("整改期限"), db_index=True)
    callback_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    callback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    callback_note = models.TextField(_("回访核实情况"), blank=True)
    outcome = models.CharField(_("办理结果"), max_length=16, choices=RectOutcome.choices, blank=True)
    outcome_note = models.TextField(_("整改/解释说明"), blank=True)
    public_note = models.TextField(_("公开说明（不含个人信息）"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    fix_level = models.PositiveSmallIntegerField(_("整改评价"), choices=Level.choices, null=True, blank=True)
    fix_rated_at = models.DateTimeField(_("整改评价时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return f"整改 {self.pk} {self.state}"


class AppealState(models.TextChoices):
    PENDING = "pending", _("待复核")
    VOIDED = "voided", _("申诉成立，评价作废")
    REJECTED = "rejected", _("申诉不成立，维持评价")


class RatingAppeal(models.Model):
    """申诉复核: the handling unit appeals a mistaken or malicious rating; a supervisor decides."""

    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="appeals")
    reason = models.TextField(_("申诉理由"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("申诉时间"))
    state = models.CharField(
        _("状态"), max_length=16, choices=AppealState.choices, default=AppealState.PENDING
    )
    decision = models.TextField(_("复核决定"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("复核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评价申诉")
        verbose_name_plural = _("评价申诉")
        ordering = ["-filed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["rating"], condition=Q(state="pending"), name="appeal_one_pending_per_rating"
            )
        ]

    def __str__(self) -> str:
        return f"申诉 {self.rating_id} {self.state}"


# --- complaints, suggestions, 民情信息 -------------------------------------------------------------


class ComplaintCategory(models.TextChoices):
    COMPLAINT = "complaint", _("投诉")
    SUGGESTION = "suggestion", _("建议")
    OPINION = "opinion", _("民情信息")
    PRAISE = "praise", _("表扬")


class ComplaintSource(models.TextChoices):
    ONLINE = "online", _("网上")
    WINDOW = "window", _("窗口")
    PHONE = "phone", _("电话")
    BOX = "box", _("意见箱")


class ComplaintState(models.TextChoices):
    COLLECTED = "collected", _("收集")
    REPORTED = "reported", _("报送")
    ASSIGNED = "assigned", _("交办")
    HANDLING = "handling", _("办理")
    ANSWERED = "answered", _("反馈")
    CLOSED = "closed", _("公示（已办结）")


class Complaint(models.Model):
    number = models.CharField(_("编号"), max_length=20, unique=True)
    check_code = models.CharField(_("查询码"), max_length=8)
    category = models.CharField(_("类别"), max_length=16, choices=ComplaintCategory.choices)
    source = models.CharField(_("来源"), max_length=16, choices=ComplaintSource.choices)
    content = models.TextField(_("内容"))
    contact = EncryptedTextField(_("联系方式（加密）"), blank=True)
    centre = models.ForeignKey(
        Centre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("中心"),
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("所属区域")
    )
    state = models.CharField(
        _("状态"),
        max_length=16,
        choices=ComplaintState.choices,
        default=ComplaintState.COLLECTED,
        db_index=True,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("当前责任人"),
    )
    step_deadline = models.DateField(_("本环节期限"))
    answer = models.TextField(_("答复"), blank=True)
    public_summary = models.TextField(_("公示摘要（已脱敏）"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # the logged-in resident who submitted it online (her 我的办件 lists it); none when anonymous
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提交人账号"),
    )
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("涉及办件"),
    )
    created_at = models.DateTimeField(_("登记时间"), db_index=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("投诉建议")
        verbose_name_plural = _("投诉建议")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.number


class ComplaintStep(models.Model):
    """One step of the 收集→报送→交办→办理→反馈→公示 flow: its owner, deadline and when it ended."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="steps")
    state = models.CharField(_("环节"), max_length=16, choices=ComplaintState.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    owner_name = models.CharField(_("责任人"), max_length=100, blank=True)
    deadline = models.DateField(_("期限"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始"))
    finished_at = models.DateTimeField(_("结束"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        ordering = ["complaint", "started_at", "pk"]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.state}"


# --- 三务公开 notice board ------------------------------------------------------------------------


class NoticeKind(models.TextChoices):
    PARTY = "party", _("党务公开")
    GOVERNMENT = "government", _("政务公开")
    FINANCE = "finance", _("财务公开")


class Notice(models.Model):
    centre = models.ForeignKey(
        Centre, on_delete=models.PROTECT, related_name="notices", verbose_name=_("中心")
    )
    kind = models.CharField(_("类别"), max_length=16, choices=NoticeKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"), blank=True)
    attachments = models.ManyToManyField(StoredFile, blank=True, related_name="+", verbose_name=_("附件"))
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(_("发布时间"), db_index=True)
    withdrawn = models.BooleanField(_("已撤下"), default=False)

    class Meta:
        verbose_name = _("公开栏公告")
        verbose_name_plural = _("公开栏公告")
        ordering = ["-posted_at"]

    def __str__(self) -> str:
        return self.title


class ComplaintCounter(models.Model):
    """Per-day sequence for complaint numbers."""

    prefix = models.CharField(max_length=20, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}:{self.last}"


class PadKey(models.Model):
    """The generation of a window's rating pad link (its signed token carries it): renewing it makes
    every earlier link of that window — a lost tablet, a link copied elsewhere — a 404 at once."""

    window = models.OneToOneField(
        Window, on_delete=models.CASCADE, primary_key=True, related_name="+", verbose_name=_("窗口")
    )
    generation = models.PositiveIntegerField(_("链接版本"), default=0)
    renewed_at = models.DateTimeField(_("更换时间"), null=True, blank=True)
    renewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("评价器链接")
        verbose_name_plural = _("评价器链接")

    def __str__(self) -> str:
        return f"{self.window_id} v{self.generation}"
