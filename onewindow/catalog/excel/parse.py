"""Import, first half: read and validate every row of every sheet without writing anything.

Errors (types, required columns, unknown domain/department codes, promised ≤ legal, duplicates,
material rows of unknown items, file type and size) are collected as :class:`RowError` rows.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from onewindow.catalog.excel.cells import CellError, as_text
from onewindow.catalog.excel.columns import (
    FIELD_COLUMNS,
    ITEM_COLUMNS,
    MATERIAL_COLUMNS,
    SHEET_FIELDS,
    SHEET_ITEMS,
    SHEET_MATERIALS,
    Column,
)
from onewindow.catalog.excel.result import RowError
from onewindow.catalog.models import Domain, FormField, ItemVersion, Material, item_code
from onewindow.org.models import Department

MAX_ROWS = 20000


@dataclass
class ParsedItem:
    """One row of the items sheet, validated, with its material and field rows."""

    row: int
    code: str
    guide: dict[str, Any]
    version: ItemVersion  # unsaved, validated
    materials: list[tuple[int, dict[str, Any], Material]] = field(default_factory=list)
    fields: list[tuple[int, dict[str, Any], FormField]] = field(default_factory=list)


def _read_sheet(
    ws: Any, sheet: str, columns: list[Column], errors: list[RowError]
) -> list[tuple[int, dict[str, Any]]]:
    """Rows of a sheet as ``(row number, {attr: parsed value})``; cell errors go to ``errors``."""
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        errors.append(RowError(sheet, 1, "", "缺少标题行"))
        return []
    positions: dict[str, int] = {}
    for i, title in enumerate(header):
        title = as_text(title).replace("\n", "")
        if title and title not in positions:
            positions[title] = i
    importable = [c for c in columns if c.parse is not None]
    missing = [c.header for c in importable if c.required and c.header not in positions]
    for name in missing:
        errors.append(RowError(sheet, 1, name, "缺少必需的列"))
    if missing:
        return []
    out = []
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            errors.append(RowError(sheet, number, "", f"行数过多（每张表最多 {MAX_ROWS} 行）"))
            break
        if values is None or all(as_text(v) == "" for v in values):
            continue
        data: dict[str, Any] = {}
        for c in importable:
            pos = positions.get(c.header)
            raw = values[pos] if pos is not None and pos < len(values) else None
            try:
                value = c.parse(raw)  # type: ignore[misc]
            except CellError as exc:
                errors.append(RowError(sheet, number, c.header, str(exc)))
                continue
            if value is None or value == "" or value == []:
                if c.required:
                    errors.append(RowError(sheet, number, c.header, "不能为空"))
                    continue
                value = list(c.default) if isinstance(c.default, list) else c.default
            data[c.attr] = value
        out.append((number, data))
    return out


def _model_errors(
    exc: ValidationError, sheet: str, row: int, columns: list[Column], errors: list[RowError]
) -> None:
    headers = {c.attr: c.header for c in columns}
    if hasattr(exc, "error_dict"):
        for attr, errs in exc.error_dict.items():
            for e in errs:
                for message in e.messages:
                    errors.append(RowError(sheet, row, headers.get(attr, ""), str(message)))
    else:
        for message in exc.messages:
            errors.append(RowError(sheet, row, "", str(message)))


def load(data: bytes, errors: list[RowError]) -> Any:
    limit = settings.CATALOG_IMPORT_MAX_BYTES
    if len(data) > limit:
        errors.append(
            RowError(
                "",
                0,
                "",
                f"文件过大（{len(data) / 1024 / 1024:.1f} MB），上限为 {limit / 1024 / 1024:.1f} MB",
            )
        )
        return None
    if not data:
        errors.append(RowError("", 0, "", "文件是空的"))
        return None
    if not data.startswith(b"PK\x03\x04"):
        errors.append(RowError("", 0, "", "文件不是 Excel（.xlsx）格式，请用本系统导出的模板填写后上传"))
        return None
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises assorted errors (zip, XML, KeyError) on malformed files
        errors.append(RowError("", 0, "", "无法读取 Excel 文件，文件可能已损坏或不是 .xlsx 格式"))
        return None


def parse(wb: Any, *, publish: bool, errors: list[RowError]) -> list[ParsedItem]:
    """Every item of the workbook with its materials and fields; problems go to ``errors``."""
    names = [str(n).strip() for n in wb.sheetnames]
    if SHEET_ITEMS not in names:
        errors.append(RowError(SHEET_ITEMS, 0, "", f"缺少「{SHEET_ITEMS}」工作表"))
        return []
    sheet_of = {str(n).strip(): n for n in wb.sheetnames}
    parsed = _parse_items(wb[sheet_of[SHEET_ITEMS]], errors)
    with_materials: set[str] = set()
    for child in _CHILDREN:
        sheet = child[0]
        if sheet in sheet_of:
            _parse_children(wb[sheet_of[sheet]], child, parsed, with_materials, errors)
    if publish:
        for p in parsed.values():
            if p.code not in with_materials:
                errors.append(
                    RowError(
                        SHEET_ITEMS,
                        p.row,
                        "",
                        f"事项 {p.code} 在「{SHEET_MATERIALS}」表中没有材料，不能直接发布",
                    )
                )
    return list(parsed.values())


def _parse_items(ws: Any, errors: list[RowError]) -> dict[str, ParsedItem]:
    """The rows of the items sheet by code: codes, domain and department checked, guide validated."""
    domains = {d.code: d for d in Domain.objects.all()}
    departments = {d.code: d for d in Department.objects.all()}
    parsed: dict[str, ParsedItem] = {}
    for row, data in _read_sheet(ws, SHEET_ITEMS, ITEM_COLUMNS, errors):
        code = data.pop("code", None)
        if code is None:
            continue
        bad = False
        try:
            item_code(code)
        except ValidationError as exc:
            errors.append(RowError(SHEET_ITEMS, row, "事项编码", str(exc.messages[0])))
            bad = True
        if code in parsed:
            errors.append(
                RowError(
                    SHEET_ITEMS, row, "事项编码", f"事项编码 {code} 重复（与第{parsed[code].row}行相同）"
                )
            )
            continue
        if "domain" in data:
            domain = domains.get(data["domain"])
            if domain is None:
                errors.append(RowError(SHEET_ITEMS, row, "领域代码", f"未知的领域代码「{data['domain']}」"))
                bad = True
            data["domain"] = domain
        if "department" in data:
            department = departments.get(data["department"])
            if department is None:
                errors.append(
                    RowError(SHEET_ITEMS, row, "实施部门代码", f"未知的部门代码「{data['department']}」")
                )
                bad = True
            data["department"] = department
        complete = all(c.attr in data for c in ITEM_COLUMNS if c.parse is not None and c.attr != "code")
        version = ItemVersion(number=1, **{k: v for k, v in data.items() if v is not None})
        if complete and not bad:
            try:
                version.full_clean(exclude=["item", "created_by", "number"])
            except ValidationError as exc:
                _model_errors(exc, SHEET_ITEMS, row, ITEM_COLUMNS, errors)
        parsed[code] = ParsedItem(row=row, code=code, guide=data, version=version)
    return parsed


# The child sheets: (sheet, columns, model, ParsedItem attribute, key unique within an item).
_Child = tuple[str, list[Column], type[Material] | type[FormField], str, str]
_CHILDREN: list[_Child] = [
    (SHEET_MATERIALS, MATERIAL_COLUMNS, Material, "materials", "code"),
    (SHEET_FIELDS, FIELD_COLUMNS, FormField, "fields", "key"),
]


def _parse_children(
    ws: Any,
    child: _Child,
    parsed: dict[str, ParsedItem],
    with_materials: set[str],
    errors: list[RowError],
) -> None:
    """Attach the rows of a material or field sheet to their items (codes with materials noted)."""
    sheet, columns, model, attr, key = child
    seen: dict[tuple[str, str], int] = {}
    for row, data in _read_sheet(ws, sheet, columns, errors):
        code = data.pop("item", None)
        if code is None:
            continue
        target = parsed.get(code)
        if attr == "materials":
            with_materials.add(code)
        if target is None:
            errors.append(RowError(sheet, row, "事项编码", f"事项编码「{code}」不在「{SHEET_ITEMS}」表中"))
            continue
        if key in data:
            k = (code, data[key])
            if k in seen:
                label = "材料编码" if key == "code" else "字段名"
                errors.append(
                    RowError(
                        sheet,
                        row,
                        label,
                        f"{label} {data[key]} 在事项 {code} 中重复（与第{seen[k]}行相同）",
                    )
                )
                continue
            seen[k] = row
        if not all(c.attr in data for c in columns if c.parse is not None and c.attr != "item"):
            continue  # cell errors already reported
        obj = model(**data)
        try:
            obj.full_clean(exclude=["version", "sort"])
        except ValidationError as exc:
            _model_errors(exc, sheet, row, columns, errors)
            continue
        getattr(target, attr).append((row, data, obj))
