"""Service items (事项) with versioned guides (办事指南), materials, form fields and bundles (一件事).

An :class:`Item` is the stable identity (its code); every guide element lives on an
:class:`ItemVersion`. A version is a draft until published; a published (or retired) version never
changes — editing makes a new draft version. A case keeps the version it was accepted under.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.search import search_text_for
from onewindow.org.models import Department, Level


class ImmutableVersionError(ValidationError):
    pass


class Domain(models.Model):
    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    sort = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("领域")
        verbose_name_plural = _("领域")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class ItemType(models.TextChoices):
    IMMEDIATE = "immediate", _("即办件")
    PROMISED = "promised", _("承诺件")
    JOINT = "joint", _("联办件")
    ESCALATED = "escalated", _("上报件")


class ExtensionRule(models.TextChoices):
    """Which paragraph of 《行政许可法》第四十二条 sets the item's decision period and extension."""

    GENERAL = "general", _("一般许可：20个工作日，经本行政机关负责人批准可延长10个工作日（第四十二条第一款）")
    JOINT = (
        "joint",
        _(
            "统一办理、联合办理、集中办理：45个工作日，经本级人民政府负责人批准可延长15个工作日（第四十二条第二款）"
        ),
    )


EXTENSION_LIMITS = {ExtensionRule.GENERAL: 10, ExtensionRule.JOINT: 15}
DECISION_LIMITS = {ExtensionRule.GENERAL: 20, ExtensionRule.JOINT: 45}


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已停用")


item_code = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,39}$", _("事项编码只能包含字母、数字、点、横线和下划线")
)


class Item(models.Model):
    code = models.CharField(_("事项编码"), max_length=40, unique=True, validators=[item_code])
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # Denormalised pointer to the version the public sees (None: nothing published).
    published = models.OneToOneField(
        "ItemVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("现行版本"),
    )

    class Meta:
        verbose_name = _("事项")
        verbose_name_plural = _("事项")
        ordering = ["code"]

    def __str__(self) -> str:
        v = self.published or self.versions.order_by("-number").first()
        return f"{self.code} {v.name if v else ''}"

    def latest(self) -> ItemVersion | None:
        return self.versions.order_by("-number").first()


