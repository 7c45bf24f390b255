"""``onewindow backup [--output DIR]``: database snapshot + uploaded files + manifest with checksums."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.operations.backup import BackupError, backup


class Command(BaseCommand):
    help = "备份数据库（SQLite 在线备份或 pg_dump）和上传文件，附带校验清单"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", default=str(Path(settings.DATA_DIR) / "backups"), help="备份存放目录")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            out = backup(Path(opts["output"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"备份完成：{out}")
        self.stdout.write("注意：加密密钥不在备份中，请另行妥善保管 data_keys、index_key、secret_key。")
