"""居民身份证号 (GB 11643), 统一社会信用代码 (GB 32100) and mobile numbers."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onewindow.privacy import identifiers
from onewindow.privacy.identifiers import (
    CREDIT_CHARS,
    IdentifierError,
    credit_check_char,
    id_check_digit,
    validate_credit_code,
    validate_id_number,
    validate_mobile,
)

CHINESE = re.compile(r"[\u4e00-\u9fff]")
TODAY = dt.date(2026, 3, 4)


def _assert_error(exc: pytest.ExceptionInfo[IdentifierError], code: str) -> None:
    assert exc.value.code == code
    assert exc.value.status == 422
    assert CHINESE.search(exc.value.message), exc.value.message


# ---------------------------------------------------------------- 居民身份证号


def test_domain_example_is_valid() -> None:
    assert validate_id_number("11010519491231002X") == "11010519491231002X"


def test_lower_case_x_is_normalised() -> None:
    assert validate_id_number(" 11010519491231002x ") == "11010519491231002X"


def test_check_digit_table() -> None:
    assert id_check_digit("11010519491231002") == "X"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("110105194912310021", "校验位错误"),
        ("110105194912310020", "校验位错误"),
        ("11010519490230002X", "出生日期不是有效日期"),  # 1949-02-30
        ("11010519491331002X", "出生日期不是有效日期"),  # month 13
        ("1101051949123100", "应为18位，当前为16位"),
        ("11010519491231002X1", "应为18位，当前为19位"),
        ("", "应为18位，当前为0位"),
        ("1101051949123100AX", "前17位应为数字"),
        ("99010519491231002X", "地区码不存在"),
    ],
)
def test_invalid_id_numbers(value: str, fragment: str) -> None:
    with pytest.raises(IdentifierError) as exc:
        validate_id_number(value)
    _assert_error(exc, "invalid_id_number")
    assert fragment in exc.value.message


def test_future_birth_date_is_refused() -> None:
    first17 = "110105" + "20270101" + "001"
    number = first17 + id_check_digit(first17)
    with pytest.raises(IdentifierError) as exc:
        validate_id_number(number, today=TODAY)
    _assert_error(exc, "invalid_id_number")
    assert "出生日期不合理" in exc.value.message
    # The same number is fine once that day has come.
    assert validate_id_number(number, today=dt.date(2027, 1, 1)) == number


def test_impossible_leap_day() -> None:
    first17 = "110105" + "19490229" + "001"  # 1949 is not a leap year
    with pytest.raises(IdentifierError) as exc:
        validate_id_number(first17 + id_check_digit(first17))
    assert "出生日期不是有效日期" in exc.value.message
    leap = "110105" + "20000229" + "001"
    assert validate_id_number(leap + id_check_digit(leap))


@st.composite
def valid_ids(draw: st.DrawFn) -> str:
    province = draw(st.sampled_from(sorted(identifiers._PROVINCES)))
    area = draw(st.from_regex(r"\A[0-9]{4}\Z"))
    birth = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)))
    seq = draw(st.integers(min_value=0, max_value=999))
    first17 = f"{province}{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_digit(first17)


@given(valid_ids())
def test_generated_ids_are_valid(number: str) -> None:
    assert validate_id_number(number, today=TODAY) == number
    assert validate_id_number(number.lower(), today=TODAY) == number


@given(valid_ids(), st.integers(min_value=0, max_value=17), st.integers(min_value=1, max_value=10))
def test_one_changed_character_is_invalid(number: str, pos: int, shift: int) -> None:
    alphabet = "0123456789X" if pos == 17 else "0123456789"
    old = number[pos]
    new = alphabet[(alphabet.index(old) + shift) % len(alphabet)]
    if new == old:
        new = alphabet[(alphabet.index(old) + 1) % len(alphabet)]
    mutated = number[:pos] + new + number[pos + 1 :]
    assert mutated != number
    with pytest.raises(IdentifierError) as exc:
        validate_id_number(mutated, today=TODAY)
    assert exc.value.code == "invalid_id_number"


# ---------------------------------------------------------------- 统一社会信用代码


def test_credit_example_is_valid() -> None:
    assert validate_credit_code("91350100M000100Y43") == "91350100M000100Y43"
    assert validate_credit_code("91350100m000100y43") == "91350100M000100Y43"


def test_credit_bad_check_char() -> None:
    with pytest.raises(IdentifierError) as exc:
        validate_credit_code("91350100M000100Y44")
    _assert_error(exc, "invalid_credit_code")
    assert "校验位错误" in exc.value.message


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_credit_forbidden_letters(letter: str) -> None:
    value = "91350100M000100" + letter + "43"
    with pytest.raises(IdentifierError) as exc:
        validate_credit_code(value)
    _assert_error(exc, "invalid_credit_code")
    assert letter in exc.value.message
    assert "不使用I、O、Z、S、V" in exc.value.message


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("91350100M000100Y4", "应为18位，当前为17位"),
        ("91AB0100M000100Y43", "行政区划代码"),
    ],
)
def test_credit_other_errors(value: str, fragment: str) -> None:
    with pytest.raises(IdentifierError) as exc:
        validate_credit_code(value)
    _assert_error(exc, "invalid_credit_code")
    assert fragment in exc.value.message


@st.composite
def valid_credit_codes(draw: st.DrawFn) -> str:
    head = draw(st.text(alphabet=CREDIT_CHARS, min_size=2, max_size=2))
    area = draw(st.from_regex(r"\A[0-9]{6}\Z"))
    org = draw(st.text(alphabet=CREDIT_CHARS, min_size=9, max_size=9))
    first17 = head + area + org
    return first17 + credit_check_char(first17)


@given(valid_credit_codes())
def test_generated_credit_codes_are_valid(code: str) -> None:
    assert validate_credit_code(code) == code
    assert validate_credit_code(code.lower()) == code


@given(valid_credit_codes(), st.integers(min_value=0, max_value=17), st.integers(min_value=1, max_value=30))
def test_credit_one_changed_character_is_invalid(code: str, pos: int, shift: int) -> None:
    new = CREDIT_CHARS[(CREDIT_CHARS.index(code[pos]) + shift) % len(CREDIT_CHARS)]
    mutated = code[:pos] + new + code[pos + 1 :]
    with pytest.raises(IdentifierError) as exc:
        validate_credit_code(mutated)
    assert exc.value.code == "invalid_credit_code"


# ---------------------------------------------------------------- mobile numbers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("19912345678", "19912345678"),
    ],
)
def test_valid_mobiles(value: str, expected: str) -> None:
    assert validate_mobile(value) == expected


@pytest.mark.parametrize(
    "value", ["", "1381234567", "138123456789", "23812345678", "12812345678", "1381234567a"]
)
def test_invalid_mobiles(value: str) -> None:
    with pytest.raises(IdentifierError) as exc:
        validate_mobile(value)
    _assert_error(exc, "invalid_phone")
    assert exc.value.message == "手机号码应为以1开头的11位数字"
