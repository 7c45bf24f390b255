"""Ledger rollups (工作台账与统计).

Two fact tables of additive counters: :class:`Fact`, a row per (day, jurisdiction, centre, window,
clerk, agent, item, domain), and :class:`CoarseFact`, the same summed to (day, jurisdiction, centre,
domain) for the dashboards. Every dashboard, API and export sums these rows (filtered by the
jurisdiction path prefix and the day range) and never scans cases. Months are cheap: ``month`` is a
denormalised ``YYYY-MM`` column.

Writes never touch a shared row: the signal receivers (``receivers.py``) only append one
:class:`LedgerEvent` (an append-only log) in the event's own transaction; the worker folds the log
into the rollups (``fold.py``) under the lock of the single :class:`FoldMark` row, whose ``as_of`` is
the time the dashboards state ("数据截至"). ``onewindow ledger rebuild`` recomputes the rollups from the
case timelines, tickets, ratings, complaints and proxy requests and must give identical numbers.
:class:`MonthFact` holds the fine rows summed by month, so a long period reads month rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.models import Domain, Item
from onewindow.core.prepared import CompiledInsert
from onewindow.org.models import Centre, Jurisdiction, Window

# (field, Chinese label) of every additive measure, in display order.
MEASURES: list[tuple[str, str]] = [
    ("received", "收件"),
    ("proxy_received", "代办收件"),
    ("accepted", "受理"),
    ("corrections", "补正告知"),
    ("not_accepted", "不予受理"),
    ("approved", "准予办结"),
    ("denied", "不予许可"),
    ("on_time", "按时办结"),
    ("late", "超期办结"),
    ("workdays_sum", "办结用时合计（工作日）"),
    ("delivered", "送达"),
    ("withdrawn", "撤回"),
    ("tickets_issued", "取号"),
    ("tickets_served", "叫号办理"),
    ("wait_minutes", "等候时长合计（分钟）"),
    ("rating_5", "非常满意"),
    ("rating_4", "满意"),
    ("rating_3", "基本满意"),
    ("rating_2", "不满意"),
    ("rating_1", "非常不满意"),
    ("ratings_default", "默认评价"),
    ("ratings_voided", "已作废评价"),
    ("complaints_received", "投诉建议受理"),
    ("complaints_closed", "投诉建议办结"),
    ("complaints_late", "投诉建议超期办结"),
    ("proxy_requests", "代办登记"),
]
MEASURE_NAMES = [m for m, _label in MEASURES]
MEASURE_LABELS = dict(MEASURES)


class Measured(models.Model):
    """The additive counters (see :data:`MEASURES`)."""

    received = models.BigIntegerField(default=0)
    proxy_received = models.BigIntegerField(default=0)
    accepted = models.BigIntegerField(default=0)
    corrections = models.BigIntegerField(default=0)
    not_accepted = models.BigIntegerField(default=0)
    approved = models.BigIntegerField(default=0)
    denied = models.BigIntegerField(default=0)
    on_time = models.BigIntegerField(default=0)
    late = models.BigIntegerField(default=0)
    workdays_sum = models.BigIntegerField(default=0)
    delivered = models.BigIntegerField(default=0)
    withdrawn = models.BigIntegerField(default=0)
    tickets_issued = models.BigIntegerField(default=0)
    tickets_served = models.BigIntegerField(default=0)
    wait_minutes = models.BigIntegerField(default=0)
    rating_5 = models.BigIntegerField(default=0)
    rating_4 = models.BigIntegerField(default=0)
    rating_3 = models.BigIntegerField(default=0)
    rating_2 = models.BigIntegerField(default=0)
    rating_1 = models.BigIntegerField(default=0)
    ratings_default = models.BigIntegerField(default=0)
    ratings_voided = models.BigIntegerField(default=0)
    complaints_received = models.BigIntegerField(default=0)
    complaints_closed = models.BigIntegerField(default=0)
    complaints_late = models.BigIntegerField(default=0)
    proxy_requests = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class FineRollup(Measured):
    """The fine rollup's dimensions, shared by :class:`Fact` (a day) and :class:`MonthFact` (a month)."""

    key = models.CharField(max_length=160, unique=True, editable=False)
    day = models.DateField(_("日期"))
    month = models.CharField(_("月份"), max_length=7, editable=False)
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("区域")
    )
    # Denormalised jurisdiction path (grouping into child jurisdictions without a join).
    jpath = models.CharField(max_length=200, editable=False)
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, null=True, related_name="+")
    window = models.ForeignKey(Window, on_delete=models.SET_NULL, null=True, related_name="+")
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, null=True, related_name="+")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.key


