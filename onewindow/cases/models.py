"""The 办件 (case) and its append-only, hash-chained timeline."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.models import Item, ItemVersion
from onewindow.core.prepared import CompiledInsert
from onewindow.org.models import Centre, Department, Level, Resident, ResidentKind, Window
from onewindow.privacy.crypto import phone_blind_index
from onewindow.privacy.fields import EncryptedTextField
from onewindow.privacy.masking import mask_name


class State(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    CORRECTION_NEEDED = "correction_needed", _("待补正")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    ACCEPTED = "accepted", _("已受理")
    IN_REVIEW = "in_review", _("审查中")
    SUSPENDED = "suspended", _("已中止（暂停计时）")
    APPROVED = "approved", _("准予许可/办结")
    DENIED = "denied", _("不予许可")
    READY = "ready", _("待取件")
    DELIVERED = "delivered", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_STATES = {
    State.SUBMITTED,
    State.CORRECTION_NEEDED,
    State.ACCEPTED,
    State.IN_REVIEW,
    State.SUSPENDED,
    State.APPROVED,
    State.DENIED,
    State.READY,
}
CLOCK_STATES = {State.ACCEPTED, State.IN_REVIEW}


class Channel(models.TextChoices):
    WINDOW = "window", _("窗口")
    ONLINE = "online", _("网上")
    PROXY = "proxy", _("帮办代办")
    KIOSK = "kiosk", _("自助终端")


class Warning(models.TextChoices):
    NONE = "none", _("正常")
    YELLOW = "yellow", _("黄牌预警")
    RED = "red", _("红牌超期")


class Delivery(models.TextChoices):
    WINDOW = "window", _("窗口领取")
    POST = "post", _("邮寄")
    AGENT = "agent", _("代办员代取")


# What a scoped case list filters on, carried in its indexes (``Case.Meta.indexes``).
LIST_COLUMNS = ["centre_path", "queue_path", "state", "warning", "item", "channel"]


class Case(CompiledInsert, models.Model):
    number = models.CharField(_("办件编号"), max_length=32)  # unique: Meta.constraints
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="cases", verbose_name=_("事项"))
    item_version = models.ForeignKey(
        ItemVersion, on_delete=models.PROTECT, related_name="cases", verbose_name=_("事项版本")
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices, default=Channel.WINDOW)
    centre = models.ForeignKey(  # indexed by case_centre_received (centre first)
        Centre, on_delete=models.PROTECT, related_name="cases", verbose_name=_("受理中心"), db_index=False
    )
    window = models.ForeignKey(  # indexed where set: case_window
        Window,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("窗口"),
        db_index=False,
    )
    applicant = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="cases", verbose_name=_("申请人")
    )
    # The applicant as given at THIS intake (encrypted): what the case shows, where its notices go and
    # what its progress check is compared with. Never changed by a later intake or by an update of the
    # resident record; only by a recorded correction (services.case_applicant_correct).
    applicant_kind = models.CharField(
        _("申请人类型"), max_length=16, choices=ResidentKind.choices, default=ResidentKind.PERSON
    )
    applicant_name = EncryptedTextField(_("申请人姓名/名称（加密）"), default="")
    applicant_id_number = EncryptedTextField(_("申请人证件号码（加密）"), default="")
    applicant_phone = EncryptedTextField(_("申请人联系电话（加密）"), blank=True, default="")
    applicant_address = EncryptedTextField(_("申请人地址（加密）"), blank=True, default="")
    # blind index of the snapshot's phone (办件查询 by phone without decrypting rows); kept in step by
    # set_applicant_snapshot and the applicant correction
    applicant_phone_index = models.CharField(
        _("申请人联系电话（盲索引）"), max_length=64, blank=True, default="", editable=False
    )
    state = models.CharField(_("状态"), max_length=20, choices=State.choices)
    version = models.PositiveIntegerField(default=0, editable=False)
    form_data = models.JSONField(_("申请表"), default=dict, blank=True)
    materials = models.JSONField(_("材料核验"), default=list, blank=True)
    notice = models.JSONField(_("一次性告知内容"), default=dict, blank=True)
    correction_count = models.PositiveSmallIntegerField(_("补正告知次数"), default=0)
    correction_overrides = models.PositiveSmallIntegerField(_("再次告知（负责人批准）次数"), default=0)

    queue_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="queue", verbose_name=_("审批部门")
    )
    queue_level = models.CharField(_("审批层级"), max_length=16, choices=Level.choices)
    assignee = models.ForeignKey(  # indexed where set: case_assignee
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # Jurisdiction scoping without joins (see selectors.case_scope): copies of the accepting centre's
    # and the queue department's jurisdiction paths, set on save, on escalation and by the receivers
    # when a centre, department or jurisdiction changes.
    centre_path = models.CharField(_("受理中心辖区路径"), max_length=200, default="", editable=False)
    queue_path = models.CharField(_("审批部门辖区路径"), max_length=200, default="", editable=False)

    received_at = models.DateTimeField(_("收件时间"))
    state_since = models.DateTimeField(_("进入当前环节时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    accept_date = models.DateField(_("受理日（计时起点）"), null=True, blank=True)
    # 行政许可法 art. 32: no notice within 5 working days of receipt → accepted as of the day of receipt
    deemed_accepted = models.BooleanField(_("逾期未告知视为受理"), default=False)
    promised_days = models.PositiveIntegerField(_("承诺时限"), default=0)
    extended_days = models.PositiveIntegerField(_("延期工作日"), default=0)
    paused_days = models.PositiveIntegerField(_("中止工作日"), default=0)
    suspended_since = models.DateField(_("中止起始日"), null=True, blank=True)
    deadline = models.DateField(_("办结期限"), null=True, blank=True, db_index=True)
    # counted (partly) on the provisional calendar of a year whose official arrangement is not loaded
    # yet; recomputed when it is (cases.receivers → services.recompute_provisional_deadlines)
    deadline_provisional = models.BooleanField(_("办结期限为暂定"), default=False)
    warning = models.CharField(_("预警"), max_length=8, choices=Warning.choices, default=Warning.NONE)
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    decision_reason = models.TextField(_("决定理由"), blank=True)
    ready_at = models.DateTimeField(_("出件时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    delivery = models.CharField(_("送达方式"), max_length=16, choices=Delivery.choices, blank=True)
    tracking_number = models.CharField(_("邮寄单号"), max_length=50, blank=True)
    signed_by = models.CharField(_("签收人"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-received_at"]
        # Every intake writes every index that takes its row (issue #18): the searches by number, phone
        # and state are equality only (no pattern-ops twin, which Django adds to a CharField's
        # ``db_index``/``unique``); what a new case seldom has is indexed only where it is set
        # (partial indexes: the row of a case without it is not written to them).
        indexes = [
            # The scoped case list (``selectors.ScopedPage``) reads these three by index-only scans: a
            # page walks ``case_received_cover`` and filters on the copied paths and the list filters
            # (INCLUDE), the exact count scans one path index per part; so neither touches a table row
            # per case in scope, and both stay flat as the table grows (INCLUDE: PostgreSQL only).
            models.Index(fields=["-received_at"], name="case_received_cover", include=[*LIST_COLUMNS, "id"]),
            models.Index(fields=["centre", "-received_at"], name="case_centre_received"),
            # prefix LIKE on PostgreSQL needs the pattern operator class (no-op on SQLite)
            models.Index(
                fields=["centre_path"],
                name="case_centre_path_cover",
                opclasses=["varchar_pattern_ops"],
                include=[*LIST_COLUMNS[2:], "id"],
            ),
            models.Index(
                fields=["queue_path"],
                name="case_queue_path_cover",
                opclasses=["varchar_pattern_ops"],
                include=[LIST_COLUMNS[0], *LIST_COLUMNS[2:]],
            ),
            # equality on state; with the deadline, the overdue cases of a jurisdiction (ledger
            # dashboards) by an index-only range per state
            models.Index(
                fields=["state", "deadline"], name="case_state_deadline", include=["centre_path", "id"]
            ),
            # the list filtered by state, newest first: an index-only walk of that state's cases alone
            # (through ``case_received_cover`` a rare state — in review, denied — walked every newer
            # case of the other states: 1.62x slower at 1 M cases than at 10 k, issue #18)
            models.Index(
                fields=["state", "-received_at"],
                name="case_state_received",
                include=["centre_path", "queue_path", "id"],
            ),
            models.Index(fields=["applicant_phone_index"], name="case_applicant_phone"),
            # the warned cases (desk counter, list filter): few of all
            models.Index(
                fields=["warning"], name="case_warned", condition=models.Q(warning__in=["yellow", "red"])
            ),
            # the supervisor's notice board (art. 32) and the recount after a calendar is loaded
            models.Index(
                fields=["received_at"], name="case_deemed_accepted", condition=models.Q(deemed_accepted=True)
            ),
            models.Index(
                fields=["deadline"],
                name="case_deadline_provisional",
                condition=models.Q(deadline_provisional=True),
            ),
            # a window's or an assignee's cases (and the check when one is deleted)
            models.Index(fields=["window"], name="case_window", condition=models.Q(window__isnull=False)),
            models.Index(
                fields=["assignee"], name="case_assignee", condition=models.Q(assignee__isnull=False)
            ),
        ]
        constraints = [models.UniqueConstraint(fields=["number"], name="case_number_unique")]

    # (seq, hash) of the last timeline entry, known without reading it only for a case created in this
    # transaction (its intake starts it at (0, "")); ``None``: ``append_event`` reads it
    timeline_head: tuple[int, str] | None = None

    def __str__(self) -> str:
        return self.number

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.centre_path = self.centre.jurisdiction.path
        self.queue_path = self.queue_department.jurisdiction.path
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "centre_path", "queue_path"}
        super().save(*args, **kwargs)

    @property
    def applicant_masked_name(self) -> str:
        """The snapshot's name for lists: masked for a person (an enterprise's name is public)."""
        name = self.applicant_name or ""
        return mask_name(name) if self.applicant_kind == ResidentKind.PERSON else name

    def set_applicant_snapshot(
        self, *, kind: str, name: str, id_number: str, phone: str = "", address: str = ""
    ) -> None:
        self.applicant_kind = kind
        self.applicant_name = name
        self.applicant_id_number = id_number
        self.applicant_phone = phone or ""
        self.applicant_phone_index = phone_blind_index(phone or "")
        self.applicant_address = address or ""


class ReviewState(models.TextChoices):
    PENDING = "pending", _("待审查")
    APPROVED = "approved", _("同意")
    DENIED = "denied", _("不同意")


class CaseReview(models.Model):
    """联办件: one department's answer in parallel review; all must approve, one denial denies."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("部门")
    )
    state = models.CharField(
        _("意见"), max_length=16, choices=ReviewState.choices, default=ReviewState.PENDING
    )
    deadline = models.DateField(_("答复期限"), null=True, blank=True)
    decided_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    reason = models.TextField(_("理由"), blank=True)

    class Meta:
        verbose_name = _("联办审查")
        verbose_name_plural = _("联办审查")
        constraints = [models.UniqueConstraint(fields=["case", "department"], name="casereview_unique")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.department_id} {self.state}"


