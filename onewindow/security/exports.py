"""Excel export of the audit log (for the audit administrator)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils import timezone
from openpyxl import Workbook

from onewindow.security.models import AuditEntry

HEADERS = ["序号", "时间", "用户名", "角色", "来源地址", "事件", "对象", "结果", "详情", "哈希"]


def _safe(value: str) -> str:
    """Cells starting with = + - @ are formulas in Excel: neutralise them (CSV/formula injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def audit_workbook(entries: Iterable[AuditEntry]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("审计日志")
    ws.append(HEADERS)
    for e in entries:
        ws.append(
            [
                e.seq,
                timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                _safe(e.username),
                e.roles,
                e.ip,
                e.action,
                _safe(e.obj),
                e.result,
                _safe(str(e.details or "")),
                e.hash,
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