class Fact(FineRollup):
    """Fine rollup: one row per (day, jurisdiction, centre, window, clerk, agent, item, domain)."""

    class Meta:
        verbose_name = _("统计汇总")
        verbose_name_plural = _("统计汇总")
        indexes = [
            models.Index(fields=["jurisdiction", "day"], name="ledger_fact_j_day"),
            models.Index(fields=["day"], name="ledger_fact_day"),
            models.Index(fields=["centre", "day"], name="ledger_fact_centre_day"),
        ]


class MonthFact(FineRollup):
    """The fine rollup summed by month: one row per (month, jurisdiction, centre, window, clerk,
    agent, item, domain), ``day`` = the 1st. A period's whole months are read from here (a year is 12
    month rows per combination, not 365 day rows)."""

    day = models.DateField(_("月份首日"))

    class Meta:
        verbose_name = _("统计汇总（月）")
        verbose_name_plural = _("统计汇总（月）")
        indexes = [models.Index(fields=["jurisdiction", "day"], name="ledger_monthfact_j_day")]


class Grain(models.TextChoices):
    DAY = "day", _("日")
    MONTH = "month", _("月")


class CoarseFact(Measured):
    """Coarse rollup for the dashboards: the same counters summed over window, clerk, agent and item,
    one row per (grain, day, jurisdiction, centre, domain). Day rows, and month rows (``day`` = the
    1st) so that a long period reads its whole months from month rows: the rows read are bounded by
    places × (months + partial days) and do not grow with the number of cases."""

    key = models.CharField(max_length=80, unique=True, editable=False)
    grain = models.CharField(max_length=5, choices=Grain.choices, default=Grain.DAY)
    day = models.DateField(_("日期"))
    month = models.CharField(_("月份"), max_length=7, editable=False)
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("区域")
    )
    jpath = models.CharField(max_length=200, editable=False)
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, null=True, related_name="+")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = _("统计汇总（看板）")
        verbose_name_plural = _("统计汇总（看板）")
        indexes = [
            models.Index(fields=["jurisdiction", "grain", "day"], name="ledger_coarse_j_day"),
            models.Index(fields=["centre", "grain", "day"], name="ledger_coarse_centre_day"),
        ]

    def __str__(self) -> str:
        return self.key


class Contribution(models.Model):
    """What a mutable source object (ticket, rating, complaint, proxy request) currently adds to the
    facts; on every change the new contribution is computed and only the difference is applied."""

    kind = models.CharField(max_length=16)
    object_id = models.BigIntegerField()
    data = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="ledger_contribution_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"


class LedgerEvent(CompiledInsert, models.Model):
    """The append-only log the receivers write (one small INSERT per event, no shared row): *what*
    changed, by reference — ``kind`` ``"case"`` with ``object_id`` = the ``CaseEvent``, or a
    contribution kind (``"ticket"``, ``"rating"``, ``"complaint"``, ``"proxy"``) with the source row's
    id. The fold computes the measures from the referenced rows (as the rebuild does) and deletes the
    events it folded, in the transaction that adds them to the rollups."""

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=16)
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"


class FoldMark(models.Model):
    """The single watermark row (pk 1): the fold holds its row lock while it folds (in the worker, or
    on a dashboard read when the backlog is small), so two folds never interleave. ``as_of``: every
    event committed before this time is in the rollups."""

    as_of = models.DateTimeField(null=True, blank=True)
    last_event = models.BigIntegerField(default=0)
    folded = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"as of {self.as_of}"
