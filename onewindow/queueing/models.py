"""Queue tickets (一号通办): per centre, day and category; called to windows; shown on the board."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.org.models import Centre, Window
from onewindow.privacy.fields import EncryptedTextField


class Priority(models.TextChoices):
    NONE = "", _("普通")
    ELDERLY = "elderly", _("老年人")
    DISABLED = "disabled", _("残疾人")
    MILITARY = "military", _("军人及优抚对象")
    APPOINTMENT = "appointment", _("预约")


class TicketState(models.TextChoices):
    WAITING = "waiting", _("等候中")
    CALLED = "called", _("已叫号")
    SERVING = "serving", _("办理中")
    DONE = "done", _("已办结")
    SKIPPED = "skipped", _("过号")


class Ticket(models.Model):
    centre = models.ForeignKey(
        Centre, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("中心")
    )
    day = models.DateField(_("日期"), db_index=True)
    category = models.CharField(_("类别"), max_length=32)
    seq = models.PositiveIntegerField(_("序号"))
    number = models.CharField(_("号码"), max_length=8)
    priority = models.CharField(_("优先"), max_length=16, choices=Priority.choices, blank=True, default="")
    state = models.CharField(
        _("状态"), max_length=16, choices=TicketState.choices, default=TicketState.WAITING
    )
    issued_at = models.DateTimeField(_("取号时间"))
    called_at = models.DateTimeField(_("叫号时间"), null=True, blank=True)
    window = models.ForeignKey(
        Window,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("窗口"),
    )
    target_window = models.ForeignKey(
        Window, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("指定窗口")
    )
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    serve_started_at = models.DateTimeField(_("开始办理"), null=True, blank=True)
    finished_at = models.DateTimeField(_("办理完成"), null=True, blank=True)
    skip_count = models.PositiveSmallIntegerField(_("过号次数"), default=0)
    recall_count = models.PositiveSmallIntegerField(_("重呼次数"), default=0)
    case_number = models.CharField(_("关联办件"), max_length=32, blank=True)
    # Board order: bumped on every call and recall.
    announced_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("排队号")
        verbose_name_plural = _("排队号")
        ordering = ["day", "centre", "category", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "day", "category", "seq"], name="ticket_unique_seq"),
        ]
        indexes = [models.Index(fields=["centre", "day", "state", "category"], name="ticket_queue_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.number}"


class TicketCounter(models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    category = models.CharField(max_length=32)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["centre", "day", "category"], name="ticketcounter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.day} {self.category}:{self.last}"


class AppointmentState(models.TextChoices):
    BOOKED = "booked", _("已预约")
    CHECKED_IN = "checked_in", _("已签到")
    CANCELLED = "cancelled", _("已取消")
    NO_SHOW = "no_show", _("爽约")


class Appointment(models.Model):
    """A booked time slot at a centre (预约). Check-in gives a priority ticket."""

    centre = models.ForeignKey(
        Centre, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("中心")
    )
    date = models.DateField(_("日期"), db_index=True)
    start = models.TimeField(_("开始"))
    end = models.TimeField(_("结束"))
    session = models.CharField(_("时段类型"), max_length=16)
    category = models.CharField(_("业务类别"), max_length=32)
    name = models.CharField(_("预约人"), max_length=50)
    phone = EncryptedTextField(_("联系电话（加密）"))
    # blind index of the phone: counts a number's open bookings (APPOINTMENT_MAX_OPEN_PER_PHONE)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True)
    code = models.CharField(_("预约码"), max_length=8, db_index=True)
    channel = models.CharField(_("渠道"), max_length=16, default="online")
    state = models.CharField(
        _("状态"), max_length=16, choices=AppointmentState.choices, default=AppointmentState.BOOKED
    )
    created_at = models.DateTimeField(_("预约时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    ticket = models.OneToOneField(
        Ticket, on_delete=models.PROTECT, null=True, blank=True, related_name="appointment"
    )
    # PIPL art. 14: the version of the privacy notice the booker agreed to on the booking page (empty when a
    # staff member or an agent booked on the resident's behalf, or an upper platform booked through the API)
    consent_version = models.CharField(_("同意的告知书版本"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["date", "start"]

    def __str__(self) -> str:
        return f"{self.date} {self.start:%H:%M} {self.code}"


class SlotCounter(models.Model):
    """Bookings per centre slot; the capacity check is one conditional UPDATE (race-free)."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    start = models.TimeField()
    booked = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["centre", "date", "start"], name="slotcounter_unique")]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.date} {self.start}: {self.booked}"


class BookingPhone(models.Model):
    """A mobile number used for bookings (one row per number, by blind index): the SMS code proving the
    booker holds it (only a hash is kept) and the row locked while the number's open bookings are
    counted, so concurrent bookings cannot pass the per-number limit."""

    phone_index = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    sends_day = models.DateField(null=True, blank=True)
    sends_today = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("预约手机号验证")
        verbose_name_plural = _("预约手机号验证")

    def __str__(self) -> str:
        return f"booking-phone:{self.phone_index[:8]}"


class AppointmentReminder(models.Model):
    """A reminder queued for the day before an appointment; delivered by the notification worker."""

    appointment = models.OneToOneField(Appointment, on_delete=models.CASCADE, related_name="reminder")
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("预约提醒")
        verbose_name_plural = _("预约提醒")

    def __str__(self) -> str:
        return f"{self.appointment_id}"
