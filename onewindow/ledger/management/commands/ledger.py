from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.ledger import rollup


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from exc


class Command(BaseCommand):
    help = "台账：ledger rebuild [--from YYYY-MM-DD] [--to YYYY-MM-DD] —— 由办件记录等重新计算统计汇总"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rb = sub.add_parser("rebuild", help="由办件记录、排队号、评价、投诉、代办登记重新计算统计汇总")
        rb.add_argument("--from", dest="date_from", type=_date, default=None)
        rb.add_argument("--to", dest="date_to", type=_date, default=None)

    def handle(self, *args: Any, **opts: Any) -> None:
        date_from, date_to = opts.get("date_from"), opts.get("date_to")
        if date_from and date_to and date_from > date_to:
            raise CommandError("起始日期不能晚于结束日期")
        rows = rollup.rebuild(date_from, date_to)
        self.stdout.write(f"统计汇总已重建：{rows} 行")
