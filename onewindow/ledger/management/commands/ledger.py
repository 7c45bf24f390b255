from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from onewindow.ledger import fold, log, rollup


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from exc


class Command(BaseCommand):
    help = (
        "台账：ledger rebuild [--from YYYY-MM-DD] [--to YYYY-MM-DD] —— 由办件记录等重新计算统计汇总；"
        "ledger fold —— 立即折叠等待中的统计事件"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rb = sub.add_parser("rebuild", help="由办件记录、排队号、评价、投诉、代办登记重新计算统计汇总")
        rb.add_argument("--from", dest="date_from", type=_date, default=None)
        rb.add_argument("--to", dest="date_to", type=_date, default=None)
        sub.add_parser("fold", help="把等待中的统计事件折叠进统计汇总（后台任务每隔几秒自动执行）")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "fold":
            n = fold.fold()
            as_of = log.as_of()
            when = timezone.localtime(as_of).strftime("%Y-%m-%d %H:%M:%S") if as_of else "—"
            self.stdout.write(f"已折叠 {n} 条统计事件，数据截至 {when}")
            return
        date_from, date_to = opts.get("date_from"), opts.get("date_to")
        if date_from and date_to and date_from > date_to:
            raise CommandError("起始日期不能晚于结束日期")
        rows = rollup.rebuild(date_from, date_to)
        self.stdout.write(f"统计汇总已重建：{rows} 行")