class ItemVersion(models.Model):
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="versions", verbose_name=_("事项"))
    number = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(
        _("状态"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    change_note = models.CharField(_("修订说明"), max_length=200, blank=True)

    name = models.CharField(_("事项名称"), max_length=100)
    aliases = models.CharField(
        _("简称/别名"), max_length=200, blank=True, help_text=_("多个用顿号或逗号分隔，如：低保申请")
    )
    domain = models.ForeignKey(
        Domain, on_delete=models.PROTECT, related_name="versions", verbose_name=_("领域")
    )
    type = models.CharField(_("办件类型"), max_length=16, choices=ItemType.choices, default=ItemType.PROMISED)
    basis = models.TextField(_("设定依据"), blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="item_versions", verbose_name=_("实施部门")
    )
    accept_levels = models.JSONField(_("受理层级"), default=list, help_text=_("county / township / village"))
    decide_level = models.CharField(_("决定层级"), max_length=16, choices=Level.choices)
    legal_days = models.PositiveIntegerField(_("法定办结时限（工作日）"))
    promised_days = models.PositiveIntegerField(_("承诺办结时限（工作日）"))
    fee = models.DecimalField(
        _("收费标准（元）"), max_digits=10, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    fee_basis = models.CharField(_("收费依据"), max_length=200, blank=True)
    conditions = models.TextField(_("受理条件"), blank=True)
    steps = models.JSONField(_("办理流程"), default=list, help_text=_("每步一行"))
    place = models.CharField(_("办理地点"), max_length=200, blank=True)
    hours = models.CharField(_("办理时间"), max_length=200, blank=True)
    consult_phone = models.CharField(_("咨询电话"), max_length=40, blank=True)
    complaint_phone = models.CharField(_("投诉电话"), max_length=40, blank=True)
    online = models.BooleanField(_("可网上办理"), default=False)
    proxy_allowed = models.BooleanField(_("可帮办代办"), default=False)
    max_visits = models.PositiveSmallIntegerField(_("到现场次数"), default=1)
    joint_departments = models.JSONField(
        _("联办部门"), default=list, blank=True, help_text=_("联办件：除实施部门外并联审查的部门代码")
    )
    result = models.CharField(_("办理结果"), max_length=200, blank=True, help_text=_("如：核发《残疾人证》"))
    extension_rule = models.CharField(
        _("延期规则"),
        max_length=16,
        choices=ExtensionRule.choices,
        default=ExtensionRule.GENERAL,
        help_text=_("联办件（统一、联合、集中办理）适用45日、可延长15日"),
    )
    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        verbose_name = _("事项版本（办事指南）")
        verbose_name_plural = _("事项版本（办事指南）")
        ordering = ["item__code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="itemversion_unique_number"),
            models.UniqueConstraint(
                fields=["item"], condition=models.Q(status="published"), name="itemversion_one_published"
            ),
            models.UniqueConstraint(
                fields=["item"], condition=models.Q(status="draft"), name="itemversion_one_draft"
            ),
            models.CheckConstraint(
                condition=models.Q(promised_days__lte=models.F("legal_days")),
                name="itemversion_promised_le_legal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第{self.number}版）"

    @property
    def code(self) -> str:
        return self.item.code

    @property
    def extension_limit(self) -> int:
        """Working days a decision may be extended by (行政许可法 art. 42): 10, or 15 for 联办件."""
        return EXTENSION_LIMITS[ExtensionRule(self.extension_rule)]

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if (
            self.promised_days is not None
            and self.legal_days is not None
            and self.promised_days > self.legal_days
        ):
            errors["promised_days"] = _("承诺时限不能超过法定时限")
        levels = self.accept_levels or []
        valid = {c for c, _label in Level.choices}
        if not levels:
            errors["accept_levels"] = _("至少选择一个受理层级")
        elif any(level not in valid for level in levels):
            errors["accept_levels"] = _("受理层级只能是 county / township / village")
        if self.type == ItemType.IMMEDIATE and self.promised_days not in (0, None):
            errors["promised_days"] = _("即办件的承诺时限应为0（当场办结）")
        if errors:
            raise ValidationError(errors)

    def save(self, *args: Any, **kwargs: Any) -> None:  # noqa: DJ012 - clean() sits beside its fields
        if self.pk:
            old = ItemVersion.objects.filter(pk=self.pk).values("status").first()
            if old and old["status"] != VersionStatus.DRAFT:
                changed = _changed_fields(self)
                allowed = {"status", "retired_at"} if old["status"] == VersionStatus.PUBLISHED else set()
                if changed - allowed:
                    raise ImmutableVersionError(
                        _("已发布或已停用的版本不能修改，请新建版本后再编辑"), code="version_immutable"
                    )
        self.search_text = search_text_for(self.name, self.aliases, self.item.code)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.status != VersionStatus.DRAFT:
            raise ImmutableVersionError(_("已发布或已停用的版本不能删除"), code="version_immutable")
        return super().delete(*args, **kwargs)


# The guide's elements, as the catalog page edits them (catalog.forms.GuideForm, in this order).
GUIDE_ELEMENTS = (
    "name",
    "aliases",
    "domain",
    "type",
    "basis",
    "department",
    "accept_levels",
    "decide_level",
    "legal_days",
    "promised_days",
    "fee",
    "fee_basis",
    "conditions",
    "steps",
    "place",
    "hours",
    "consult_phone",
    "complaint_phone",
    "online",
    "proxy_allowed",
    "max_visits",
    "result",
    "extension_rule",
)
# What may not change once a version is published: the guide (foreign keys by their column) and its
# life-cycle fields.
_COMPARED = [
    *(f"{name}_id" if name in ("domain", "department") else name for name in GUIDE_ELEMENTS),
    "status",
    "joint_departments",
    "retired_at",
    "published_at",
    "number",
    "item_id",
]


def _changed_fields(version: ItemVersion) -> set[str]:
    stored = ItemVersion.objects.filter(pk=version.pk).values(*_COMPARED).first() or {}
    changed = set()
    for field in _COMPARED:
        new = getattr(version, field)
        old = stored.get(field)
        if field == "fee" and old is not None and new is not None:
            if float(old) != float(new):
                changed.add(field)
        elif new != old:
            changed.add(field)
    return changed


class _VersionChild(models.Model):
    """Rows that belong to a version: only editable while the version is a draft."""

    version: models.ForeignKey[ItemVersion, ItemVersion]

    class Meta:
        abstract = True

    def _guard(self) -> None:
        status = ItemVersion.objects.filter(pk=self.version_id).values_list("status", flat=True).first()  # type: ignore[attr-defined]
        if status is not None and status != VersionStatus.DRAFT:
            raise ImmutableVersionError(
                _("已发布或已停用的版本不能修改，请新建版本后再编辑"), code="version_immutable"
            )

    def save(self, *args: Any, **kwargs: Any) -> None:  # noqa: DJ012 - clean() sits beside its fields
        self._guard()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        self._guard()
        return super().delete(*args, **kwargs)


class Material(_VersionChild):
    version = models.ForeignKey(
        ItemVersion, on_delete=models.CASCADE, related_name="materials", verbose_name=_("版本")
    )
    code = models.CharField(_("材料编码"), max_length=20)
    name = models.CharField(_("材料名称"), max_length=100)
    original = models.BooleanField(_("原件"), default=False, help_text=_("勾选表示需要原件，否则为复印件"))
    copies = models.PositiveSmallIntegerField(_("份数"), default=1, validators=[MinValueValidator(1)])
    required = models.BooleanField(
        _("必需"), default=True, help_text=_("不勾选表示按条件提交（容缺或特定情形）")
    )
    condition = models.CharField(_("提交条件"), max_length=200, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    reusable = models.BooleanField(_("可复用"), default=True, help_text=_("以前办件中提交过的可直接复用"))
    sort = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["version", "sort", "code"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="material_unique_code")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not self.required and not self.condition:
            raise ValidationError({"condition": _("非必需材料需写明提交条件")})

    @property
    def form_display(self) -> str:
        return f"{'原件' if self.original else '复印件'}{self.copies}份"


class FieldKind(models.TextChoices):
    TEXT = "text", _("文本")
    NUMBER = "number", _("数字")
    DATE = "date", _("日期")
    CHOICE = "choice", _("选项")


field_key = RegexValidator(r"^[a-z][a-z0-9_]{0,39}$", _("字段名用小写字母、数字和下划线，以字母开头"))


class FormField(_VersionChild):
    """One field of the item's application form (一表申请)."""

    version = models.ForeignKey(
        ItemVersion, on_delete=models.CASCADE, related_name="fields", verbose_name=_("版本")
    )
    key = models.CharField(_("字段名"), max_length=40, validators=[field_key])
    label = models.CharField(_("标题"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=FieldKind.choices, default=FieldKind.TEXT)
    required = models.BooleanField(_("必填"), default=False)
    choices = models.JSONField(_("选项"), default=list, blank=True)
    help_text = models.CharField(_("填写说明"), max_length=200, blank=True)
    sort = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("表单字段")
        verbose_name_plural = _("表单字段")
        ordering = ["version", "sort", "key"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="formfield_unique_key")]

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        if self.kind == FieldKind.CHOICE and not self.choices:
            raise ValidationError({"choices": _("选项类字段至少需要一个选项")})


class Bundle(models.Model):
    """一件事: several items applied for together, one merged material list, one form."""

    code = models.CharField(_("编码"), max_length=40, unique=True, validators=[item_code])
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    life_event = models.CharField(_("人生阶段/场景"), max_length=50, blank=True)
    items: models.ManyToManyField[Item, BundleItem] = models.ManyToManyField(
        Item, through="BundleItem", related_name="bundles", verbose_name=_("包含事项")
    )
    is_published = models.BooleanField(_("已发布"), default=True)
    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        verbose_name = _("一件事")
        verbose_name_plural = _("一件事")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = search_text_for(self.name, "", self.code)
        super().save(*args, **kwargs)


class BundleItem(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    sort = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["bundle", "sort"]
        constraints = [models.UniqueConstraint(fields=["bundle", "item"], name="bundleitem_unique")]

    def __str__(self) -> str:
        return f"{self.bundle} · {self.item}"
