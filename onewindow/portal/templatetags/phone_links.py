"""``{{ value|tel }}``: phone numbers in a text become tap-to-call links (``<a href="tel:…">``).

Residents read centres' and agents' phones on a phone: one tap should call. Any run of at least five
digits (with ``-``, spaces or brackets inside, e.g. ``0477-1234567``, ``12345``, ``138 0000 0001``) is
linked; the rest of the text is escaped and kept ("见办理地点" stays text).
"""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

PHONE = re.compile(r"\+?\d[\d\- ()]{3,}\d")


def _link(number: str) -> str:
    digits = re.sub(r"[^\d+]", "", number)
    if len(digits.lstrip("+")) < 5:
        return str(conditional_escape(number))
    return str(format_html('<a class="tel" href="tel:{}">{}</a>', digits, number))


@register.filter(name="tel")
def tel(value: Any) -> SafeString:
    text = "" if value is None else str(value)
    out: list[str] = []
    last = 0
    for m in PHONE.finditer(text):
        out.append(str(conditional_escape(text[last : m.start()])))
        out.append(_link(m.group(0)))
        last = m.end()
    out.append(str(conditional_escape(text[last:])))
    return mark_safe("".join(out))  # every piece above is escaped or built by format_html
