"""The catalog as an Excel workbook: export, and an all-or-nothing import.

The workbook has three sheets with Chinese headers in row 1:

- 事项: one row per item (its published version, or its latest version when nothing is published);
- 材料: one row per material, tied to its item by 事项编码;
- 表单字段: one row per application-form field, tied to its item by 事项编码.

:func:`catalog_import` first parses and validates every row of every sheet (types, required
columns, known domain/department codes, promised ≤ legal, duplicates, material rows of unknown
items, file type and size) and, if anything is wrong, returns a report naming each bad row and
changes nothing. Only a clean file is applied, in one transaction: a new code becomes a new item,
an existing code gets a new draft version with the imported content (unchanged items are left
alone). Views, the CLI and the API all call these two functions.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from onewindow.catalog import services
from onewindow.catalog.models import (
    Domain,
    FieldKind,
    FormField,
    Item,
    ItemType,
    ItemVersion,
    Material,
    VersionStatus,
    item_code,
)
from onewindow.catalog.selectors import form_field_snapshot, guide_snapshot, material_snapshot
from onewindow.core.errors import DomainError
from onewindow.org.models import Department, Level

SHEET_ITEMS = "事项"
SHEET_MATERIALS = "材料"
SHEET_FIELDS = "表单字段"
SHEET_HELP = "说明"
MAX_ROWS = 20000

_SPLIT = re.compile(r"[、，,;；/\s]+")

LEVEL_SHORT = {Level.COUNTY: "县级", Level.TOWNSHIP: "乡级", Level.VILLAGE: "村级"}
_LEVEL_ALIASES: dict[str, str] = {}
for _code, _label in Level.choices:
    for _alias in (_code, str(_label), LEVEL_SHORT[Level(_code)]):
        _LEVEL_ALIASES[_alias.lower()] = _code
_LEVEL_ALIASES.update(
    {"县": "county", "旗": "county", "旗县": "county", "县区": "county", "乡": "township", "镇": "township"}
)
_LEVEL_ALIASES.update({"苏木乡镇": "township", "乡镇": "township", "街道": "township", "村": "village"})
_LEVEL_ALIASES.update({"嘎查村": "village", "社区": "village", "嘎查": "village"})

_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "需要", "原件", "必需", "必填"}
_FALSE = {"否", "n", "no", "false", "0", "×", "不需要", "复印件", "非必需", "选填"}


# ----------------------------------------------------------------------------------------------
# Result
# ----------------------------------------------------------------------------------------------


@dataclass
class RowError:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = "、".join(
            p
            for p in (self.sheet and f"「{self.sheet}」表", self.row and f"第{self.row}行", self.column)
            if p
        )
        return f"{where}：{self.message}" if where else self.message


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    new_drafts: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def summary(self) -> str:
        if self.errors:
            return f"导入失败：发现 {len(self.errors)} 处错误，没有导入任何内容。"
        parts = [f"新建事项 {len(self.created)} 个", f"新建版本 {len(self.new_drafts)} 个"]
        if self.unchanged:
            parts.append(f"内容未变化 {len(self.unchanged)} 个")
        if self.published:
            parts.append(f"已发布 {len(self.published)} 个")
        return "导入完成：" + "，".join(parts) + "。"


# ----------------------------------------------------------------------------------------------
# Cell parsing
# ----------------------------------------------------------------------------------------------


class CellError(ValueError):
    pass


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def _lines(value: Any) -> list[str]:
    return [line.strip() for line in _text(value).replace("\r", "\n").split("\n") if line.strip()]


def _int(value: Any) -> int | None:
    if value is None or _text(value) == "":
        return None
    if isinstance(value, bool):
        raise CellError("应为整数")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise CellError("应为整数")
        number = int(value)
    else:
        text = _text(value)
        if not re.fullmatch(r"[+-]?\d+", text):
            raise CellError(f"应为整数，而不是「{text}」")
        number = int(text)
    if number < 0:
        raise CellError("不能为负数")
    return number


def _decimal(value: Any) -> Decimal | None:
    text = _text(value)
    if text == "":
        return None
    if isinstance(value, bool):
        raise CellError("应为数字")
    try:
        number = Decimal(str(value) if isinstance(value, int | float) else text)
    except InvalidOperation:
        raise CellError(f"应为数字，而不是「{text}」") from None
    if not number.is_finite():
        raise CellError("应为数字")
    if number < 0:
        raise CellError("不能为负数")
    return number.quantize(Decimal("0.01"))


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text == "":
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(f"应填「是」或「否」，而不是「{_text(value)}」")


def _level(value: Any) -> str | None:
    text = _text(value)
    if text == "":
        return None
    code = _LEVEL_ALIASES.get(text.lower())
    if code is None:
        raise CellError(f"未知的层级「{text}」（可填：县级、乡级、村级）")
    return code


def _levels(value: Any) -> list[str] | None:
    text = _text(value)
    if text == "":
        return None
    # Full labels such as 旗县（区、市） contain a separator: match them whole first.
    chosen: set[str] = set()
    for code, label in Level.choices:
        if str(label) in text:
            chosen.add(code)
            text = text.replace(str(label), " ")
    for token in _SPLIT.split(text):
        if token:
            code_ = _level(token)
            if code_:
                chosen.add(code_)
    return [c for c, _label in Level.choices if c in chosen]


def _choice(choices: Any, what: str) -> Callable[[Any], str | None]:
    by_label = {str(label): code for code, label in choices}
    codes = {code for code, _label in choices}

    def parse(value: Any) -> str | None:
        text = _text(value)
        if text == "":
            return None
        if text in by_label:
            return by_label[text]
        if text.lower() in codes:
            return text.lower()
        raise CellError(f"未知的{what}「{text}」（可填：{'、'.join(by_label)}）")

    return parse


def _str(value: Any) -> str:
    return _text(value)


# ----------------------------------------------------------------------------------------------
# Columns of each sheet
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    attr: str
    parse: Callable[[Any], Any] | None  # None: export only, ignored on import
    export: Callable[[Any], Any]
    required: bool = False
    default: Any = None
    width: int = 14
    help: str = ""


def _get(attr: str) -> Callable[[Any], Any]:
    return lambda obj: getattr(obj, attr)


def _yes_no(attr: str) -> Callable[[Any], Any]:
    return lambda obj: "是" if getattr(obj, attr) else "否"


def _joined_lines(attr: str) -> Callable[[Any], Any]:
    return lambda obj: "\n".join(getattr(obj, attr) or [])


ITEM_COLUMNS: list[Column] = [
    Column(
        "事项编码",
        "code",
        _str,
        lambda v: v.item.code,
        True,
        width=14,
        help="字母、数字、点、横线，如 MZ-001",
    ),
    Column("事项名称", "name", _str, _get("name"), True, width=28),
    Column("简称/别名", "aliases", _str, _get("aliases"), default="", width=16, help="多个用顿号分隔"),
    Column(
        "领域代码", "domain", _str, lambda v: v.domain.code, True, width=12, help="须为系统中已有的领域代码"
    ),
    Column("领域名称", "domain_name", None, lambda v: v.domain.name, width=12, help="仅供阅读，导入时忽略"),
    Column(
        "办件类型",
        "type",
        _choice(ItemType.choices, "办件类型"),
        lambda v: v.get_type_display(),
        default=ItemType.PROMISED,
        width=10,
        help="即办件、承诺件、联办件、上报件",
    ),
    Column("设定依据", "basis", _str, _get("basis"), default="", width=30),
    Column(
        "实施部门代码",
        "department",
        _str,
        lambda v: v.department.code,
        True,
        width=14,
        help="须为系统中已有的部门代码",
    ),
    Column(
        "实施部门名称",
        "department_name",
        None,
        lambda v: v.department.name,
        width=18,
        help="仅供阅读，导入时忽略",
    ),
    Column(
        "受理层级",
        "accept_levels",
        _levels,
        lambda v: "、".join(LEVEL_SHORT[Level(c)] for c in Level.values if c in v.accept_levels),
        True,
        width=14,
        help="县级、乡级、村级，多个用顿号分隔",
    ),
    Column(
        "决定层级",
        "decide_level",
        _level,
        lambda v: LEVEL_SHORT[Level(v.decide_level)],
        True,
        width=10,
        help="县级、乡级或村级",
    ),
    Column("法定时限（工作日）", "legal_days", _int, _get("legal_days"), True, width=10),
    Column(
        "承诺时限（工作日）",
        "promised_days",
        _int,
        _get("promised_days"),
        True,
        width=10,
        help="不能超过法定时限；即办件填0",
    ),
    Column(
        "收费标准（元）",
        "fee",
        _decimal,
        lambda v: float(v.fee),
        default=Decimal("0.00"),
        width=10,
        help="不收费填0",
    ),
    Column("收费依据", "fee_basis", _str, _get("fee_basis"), default="", width=20),
    Column("受理条件", "conditions", _str, _get("conditions"), default="", width=30),
    Column(
        "办理流程",
        "steps",
        _lines,
        _joined_lines("steps"),
        default=[],
        width=24,
        help="每步一行（单元格内换行）",
    ),
    Column("办理地点", "place", _str, _get("place"), default="", width=20),
    Column("办理时间", "hours", _str, _get("hours"), default="", width=20),
    Column("咨询电话", "consult_phone", _str, _get("consult_phone"), default="", width=14),
    Column("投诉电话", "complaint_phone", _str, _get("complaint_phone"), default="", width=14),
    Column("可网上办理", "online", _bool, _yes_no("online"), default=False, width=8, help="是/否"),
    Column(
        "可帮办代办", "proxy_allowed", _bool, _yes_no("proxy_allowed"), default=False, width=8, help="是/否"
    ),
    Column("到现场次数", "max_visits", _int, _get("max_visits"), default=1, width=8),
    Column("办理结果", "result", _str, _get("result"), default="", width=20),
    Column("版本", "number", None, _get("number"), width=6, help="仅供阅读，导入时忽略"),
    Column("状态", "status", None, lambda v: v.get_status_display(), width=8, help="仅供阅读，导入时忽略"),
]

MATERIAL_COLUMNS: list[Column] = [
    Column("事项编码", "item", _str, lambda m: m.version.item.code, True, width=14),
    Column("材料编码", "code", _str, _get("code"), True, width=10),
    Column("材料名称", "name", _str, _get("name"), True, width=28),
    Column(
        "原件/复印件",
        "original",
        _bool,
        lambda m: "原件" if m.original else "复印件",
        default=False,
        width=10,
        help="原件或复印件",
    ),
    Column("份数", "copies", _int, _get("copies"), default=1, width=6),
    Column(
        "是否必需",
        "required",
        _bool,
        _yes_no("required"),
        default=True,
        width=8,
        help="是/否；非必需须写提交条件",
    ),
    Column("提交条件", "condition", _str, _get("condition"), default="", width=24),
    Column("备注", "note", _str, _get("note"), default="", width=20),
    Column("可复用", "reusable", _bool, _yes_no("reusable"), default=True, width=8, help="是/否"),
]

FIELD_COLUMNS: list[Column] = [
    Column("事项编码", "item", _str, lambda f: f.version.item.code, True, width=14),
    Column("字段名", "key", _str, _get("key"), True, width=14, help="小写字母、数字、下划线"),
    Column("标题", "label", _str, _get("label"), True, width=20),
    Column(
        "类型",
        "kind",
        _choice(FieldKind.choices, "字段类型"),
        lambda f: f.get_kind_display(),
        default=FieldKind.TEXT,
        width=8,
        help="文本、数字、日期、选项",
    ),
    Column("必填", "required", _bool, _yes_no("required"), default=False, width=6, help="是/否"),
    Column(
        "选项",
        "choices",
        _lines,
        _joined_lines("choices"),
        default=[],
        width=20,
        help="选项类字段每行一个选项",
    ),
    Column("填写说明", "help_text", _str, _get("help_text"), default="", width=24),
]

SHEETS: list[tuple[str, list[Column]]] = [
    (SHEET_ITEMS, ITEM_COLUMNS),
    (SHEET_MATERIALS, MATERIAL_COLUMNS),
    (SHEET_FIELDS, FIELD_COLUMNS),
]


# ----------------------------------------------------------------------------------------------
# Export
# ----------------------------------------------------------------------------------------------

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
    wb = Workbook()
    ws_items = wb.active
    assert ws_items is not None
    ws_items.title = SHEET_ITEMS
    _write_sheet(ws_items, ITEM_COLUMNS, versions)
    _write_sheet(
        wb.create_sheet(SHEET_MATERIALS), MATERIAL_COLUMNS, (m for v in versions for m in v.materials.all())
    )
    _write_sheet(wb.create_sheet(SHEET_FIELDS), FIELD_COLUMNS, (f for v in versions for f in v.fields.all()))
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


# ----------------------------------------------------------------------------------------------
# Import: parse and validate everything, then apply all at once
# ----------------------------------------------------------------------------------------------


@dataclass
class _ParsedItem:
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
        title = _text(title).replace("\n", "")
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
        if values is None or all(_text(v) == "" for v in values):
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


def _load(data: bytes, errors: list[RowError]) -> Any:
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


def _parse(wb: Any, *, publish: bool, errors: list[RowError]) -> list[_ParsedItem]:
    names = [str(n).strip() for n in wb.sheetnames]
    if SHEET_ITEMS not in names:
        errors.append(RowError(SHEET_ITEMS, 0, "", f"缺少「{SHEET_ITEMS}」工作表"))
        return []
    sheet_of = {str(n).strip(): n for n in wb.sheetnames}
    domains = {d.code: d for d in Domain.objects.all()}
    departments = {d.code: d for d in Department.objects.all()}

    parsed: dict[str, _ParsedItem] = {}
    for row, data in _read_sheet(wb[sheet_of[SHEET_ITEMS]], SHEET_ITEMS, ITEM_COLUMNS, errors):
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
        parsed[code] = _ParsedItem(row=row, code=code, guide=data, version=version)

    children: list[tuple[str, list[Column], type[Material] | type[FormField], str, str]] = [
        (SHEET_MATERIALS, MATERIAL_COLUMNS, Material, "materials", "code"),
        (SHEET_FIELDS, FIELD_COLUMNS, FormField, "fields", "key"),
    ]
    with_materials: set[str] = set()
    for sheet, columns, model, attr, key in children:
        if sheet not in sheet_of:
            continue
        seen: dict[tuple[str, str], int] = {}
        for row, data in _read_sheet(wb[sheet_of[sheet]], sheet, columns, errors):
            code = data.pop("item", None)
            if code is None:
                continue
            target = parsed.get(code)
            if attr == "materials":
                with_materials.add(code)
            if target is None:
                errors.append(
                    RowError(sheet, row, "事项编码", f"事项编码「{code}」不在「{SHEET_ITEMS}」表中")
                )
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


def _same_as(version: ItemVersion, p: _ParsedItem) -> bool:
    return (
        guide_snapshot(version) == guide_snapshot(p.version)
        and [material_snapshot(m) for m in version.materials.all()]
        == [material_snapshot(m) for _r, _d, m in p.materials]
        and [form_field_snapshot(f) for f in version.fields.all()]
        == [form_field_snapshot(f) for _r, _d, f in p.fields]
    )


def _apply(p: _ParsedItem, *, actor: Any, publish: bool, result: ImportResult) -> None:
    materials = [dict(d) for _r, d, _m in p.materials]
    fields = [dict(d) for _r, d, _f in p.fields]
    item = Item.objects.filter(code=p.code).first()
    if item is None:
        version = services.item_create(
            actor=actor, code=p.code, materials=materials, fields=fields, **p.guide
        )
        result.created.append(p.code)
    else:
        latest = item.latest()
        if (
            latest is not None
            and _same_as(latest, p)
            and (not publish or latest.status != VersionStatus.RETIRED)
        ):
            if not publish or latest.status == VersionStatus.PUBLISHED:
                result.unchanged.append(p.code)
                return
            version = latest  # an identical draft: publish it as it is
        else:
            version = services.item_version_new_draft(actor=actor, item=item, change_note="Excel 导入")
            version = services.item_version_edit(
                actor=actor,
                version=version,
                materials=materials,
                fields=fields,
                change_note="Excel 导入",
                **p.guide,
            )
            result.new_drafts.append(p.code)
    if publish:
        services.item_version_publish(actor=actor, version=version)
        result.published.append(p.code)


def catalog_import(*, actor: Any, data: bytes, publish: bool = False) -> ImportResult:
    """Import a workbook in the export format. All or nothing: any error, and nothing changes."""
    result = ImportResult()
    wb = _load(data, result.errors)
    if wb is None:
        return result
    try:
        parsed = _parse(wb, publish=publish, errors=result.errors)
    finally:
        wb.close()
    if result.errors:
        result.errors.sort(
            key=lambda e: ([s for s, _c in SHEETS].index(e.sheet) if e.sheet in dict(SHEETS) else -1, e.row)
        )
        return result
    if not parsed:
        result.errors.append(RowError(SHEET_ITEMS, 0, "", "文件中没有任何事项"))
        return result
    current: _ParsedItem | None = None
    try:
        with transaction.atomic():
            for current in parsed:
                _apply(current, actor=actor, publish=publish, result=result)
    except (DomainError, ValidationError, IntegrityError) as exc:
        message = (
            exc.message if isinstance(exc, DomainError) else "; ".join(getattr(exc, "messages", [str(exc)]))
        )
        row = current.row if current else 0
        code = current.code if current else ""
        result.errors.append(RowError(SHEET_ITEMS, row, "", f"事项 {code} 导入失败：{message}"))
        result.created.clear()
        result.new_drafts.clear()
        result.unchanged.clear()
        result.published.clear()
    return result
