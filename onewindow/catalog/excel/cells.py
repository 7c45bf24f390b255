"""Reading one cell of the catalog workbook: text, lines, numbers, yes/no, levels, choices.

Each reader returns ``None`` (the text readers ``""``) for an empty cell and raises
:class:`CellError`, with a Chinese message naming what was expected, for a value it cannot read.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from onewindow.org.models import Level

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


class CellError(ValueError):
    pass


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def as_lines(value: Any) -> list[str]:
    return [line.strip() for line in as_text(value).replace("\r", "\n").split("\n") if line.strip()]


def as_int(value: Any) -> int | None:
    if value is None or as_text(value) == "":
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
        text = as_text(value)
        if not re.fullmatch(r"[+-]?\d+", text):
            raise CellError(f"应为整数，而不是「{text}」")
        number = int(text)
    if number < 0:
        raise CellError("不能为负数")
    return number


def as_decimal(value: Any) -> Decimal | None:
    text = as_text(value)
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


def as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = as_text(value).lower()
    if text == "":
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(f"应填「是」或「否」，而不是「{as_text(value)}」")


def as_level(value: Any) -> str | None:
    text = as_text(value)
    if text == "":
        return None
    code = _LEVEL_ALIASES.get(text.lower())
    if code is None:
        raise CellError(f"未知的层级「{text}」（可填：县级、乡级、村级）")
    return code


def as_levels(value: Any) -> list[str] | None:
    text = as_text(value)
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
            code_ = as_level(token)
            if code_:
                chosen.add(code_)
    return [c for c, _label in Level.choices if c in chosen]


def choice_of(choices: Any, what: str) -> Callable[[Any], str | None]:
    by_label = {str(label): code for code, label in choices}
    codes = {code for code, _label in choices}

    def parse(value: Any) -> str | None:
        text = as_text(value)
        if text == "":
            return None
        if text in by_label:
            return by_label[text]
        if text.lower() in codes:
            return text.lower()
        raise CellError(f"未知的{what}「{text}」（可填：{'、'.join(by_label)}）")

    return parse


def as_str(value: Any) -> str:
    return as_text(value)
