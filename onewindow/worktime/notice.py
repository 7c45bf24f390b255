"""Reading the State Council's yearly notice (国务院办公厅关于 YYYY 年部分节假日安排的通知).

The administrator pastes the text as published; :func:`parse_notice` returns the year's 放假 days and
调休上班 days. What it understands (the wording of the notices 2010–2026):

* the numbered items ``一、元旦：…``, ``六、中秋节、国庆节：…`` — text before the first item (title,
  addressees, preamble) and dates without a keyword (the signature date) are ignored;
* ranges ``1月1日至3日``, ``4月29日至5月1日``, ``12月31日至1月2日`` (December of the 元旦 item is the
  previous year), explicit years ``2022年12月31日至2023年1月2日``;
* ``放假`` / ``放假调休`` / ``放假公休`` / ``放假1天，不调休`` / ``与周末连休`` — holidays; ``补休`` — a
  holiday; ``上班`` — a worked (调休) day; days listed as ``1月21日（星期六）、29日（星期日）上班``;
* remarks in brackets (``（周四）``, ``（农历腊月二十八、周日）``, ``（2月9日）``) and sentences that only
  encourage (``鼓励各单位…在除夕（2月9日）休息``) are not arrangements;
* ``共N天`` is checked against the days of its sentence.

Anything it cannot read is an error naming the item, never a silent guess.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from onewindow.core.errors import Invalid

_FULLWIDTH = str.maketrans("０１２３４５６７８９：，；（）", "0123456789:,;()")
_HEADING = re.compile(r"(?m)^[ \t\u3000]*([一二三四五六七八九十]+)、([^:\n]{1,30}?):")
_BRACKETS = re.compile(r"\([^)]*\)")
_DATE = re.compile(r"(?:(\d{4})\s*年\s*)?(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*日")
_TOTAL = re.compile(r"(?:共|放假)\s*(\d+)\s*天")
_YEAR = [re.compile(r"关于\s*(\d{4})\s*年"), re.compile(r"现将\s*(\d{4})\s*年")]
_DOC_NUMBER = re.compile(r"国办发明电\s*[〔\[(（]\s*\d{4}\s*[〕\])）]\s*\d+\s*号")


@dataclass
class NoticeSection:
    name: str
    holidays: list[dt.date] = field(default_factory=list)
    workdays: list[dt.date] = field(default_factory=list)


@dataclass
class Notice:
    year: int
    source: str
    sections: list[NoticeSection]
    recomputed: int = 0  # after loading: open cases whose provisional deadline was counted again
    moved: int = 0  # … of which the date changed

    def days(self) -> dict[dt.date, tuple[bool, str]]:
        """date → (workday?, name) for every day the notice names."""
        out: dict[dt.date, tuple[bool, str]] = {}
        for s in self.sections:
            for d in s.holidays:
                out[d] = (False, s.name)
            for d in s.workdays:
                out[d] = (True, s.name)
        return out

    def rows(self) -> list[tuple[dt.date, bool, str]]:
        return [(d, w, n) for d, (w, n) in sorted(self.days().items())]

    def is_workday(self, date: dt.date) -> bool:
        """The notice's answer for a day of its year (unnamed days: Monday–Friday)."""
        named = self.days().get(date)
        return named[0] if named else date.weekday() < 5


def _year_of(text: str, year: int | None) -> int:
    if year:
        return year
    for rx in _YEAR:
        m = rx.search(text)
        if m:
            return int(m.group(1))
    raise Invalid(
        "未能从通知中识别年份（应含“关于YYYY年部分节假日安排”），请填写年份",
        code="invalid_notice",
        details={"year": ["必填"]},
    )


