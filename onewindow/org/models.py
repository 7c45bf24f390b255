"""Places (county → township → village), centres, windows, departments, staff, rosters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.prepared import CompiledInsert
from onewindow.privacy.crypto import blind_index
from onewindow.privacy.fields import EncryptedTextField
from onewindow.privacy.masking import mask_address, mask_credit_code, mask_id_number, mask_name, mask_phone


class Level(models.TextChoices):
    COUNTY = "county", _("旗县（区、市）")
    TOWNSHIP = "township", _("苏木乡镇（街道）")
    VILLAGE = "village", _("嘎查村（社区）")


LEVEL_ORDER = [Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE]

division_code = RegexValidator(r"^\d{12}$", _("行政区划代码应为12位数字"))


class Jurisdiction(models.Model):
    code = models.CharField(_("区划代码"), max_length=12, unique=True, validators=[division_code])
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级"),
    )
    # Materialised path of codes ("152522000000/152522100000/"): scoping is a prefix match.
    path = models.CharField(_("路径"), max_length=200, db_index=True, editable=False)
    sort = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("行政区域")
        verbose_name_plural = _("行政区域")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.path = (self.parent.path if self.parent else "") + self.code + "/"
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def ancestors(self) -> list[Jurisdiction]:
        chain: list[Jurisdiction] = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def county(self) -> Jurisdiction:
        node = self
        while node.parent is not None and node.level != Level.COUNTY:
            node = node.parent
        return node

    def contains(self, other: Jurisdiction) -> bool:
        return other.path.startswith(self.path)


class Department(models.Model):
    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=20, help_text=_("如：民政、人社、医保"))
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="departments", verbose_name=_("所属区域")
    )
    phone = models.CharField(_("咨询电话"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["jurisdiction__path", "code"]

    def __str__(self) -> str:
        return self.name


class Centre(models.Model):
    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="centres", verbose_name=_("所属区域")
    )
    address = models.CharField(_("地址"), max_length=200)
    phone = models.CharField(_("咨询电话"), max_length=40, blank=True)
    supervision_phone = models.CharField(_("监督电话"), max_length=40, blank=True)
    complaint_phone = models.CharField(_("投诉电话"), max_length=40, blank=True)
    duty_phone = models.CharField(
        _("节假日值班电话"), max_length=40, blank=True, help_text=_("节假日紧急业务联系电话，公开展示")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("服务中心（站）")
        verbose_name_plural = _("服务中心（站）")
        ordering = ["jurisdiction__path", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def level(self) -> str:
        return self.jurisdiction.level


class Session(models.TextChoices):
    NORMAL = "normal", _("正常")
    EXTENDED = "extended", _("延时")
    STAGGERED = "staggered", _("错时")
    WEEKEND = "weekend", _("周末")


WEEKDAY_NAMES = "一二三四五六日"


class OpeningHours(models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="hours", verbose_name=_("中心"))
    session = models.CharField(_("时段类型"), max_length=16, choices=Session.choices, default=Session.NORMAL)
    weekdays = models.CharField(
        _("星期"),
        max_length=7,
        validators=[RegexValidator(r"^[1-7]{1,7}$", _("星期用1-7表示，例如12345"))],
        help_text=_("1=周一 … 7=周日，例如 12345"),
    )
    start = models.TimeField(_("开始"))
    end = models.TimeField(_("结束"))

    class Meta:
        verbose_name = _("开放时间")
        verbose_name_plural = _("开放时间")
        ordering = ["centre", "session", "weekdays", "start"]

    def __str__(self) -> str:
        return f"{self.get_session_display()} {self.weekdays_display} {self.start:%H:%M}-{self.end:%H:%M}"

    @property
    def weekdays_display(self) -> str:
        days = sorted(set(self.weekdays))
        if days == list("12345"):
            return "周一至周五"
        if days == list("67"):
            return "周六、周日"
        return "、".join("周" + WEEKDAY_NAMES[int(d) - 1] for d in days)

    def clean(self) -> None:
        if self.start and self.end and self.start >= self.end:
            raise ValidationError({"end": _("结束时间应晚于开始时间")})


class HolidayDuty(models.Model):
    """A holiday duty session (节假日紧急业务): the centre is open on that date for urgent business,
    whatever the official calendar says; published on the centre page and the kiosk."""

    centre = models.ForeignKey(
        Centre, on_delete=models.CASCADE, related_name="holiday_duties", verbose_name=_("中心")
    )
    date = models.DateField(_("日期"), db_index=True)
    start = models.TimeField(_("开始"))
    end = models.TimeField(_("结束"))
    note = models.CharField(_("说明"), max_length=200, blank=True, help_text=_("如：仅办理紧急业务"))

    class Meta:
        verbose_name = _("节假日值班时段")
        verbose_name_plural = _("节假日值班时段")
        ordering = ["centre", "date", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end")), name="holidayduty_start_lt_end"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.start:%H:%M}-{self.end:%H:%M} 节假日值班"

    def clean(self) -> None:
        if self.start and self.end and self.start >= self.end:
            raise ValidationError({"end": _("结束时间应晚于开始时间")})


class WindowKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("综合受理")
    DOMAIN = "domain", _("分领域")
    OUTPUT = "output", _("统一出件")
    PROXY = "proxy", _("帮办代办")
    CONSULT = "consult", _("咨询导办")


class Window(models.Model):
    centre = models.ForeignKey(
        Centre, on_delete=models.CASCADE, related_name="windows", verbose_name=_("中心")
    )
    number = models.PositiveSmallIntegerField(_("窗口号"))
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=WindowKind.choices)
    domains = models.JSONField(
        _("服务领域"), default=list, blank=True, help_text=_("分领域窗口的领域代码列表")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")
        ordering = ["centre", "number"]
        constraints = [models.UniqueConstraint(fields=["centre", "number"], name="window_unique_number")]

    def __str__(self) -> str:
        return f"{self.number}号窗口 {self.name}"


class Role(models.TextChoices):
    AGENT = "agent", _("代办员")
    CLERK = "clerk", _("综窗人员")
    REVIEWER = "reviewer", _("审批人员")
    CENTRE_HEAD = "centre_head", _("中心负责人")
    SUPERVISOR = "supervisor", _("监督人员")
    ADMIN = "admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")
    DEPT_HEAD = "dept_head", _("部门负责人")


class Staff(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff", verbose_name=_("账号")
    )
    name = models.CharField(_("姓名"), max_length=50)
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="staff", verbose_name=_("所属区域")
    )
    extra_jurisdictions = models.ManyToManyField(
        Jurisdiction,
        blank=True,
        related_name="extra_staff",
        verbose_name=_("兼管区域"),
        help_text=_("代办员负责多个嘎查村时在此添加"),
    )
    centre = models.ForeignKey(
        Centre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("所在中心"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("部门"),
    )
    post = models.CharField(_("岗位"), max_length=50, blank=True)
    ab_partner = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("AB岗搭档")
    )
    photo = models.ImageField(_("照片"), upload_to="staff/", blank=True)
    public_phone = models.CharField(_("公开电话"), max_length=40, blank=True)
    mobile = EncryptedTextField(_("个人手机（加密）"), blank=True)
    on_board = models.BooleanField(_("在公示栏展示"), default=True)

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")
        ordering = ["jurisdiction__path", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def role_list(self) -> list[str]:
        return [r.role for r in self.roles.all()]

    def has_role(self, *roles: str) -> bool:
        return any(r in self.role_list for r in roles)

    def on_duty(self, day: dt.date) -> bool:
        return any(d.date == day for d in self.duties.all())

    @property
    def masked_mobile(self) -> str:
        return mask_phone(self.mobile)


class StaffRole(models.Model):
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        constraints = [models.UniqueConstraint(fields=["staff", "role"], name="staffrole_unique")]

    def __str__(self) -> str:
        return self.get_role_display()


class Shift(models.TextChoices):
    FULL = "full", _("全天")
    AM = "am", _("上午")
    PM = "pm", _("下午")
    EXTENDED = "extended", _("延时")
    WEEKEND = "weekend", _("周末")


class Duty(models.Model):
    """One entry of the duty roster (值班表)."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="duties", verbose_name=_("人员"))
    date = models.DateField(_("日期"), db_index=True)
    shift = models.CharField(_("班次"), max_length=16, choices=Shift.choices, default=Shift.FULL)
    window = models.ForeignKey(
        Window,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duties",
        verbose_name=_("窗口"),
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("值班安排")
        verbose_name_plural = _("值班表")
        ordering = ["date", "staff"]
        constraints = [models.UniqueConstraint(fields=["staff", "date", "shift"], name="duty_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.staff} {self.get_shift_display()}"


class WorkerHeartbeat(models.Model):
    """Written by the background worker's periodic task; shows that `onewindow worker` runs."""

    name = models.CharField(max_length=50, unique=True)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("后台任务心跳")
        verbose_name_plural = _("后台任务心跳")

    def __str__(self) -> str:
        return f"{self.name} {self.at}"


class ResidentKind(models.TextChoices):
    PERSON = "person", _("个人")
    ENTERPRISE = "enterprise", _("企业/组织")


class Resident(CompiledInsert, models.Model):
    """An applicant known to the system: a person (ID number) or an enterprise (credit code).

    Personal data is encrypted at rest; ``id_index`` is a blind index (keyed hash) of the ID number
    or credit code for exact look-ups. ``jurisdiction`` is where the resident lives (scoping).
    """

    kind = models.CharField(
        _("类型"), max_length=16, choices=ResidentKind.choices, default=ResidentKind.PERSON
    )
    name = models.CharField(_("姓名/名称"), max_length=100)
    id_number = EncryptedTextField(_("证件号码（加密）"))
    id_index = models.CharField(max_length=64, editable=False)  # indexed by resident_unique_id
    phone = EncryptedTextField(_("联系电话（加密）"), blank=True)
    address = EncryptedTextField(_("地址（加密）"), blank=True)
    # Set only when the resident proved this phone by an SMS code (portal sign-up or portal contact
    # change); a phone typed by staff is never verified. Real-name binding trusts only a verified phone.
    phone_verified_at = models.DateTimeField(_("手机号本人验证时间"), null=True, blank=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="residents", verbose_name=_("所在区域")
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("办事群众")
        verbose_name_plural = _("办事群众")
        ordering = ["jurisdiction__path", "name"]
        constraints = [models.UniqueConstraint(fields=["id_index"], name="resident_unique_id")]

    # Set by the write that created this record in the current request (the intake of a first-time
    # applicant): nothing refers to it yet — no online account, no notice preference — so the notice
    # of that same write need not look them up.
    unreferenced: bool = False

    def __str__(self) -> str:
        return mask_name(self.name)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.id_index = blind_index(self.id_number)
        super().save(*args, **kwargs)

    @property
    def masked_name(self) -> str:
        return mask_name(self.name) if self.kind == ResidentKind.PERSON else self.name

    @property
    def masked_id_number(self) -> str:
        if self.kind == ResidentKind.ENTERPRISE:
            return mask_credit_code(self.id_number)
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_address(self) -> str:
        return mask_address(self.address)
