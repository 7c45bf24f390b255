"""Search text for items: Chinese name, aliases, full pinyin and pinyin initials.

Typing ``dbsq`` finds 低保申请 (initials), ``dibao`` finds it too (full pinyin).
"""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

_SPLIT = re.compile(r"[、，,;；/\s]+")


def initials(text: str) -> str:
    return "".join(p[0] for p in lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore") if p).lower()


def full_pinyin(text: str) -> str:
    return "".join(lazy_pinyin(text, errors="ignore")).lower()


def search_text_for(name: str, aliases: str, code: str) -> str:
    words = [name, *[a for a in _SPLIT.split(aliases or "") if a]]
    parts = [code.lower()]
    for word in words:
        parts += [word, full_pinyin(word), initials(word)]
    return " ".join(p for p in parts if p)


def normalise_query(q: str) -> str:
    return re.sub(r"\s+", "", (q or "").strip().lower())
