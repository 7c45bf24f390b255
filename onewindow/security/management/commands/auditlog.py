"""``onewindow auditlog verify|chain|purge|export``: the security audit log (安全审计日志)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.security import audit
from onewindow.security.exports import audit_workbook
from onewindow.security.models import AuditEntry


class Command(BaseCommand):
    help = "安全审计日志：verify 校验哈希链；purge 按保存期限清理（保留链可校验）；export 导出 Excel"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="先将未入链的记录入链，再校验审计日志哈希链，发现篡改时以非零状态退出")
        sub.add_parser("chain", help="将新写入的审计记录链入哈希链（后台任务每隔几秒自动执行）")
        sub.add_parser("purge", help="删除超过保存期限（AUDIT_RETENTION_DAYS，至少183天）的审计记录")
        exp = sub.add_parser("export", help="导出审计日志为 Excel")
        exp.add_argument("path")

    def handle(self, *args: Any, **opts: Any) -> None:
        action = opts["action"]
        if action == "verify":
            problems = audit.verify()
            total = AuditEntry.objects.count()
            if problems:
                for p in problems:
                    self.stderr.write(p)
                raise CommandError(f"审计日志共 {total} 条，校验失败 {len(problems)} 处")
            self.stdout.write(f"审计日志共 {total} 条，哈希链完整")
        elif action == "chain":
            self.stdout.write(f"已将 {audit.chain()} 条审计记录链入哈希链")
        elif action == "purge":
            deleted = audit.purge()
            self.stdout.write(
                f"已清理 {deleted} 条超过 {audit.retention_days()} 天的审计记录，哈希链锚点已更新"
            )
        else:
            audit.chain()
            Path(opts["path"]).write_bytes(audit_workbook(AuditEntry.objects.order_by("seq")))
            audit.record("audit.export", obj="auditlog", details={"via": "command"})
            self.stdout.write(f"已导出到 {opts['path']}")
