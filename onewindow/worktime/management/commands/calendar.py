from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.core.actor import system
from onewindow.core.errors import DomainError
from onewindow.worktime import calendar as wc
from onewindow.worktime.services import calendar_load, calendar_load_notice


class Command(BaseCommand):
    help = (
        "工作日历：calendar load FILE | calendar load --notice FILE [--year YYYY] | "
        "calendar deadline START DAYS | calendar day DATE"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="导入一个年度的节假日安排（CSV: date,type,name 或 JSON）")
        load.add_argument("file", nargs="?")
        load.add_argument("--notice", help="国务院办公厅关于YYYY年部分节假日安排的通知（全文，UTF-8 文本）")
        load.add_argument("--year", type=int, default=None, help="通知年份（通知标题中没有时）")
        load.add_argument("--source", default="", help="依据，如国务院办公厅通知文号")
        d = sub.add_parser("deadline", help="计算第N个工作日")
        d.add_argument("start")
        d.add_argument("days", type=int)
        day = sub.add_parser("day", help="查询某日是否工作日")
        day.add_argument("date")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            if opts["action"] == "load" and opts["notice"]:
                path = Path(opts["notice"])
                if not path.exists():
                    raise CommandError(f"文件不存在：{path}")
                notice = calendar_load_notice(
                    actor=system(), text=path.read_text(encoding="utf-8-sig"), year=opts["year"]
                )
                for section in notice.sections:
                    off = "、".join(f"{d.month}-{d.day}" for d in section.holidays)
                    work = "、".join(f"{d.month}-{d.day}" for d in section.workdays)
                    self.stdout.write(f"  {section.name}：放假 {off}" + (f"；上班 {work}" if work else ""))
                self.stdout.write(
                    f"已导入 {notice.year} 年（{notice.source}）：{len(notice.rows())} 条节假日/调休记录"
                )
            elif opts["action"] == "load":
                if not opts["file"]:
                    raise CommandError("请给出日历文件（CSV/JSON），或用 --notice 给出通知全文")
                path = Path(opts["file"])
                if not path.exists():
                    raise CommandError(f"文件不存在：{path}")
                counts = calendar_load(
                    actor=system(), text=path.read_text(encoding="utf-8-sig"), source=opts["source"]
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
