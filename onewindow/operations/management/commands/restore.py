"""``onewindow restore BACKUP_DIR [--force]``: verify checksums, load database and files, verify chains."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.operations.backup import BackupError, restore


class Command(BaseCommand):
    help = "从 onewindow backup 生成的备份目录恢复数据库和上传文件，并校验办件与审计哈希链"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup_dir")
        parser.add_argument("--force", action="store_true", help="覆盖已有数据")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            result = restore(Path(opts["backup_dir"]), force=opts["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        counts = result["manifest"]["counts"]
        if result["problems"]:
            for p in result["problems"]:
                self.stderr.write(p)
            raise CommandError("恢复完成，但校验发现问题（见上）")
        self.stdout.write(
            f"恢复完成：{counts['cases']} 个办件、{counts['case_events']} 条办件记录、"
            f"{counts['files']} 个文件，哈希链校验通过"
        )