class ReminderKind(models.TextChoices):
    YELLOW = "yellow", _("临近办结期限")
    RED = "red", _("已超期")
    STEP = "step", _("环节超时")


class CaseReminder(models.Model):
    """A reminder queued by the supervision scan; delivered later by the notification worker."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("类型"), max_length=8, choices=ReminderKind.choices)
    state = models.CharField(_("所处环节"), max_length=20)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("督办提醒")
        verbose_name_plural = _("督办提醒")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["case", "kind", "state"], name="casereminder_unique")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class CaseTally(models.Model):
    """How many cases have these list columns (``LIST_COLUMNS``): appended by PostgreSQL triggers on
    ``cases_case`` (+1 for a row's new values, −1 for its old ones; migration 0013), never updated in
    place — no row is shared by two writers — and folded into one row per combination by the worker
    (``cases.tally.compact``). The sum of ``n`` over the rows a scope matches is the exact number of
    its cases, read from a table of combinations instead of one entry per case (``cases.tally``)."""

    id = models.BigAutoField(primary_key=True)
    centre_path = models.CharField(max_length=200)
    queue_path = models.CharField(max_length=200)
    state = models.CharField(max_length=20)
    warning = models.CharField(max_length=8)
    item_id = models.BigIntegerField()
    channel = models.CharField(max_length=16)
    n = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.centre_path} {self.state} {self.n:+d}"


class CaseCounter(models.Model):
    """Per-prefix (county + day) sequence for case numbers."""

    prefix = models.CharField(max_length=20, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}:{self.last}"


class ImmutableEvent(Exception):
    pass


class CaseEvent(CompiledInsert, models.Model):
    """One step of the case: who, role, where, when, what. Append-only; hash-chained per case."""

    # no index of its own: the unique (case, seq) b-tree serves every lookup by case
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events", db_index=False)
    seq = models.PositiveIntegerField()
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    actor_name = models.CharField(_("经办人"), max_length=50, blank=True)
    role = models.CharField(_("角色"), max_length=16, blank=True)
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, null=True, related_name="+")
    window = models.ForeignKey(Window, on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField(_("动作"), max_length=32)
    state_from = models.CharField(_("原状态"), max_length=20, blank=True)
    state_to = models.CharField(_("新状态"), max_length=20)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("办件记录")
        verbose_name_plural = _("办件记录")
        ordering = ["case", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="caseevent_unique_seq")]
        # the cases behind a ledger figure in a period (ledger.drill): the period's entries, index-only
        indexes = [
            models.Index(
                fields=["at"], name="caseevent_at_cover", include=["seq", "action", "state_to", "case"]
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None or not self._state.adding:
            raise ImmutableEvent("办件记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableEvent("办件记录只能追加，不能删除")

    def payload(self) -> dict[str, Any]:
        return {
            "case": self.case_id,
            "seq": self.seq,
            "at": self.at.isoformat(),
            "actor": self.actor_id,
            "actor_name": self.actor_name,
            "role": self.role,
            "centre": self.centre_id,
            "window": self.window_id,
            "action": self.action,
            "state_from": self.state_from,
            "state_to": self.state_to,
            "note": self.note,
            "data": self.data,
        }

    def compute_hash(self) -> str:
        body = json.dumps(
            self.payload(), ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
        )
        return hashlib.sha256((self.prev_hash + body).encode("utf-8")).hexdigest()
