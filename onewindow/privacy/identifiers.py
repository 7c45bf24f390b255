"""Validators for Chinese identifiers: 居民身份证号 (GB 11643), 统一社会信用代码 (GB 32100), mobile.

Each ``validate_*`` returns the normalised value or raises :class:`IdentifierError` whose ``code`` is
the API's error code and whose message is a clear Chinese sentence.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from onewindow.core.errors import Invalid

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# First digit of GB/T 2260 area codes (provinces 11–82).
_PROVINCES = {
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "62",
    "63",
    "64",
    "65",
    "71",
    "81",
    "82",
}
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


class IdentifierError(Invalid):
    pass


def id_check_digit(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def id_birth_date(id_number: str) -> dt.date:
    return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def validate_id_number(value: str, *, today: dt.date | None = None) -> str:
    """Validate an 18-character 居民身份证号; return it upper-cased."""
    code = "invalid_id_number"
    v = (value or "").strip().upper()
    if len(v) != 18:
        raise IdentifierError(f"身份证号应为18位，当前为{len(v)}位", code=code)
    if not v[:17].isdigit() or not (v[17].isdigit() or v[17] == "X"):
        raise IdentifierError("身份证号前17位应为数字，最后一位为数字或X", code=code)
    if v[:2] not in _PROVINCES:
        raise IdentifierError("身份证号的地区码不存在", code=code)
    try:
        birth = id_birth_date(v)
    except ValueError:
        raise IdentifierError("身份证号中的出生日期不是有效日期", code=code) from None
    today = today or timezone.localdate()  # the server time zone's date, not the machine's
    if birth > today or birth.year < 1880:
        raise IdentifierError("身份证号中的出生日期不合理", code=code)
    if id_check_digit(v[:17]) != v[17]:
        raise IdentifierError("身份证号校验位错误，请核对号码", code=code)
    return v


def credit_check_char(first17: str) -> str:
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    c = 31 - total % 31
    return CREDIT_CHARS[0 if c == 31 else c]


def validate_credit_code(value: str) -> str:
    """Validate an 18-character 统一社会信用代码; return it upper-cased."""
    code = "invalid_credit_code"
    v = (value or "").strip().upper()
    if len(v) != 18:
        raise IdentifierError(f"统一社会信用代码应为18位，当前为{len(v)}位", code=code)
    bad = sorted({c for c in v if c not in CREDIT_CHARS})
    if bad:
        raise IdentifierError(
            f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用I、O、Z、S、V）", code=code
        )
    if not v[2:8].isdigit():
        raise IdentifierError("统一社会信用代码第3至8位应为行政区划代码", code=code)
    if credit_check_char(v[:17]) != v[17]:
        raise IdentifierError("统一社会信用代码校验位错误，请核对", code=code)
    return v


def validate_mobile(value: str) -> str:
    """Validate a mainland mobile number (11 digits, starting with 1); +86 prefix allowed."""
    v = re.sub(r"[\s-]", "", value or "")
    if v.startswith("+86"):
        v = v[3:]
    if not _MOBILE_RE.match(v):
        raise IdentifierError("手机号码应为以1开头的11位数字", code="invalid_phone")
    return v
