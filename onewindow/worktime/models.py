"""The official working-day calendar: years loaded by administrators and per-day entries.

For the years that the ``chinesecalendar`` package knows (2004–2026 in 1.11) the package is the source;
a :class:`CalendarDay` row overrides it for one date. For a later year (e.g. 2027) an administrator loads
the State Council's notice into the table (``onewindow calendar load FILE``); the year then gets a
:class:`CalendarYear` row and its days are: the listed entries, otherwise Monday–Friday. A year that is in
neither is unknown — never guessed.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(_("来源"), max_length=200, blank=True, help_text=_("如：国务院办公厅通知文号"))
    loaded_at = models.DateTimeField(_("导入时间"), auto_now=True)

    class Meta:
        verbose_name = _("日历年份")
        verbose_name_plural = _("日历年份")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    date = models.DateField(_("日期"), unique=True)
    workday = models.BooleanField(_("工作日"), help_text=_("勾选：调休上班日；不勾选：法定节假日"))
    name = models.CharField(_("名称"), max_length=50, blank=True, help_text=_("如：春节、国庆节"))

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.workday else '休息'} {self.name}"
