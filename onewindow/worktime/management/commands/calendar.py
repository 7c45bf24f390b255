from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.errors import DomainError
from onewindow.worktime import calendar as wc
from onewindow.worktime.services import calendar_load


class Command(BaseCommand):
    help = "工作日历：calendar load FILE | calendar deadline START DAYS | calendar day DATE"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="导入一个年度的节假日安排（CSV: date,type,name 或 JSON）")
        load.add_argument("file")
        load.add_argument("--source", default="", help="依据，如国务院办公厅通知文号")
        d = sub.add_parser("deadline", help="计算第N个工作日")
        d.add_argument("start")
        d.add_argument("days", type=int)
        day = sub.add_parser("day", help="查询某日是否工作日")
        day.add_argument("date")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            if opts["action"] == "load":
                path = Path(opts["file"])
                if not path.exists():
                    raise CommandError(f"文件不存在：{path}")
                counts = calendar_load(
                    actor=None, text=path.read_text(encoding="utf-8-sig"), source=opts["source"]
                )
                for year, n in counts.items():
                    self.stdout.write(f"已导入 {year} 年：{n} 条节假日/调休记录")
            elif opts["action"] == "deadline":
                start = dt.date.fromisoformat(opts["start"])
                self.stdout.write(wc.deadline(start, opts["days"]).isoformat())
            else:
                info = wc.day_info(dt.date.fromisoformat(opts["date"]))
                self.stdout.write(f"{info.date} {'工作日' if info.workday else '休息日'} {info.reason}")
        except DomainError as exc:
            lines = [exc.message] + [f"  {k}: {'；'.join(map(str, v))}" for k, v in exc.details.items()]
            raise CommandError("\n".join(lines)) from None
        except ValueError as exc:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{exc}") from None
