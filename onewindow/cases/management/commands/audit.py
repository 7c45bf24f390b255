from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.cases.models import Case
from onewindow.cases.selectors import chain_verify


class Command(BaseCommand):
    help = "审计：audit verify —— 校验每个办件的全程留痕哈希链"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="校验全部办件记录的哈希链，发现篡改时以非零状态退出")

    def handle(self, *args: Any, **opts: Any) -> None:
        broken = 0
        total = 0
        for case in Case.objects.order_by("pk").iterator():
            total += 1
            problems = chain_verify(case)
            if problems:
                broken += 1
                self.stderr.write(f"办件 {case.number}：{'；'.join(problems)}")
        if broken:
            raise CommandError(f"共 {total} 个办件，{broken} 个记录链校验失败")
        self.stdout.write(f"共 {total} 个办件，记录链全部完整")
