"""The sheets of the catalog workbook and their columns: header, model attribute, how a cell is read
on import and written on export, whether it is required, its default, width and help text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from onewindow.catalog.excel.cells import (
    LEVEL_SHORT,
    as_bool,
    as_decimal,
    as_int,
    as_level,
    as_levels,
    as_lines,
    as_str,
    choice_of,
)
from onewindow.catalog.models import FieldKind, ItemType
from onewindow.org.models import Level

SHEET_ITEMS = "事项"
SHEET_MATERIALS = "材料"
SHEET_FIELDS = "表单字段"
SHEET_HELP = "说明"


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


def _lines(header: str, attr: str, *, width: int, help: str) -> Column:
    """A column of a list of texts: one per line in the cell (line breaks inside the cell)."""
    return Column(
        header,
        attr,
        as_lines,
        lambda obj: "\n".join(getattr(obj, attr) or []),
        default=[],
        width=width,
        help=help,
    )


def _choice(
    header: str, attr: str, choices: Any, what: str, *, default: Any, width: int, help: str
) -> Column:
    """A column of a model choice field: read by its label (or code), written as its label."""
    return Column(
        header,
        attr,
        choice_of(choices, what),
        lambda obj: getattr(obj, f"get_{attr}_display")(),
        default=default,
        width=width,
        help=help,
    )


ITEM_COLUMNS: list[Column] = [
    Column(
        "事项编码",
        "code",
        as_str,
        lambda v: v.item.code,
        True,
        width=14,
        help="字母、数字、点、横线，如 MZ-001",
    ),
    Column("事项名称", "name", as_str, _get("name"), True, width=28),
    Column("简称/别名", "aliases", as_str, _get("aliases"), default="", width=16, help="多个用顿号分隔"),
    Column(
        "领域代码", "domain", as_str, lambda v: v.domain.code, True, width=12, help="须为系统中已有的领域代码"
    ),
    Column("领域名称", "domain_name", None, lambda v: v.domain.name, width=12, help="仅供阅读，导入时忽略"),
    _choice(
        "办件类型",
        "type",
        ItemType.choices,
        "办件类型",
        default=ItemType.PROMISED,
        width=10,
        help="即办件、承诺件、联办件、上报件",
    ),
    Column("设定依据", "basis", as_str, _get("basis"), default="", width=30),
    Column(
        "实施部门代码",
        "department",
        as_str,
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
        as_levels,
        lambda v: "、".join(LEVEL_SHORT[Level(c)] for c in Level.values if c in v.accept_levels),
        True,
        width=14,
        help="县级、乡级、村级，多个用顿号分隔",
    ),
    Column(
        "决定层级",
        "decide_level",
        as_level,
        lambda v: LEVEL_SHORT[Level(v.decide_level)],
        True,
        width=10,
        help="县级、乡级或村级",
    ),
    Column("法定时限（工作日）", "legal_days", as_int, _get("legal_days"), True, width=10),
    Column(
        "承诺时限（工作日）",
        "promised_days",
        as_int,
        _get("promised_days"),
        True,
        width=10,
        help="不能超过法定时限；即办件填0",
    ),
    Column(
        "收费标准（元）",
        "fee",
        as_decimal,
        lambda v: float(v.fee),
        default=Decimal("0.00"),
        width=10,
        help="不收费填0",
    ),
    Column("收费依据", "fee_basis", as_str, _get("fee_basis"), default="", width=20),
    Column("受理条件", "conditions", as_str, _get("conditions"), default="", width=30),
    _lines("办理流程", "steps", width=24, help="每步一行（单元格内换行）"),
    Column("办理地点", "place", as_str, _get("place"), default="", width=20),
    Column("办理时间", "hours", as_str, _get("hours"), default="", width=20),
    Column("咨询电话", "consult_phone", as_str, _get("consult_phone"), default="", width=14),
    Column("投诉电话", "complaint_phone", as_str, _get("complaint_phone"), default="", width=14),
    Column("可网上办理", "online", as_bool, _yes_no("online"), default=False, width=8, help="是/否"),
    Column(
        "可帮办代办", "proxy_allowed", as_bool, _yes_no("proxy_allowed"), default=False, width=8, help="是/否"
    ),
    Column("到现场次数", "max_visits", as_int, _get("max_visits"), default=1, width=8),
    Column("办理结果", "result", as_str, _get("result"), default="", width=20),
    Column("版本", "number", None, _get("number"), width=6, help="仅供阅读，导入时忽略"),
    Column("状态", "status", None, lambda v: v.get_status_display(), width=8, help="仅供阅读，导入时忽略"),
]

MATERIAL_COLUMNS: list[Column] = [
    Column("事项编码", "item", as_str, lambda m: m.version.item.code, True, width=14),
    Column("材料编码", "code", as_str, _get("code"), True, width=10),
    Column("材料名称", "name", as_str, _get("name"), True, width=28),
    Column(
        "原件/复印件",
        "original",
        as_bool,
        lambda m: "原件" if m.original else "复印件",
        default=False,
        width=10,
        help="原件或复印件",
    ),
    Column("份数", "copies", as_int, _get("copies"), default=1, width=6),
    Column(
        "是否必需",
        "required",
        as_bool,
        _yes_no("required"),
        default=True,
        width=8,
        help="是/否；非必需须写提交条件",
    ),
    Column("提交条件", "condition", as_str, _get("condition"), default="", width=24),
    Column("备注", "note", as_str, _get("note"), default="", width=20),
    Column("可复用", "reusable", as_bool, _yes_no("reusable"), default=True, width=8, help="是/否"),
]

FIELD_COLUMNS: list[Column] = [
    Column("事项编码", "item", as_str, lambda f: f.version.item.code, True, width=14),
    Column("字段名", "key", as_str, _get("key"), True, width=14, help="小写字母、数字、下划线"),
    Column("标题", "label", as_str, _get("label"), True, width=20),
    _choice(
        "类型",
        "kind",
        FieldKind.choices,
        "字段类型",
        default=FieldKind.TEXT,
        width=8,
        help="文本、数字、日期、选项",
    ),
    Column("必填", "required", as_bool, _yes_no("required"), default=False, width=6, help="是/否"),
    _lines("选项", "choices", width=20, help="选项类字段每行一个选项"),
    Column("填写说明", "help_text", as_str, _get("help_text"), default="", width=24),
]

SHEETS: list[tuple[str, list[Column]]] = [
    (SHEET_ITEMS, ITEM_COLUMNS),
    (SHEET_MATERIALS, MATERIAL_COLUMNS),
    (SHEET_FIELDS, FIELD_COLUMNS),
]
