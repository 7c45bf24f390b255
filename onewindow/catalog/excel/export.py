"""Export: the catalog (or an empty template) as an ``.xlsx`` workbook."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Prefetch
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from onewindow.catalog.excel.columns import (
    SHEET_FIELDS,
    SHEET_HELP,
    SHEET_ITEMS,
    SHEET_MATERIALS,
    SHEETS,
    Column,
)
from onewindow.catalog.models import Domain, Item, ItemVersion, VersionStatus

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="EEF0F3")


def _export_versions(codes: Iterable[str] | None) -> list[ItemVersion]:
    versions_qs = (
        ItemVersion.objects.select_related("item", "domain", "department")
        .prefetch_related("materials", "fields")
        .order_by("-number")
    )
    items = Item.objects.prefetch_related(Prefetch("versions", queryset=versions_qs)).order_by("code")
    if codes is not None:
        items = items.filter(code__in=list(codes))
    out = []
    for item in items:
        versions = list(item.versions.all())
        chosen = next((v for v in versions if v.status == VersionStatus.PUBLISHED), None)
        chosen = chosen or (versions[0] if versions else None)
        if chosen is not None:
            out.append(chosen)
    return out


def _write_sheet(ws: Any, columns: list[Column], rows: Iterable[Any]) -> None:
    ws.append([c.header for c in columns])
    for i, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.freeze_panes = "B2"
    wrap = Alignment(wrap_text=True, vertical="top")
    for obj in rows:
        values = [c.export(obj) for c in columns]
        ws.append(values)
        for i, value in enumerate(values, start=1):
            cell = ws.cell(row=ws.max_row, column=i)
            if isinstance(value, str):
                # Never let text become a formula in the reader's spreadsheet program.
                if value.startswith("="):
                    cell.data_type = "s"
                if "\n" in value:
                    cell.alignment = wrap


def catalog_export(*, codes: Iterable[str] | None = None, template: bool = False) -> bytes:
    """The catalog as ``.xlsx`` bytes: each item's published version (or its latest one).

    ``codes`` limits the export to those items; ``template=True`` gives the empty workbook
    (headers and the 说明 sheet only), to be filled in and imported.
    """
    versions = [] if template else _export_versions(codes)
    rows_of: dict[str, Callable[[ItemVersion], Iterable[Any]]] = {
        SHEET_ITEMS: lambda v: [v],
        SHEET_MATERIALS: lambda v: v.materials.all(),
        SHEET_FIELDS: lambda v: v.fields.all(),
    }
    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)  # the sheets are those of SHEETS, in its order
    for sheet, columns in SHEETS:
        _write_sheet(wb.create_sheet(sheet), columns, (r for v in versions for r in rows_of[sheet](v)))
    ws_help = wb.create_sheet(SHEET_HELP)
    ws_help.append(["表", "列", "必填", "说明"])
    for i, width in enumerate([10, 20, 6, 50], start=1):
        ws_help.cell(row=1, column=i).font = _HEADER_FONT
        ws_help.column_dimensions[get_column_letter(i)].width = width
    for sheet, columns in SHEETS:
        for c in columns:
            ws_help.append([sheet, c.header, "是" if c.required else "", c.help])
    ws_help.append([])
    ws_help.append(
        [
            "",
            "",
            "",
            "第一行为列标题，请勿修改；从第二行起每行一条。导入时先检查全部内容，有任何错误则整份文件都不导入。",
        ]
    )
    ws_help.append(["", "", "", "已有的事项编码：导入的内容生成一个新的草稿版本；新的事项编码：新建事项。"])
    domains = "、".join(f"{d.code}（{d.name}）" for d in Domain.objects.all())
    ws_help.append(["", "领域代码", "", domains])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