def _dates(
    clause: str, *, year: int, new_year_item: bool, month: int | None, where: str
) -> tuple[list[dt.date], int | None]:
    """The dates of one clause, ranges expanded; returns the month in force at its end."""
    found: list[dt.date] = []
    tokens = list(_DATE.finditer(clause))
    explicit_year: int | None = None
    prev: dt.date | None = None
    prev_end = 0
    for tok in tokens:
        y_s, m_s, d_s = tok.groups()
        if y_s:
            explicit_year = int(y_s)
        if m_s:
            month = int(m_s)
        if month is None:
            raise Invalid(
                f"{where}：日期“{tok.group(0)}”缺少月份", code="invalid_notice", details={where: ["缺少月份"]}
            )
        if explicit_year is not None:
            y = explicit_year
        elif month == 12 and new_year_item:
            y = year - 1  # 元旦 beginning in December of the year before
        else:
            y = year
        if prev is not None and not m_s and not y_s and month < prev.month:
            y = prev.year
        try:
            day = dt.date(y, month, int(d_s))
        except ValueError:
            raise Invalid(
                f"{where}：日期“{tok.group(0)}”不存在", code="invalid_notice", details={where: ["日期不存在"]}
            ) from None
        between = clause[prev_end : tok.start()].strip()
        if prev is not None and between in {"至", "到", "-", "—", "～", "~"}:
            if not prev < day <= prev + dt.timedelta(days=31):
                raise Invalid(
                    f"{where}：日期范围 {prev}至{day} 无效",
                    code="invalid_notice",
                    details={where: ["范围无效"]},
                )
            cur = prev + dt.timedelta(days=1)
            while cur <= day:
                found.append(cur)
                cur += dt.timedelta(days=1)
        else:
            found.append(day)
        prev, prev_end = day, tok.end()
    return found, month


def parse_notice(text: str, *, year: int | None = None) -> Notice:
    norm = text.translate(_FULLWIDTH).replace("\r\n", "\n")
    y = _year_of(norm, year)
    doc = _DOC_NUMBER.search(norm)
    source = f"国务院办公厅关于{y}年部分节假日安排的通知" + (f"（{doc.group(0)}）" if doc else "")
    headings = list(_HEADING.finditer(norm))
    if not headings:
        raise Invalid(
            "通知中没有找到“一、元旦：……”这样的放假安排条目",
            code="invalid_notice",
            details={"text": ["无安排条目"]},
        )
    sections: list[NoticeSection] = []
    seen: dict[dt.date, str] = {}
    for i, h in enumerate(headings):
        name = h.group(2).strip()
        body = norm[h.end() : headings[i + 1].start() if i + 1 < len(headings) else len(norm)]
        where = f"{h.group(1)}、{name}"
        section = NoticeSection(name=name[:50])
        month: int | None = None
        body = _BRACKETS.sub("", body)
        for sentence in re.split(r"[。;\n]", body):
            if not sentence.strip() or "鼓励" in sentence:
                continue
            sentence_holidays: list[dt.date] = []
            for clause in re.split(r"[,，]", sentence):
                kind = (
                    "work"
                    if "上班" in clause
                    else "off"
                    if any(k in clause for k in ("放假", "补休", "休息", "公休"))
                    else ""
                )
                if not kind:
                    continue
                dates, month = _dates(clause, year=y, new_year_item="元旦" in name, month=month, where=where)
                for d in dates:
                    if d in seen:
                        raise Invalid(
                            f"{where}：{d.month}月{d.day}日在通知中出现了两次",
                            code="invalid_notice",
                            details={where: [f"{d} 重复"]},
                        )
                    seen[d] = kind
                (section.workdays if kind == "work" else section.holidays).extend(dates)
                if kind == "off":
                    sentence_holidays.extend(dates)
            total = _TOTAL.search(sentence)
            if total and sentence_holidays and int(total.group(1)) != len(sentence_holidays):
                raise Invalid(
                    f"{where}：放假日期共{len(sentence_holidays)}天，与通知所写“共{total.group(1)}天”不符",
                    code="invalid_notice",
                    details={where: ["天数不符"]},
                )
        if not section.holidays:
            raise Invalid(
                f"{where}：没有识别到放假日期", code="invalid_notice", details={where: ["无放假日期"]}
            )
        sections.append(section)
    if not any(d.year == y for s in sections for d in s.holidays):
        raise Invalid(f"通知中没有{y}年的放假日期", code="invalid_notice", details={"year": [str(y)]})
    return Notice(year=y, source=source, sections=sections)
