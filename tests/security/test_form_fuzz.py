"""Every page form takes hostile text without a 5xx: NUL, 10,000 characters, emoji and Mongolian
script (ᠮᠣᠩᠭᠣᠯ) in every text field, posted as a role that may use the page.

The pages come from the URL table of ``tests/security/test_matrix.py`` (every Django URL with the
objects it needs); each page is opened as the first role allowed to, its ``<form method="post">``
forms are read from the HTML, and every text input and textarea of each form gets the hostile text
while hidden fields, selects and checkboxes keep the page's own values. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlparse

import pytest
from django.urls import NoReverseMatch, reverse

from tests.security import url_table as T
from tests.security.conftest import add_security_personas
from tests.security.test_matrix import Objects, call, clients, django_urls, entry_kwargs, route_to_path

HOSTILE = {
    "nul": "甲\x00乙",
    "long": "长" * 10_000,
    "emoji": "😀👍🏽🇨🇳" * 20,
    "mongolian": "ᠮᠣᠩᠭᠣᠯ ᠪᠢᠴᠢᠭ",
}
TEXT_TYPES = {"text", "search", "tel", "email", "url", "", None}


class Forms(HTMLParser):
    """The POST forms of a page: ``[(action, fields, text_names)]``."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str], list[str]]] = []
        self._current: tuple[str, dict[str, str], list[str]] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            if (a.get("method") or "get").lower() == "post":
                self._current = (a.get("action") or "", {}, [])
                self.forms.append(self._current)
            else:
                self._current = None
            return
        if self._current is None:
            return
        _action, fields, texts = self._current
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a or name not in fields:
                    fields[name] = a.get("value") or "on"
            elif kind == "file":
                return
            else:
                fields[name] = a.get("value") or ""
                if kind in TEXT_TYPES or kind == "text":
                    texts.append(name)
        elif tag == "textarea" and name:
            fields[name] = ""
            texts.append(name)
        elif tag == "select" and name:
            self._select = name
            fields.setdefault(name, "")
        elif tag == "option" and self._select and (not fields.get(self._select) or "selected" in a):
            fields[self._select] = a.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        if tag == "form":
            self._current = None


def _pages(world: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(key, role, path) for every page a staff role may open."""
    objects = Objects(world)
    out = []
    for key, route, _pattern in django_urls():
        entry = T.URLS.get(key)
        if entry is None or entry.skip or key.startswith("admin:") or route.startswith(("api/", "open311/")):
            continue
        role = next((r for r in T.STAFF_ROLES if entry.expect.get(r) == T.OK), None)
        if role is None:
            continue
        try:
            kwargs = entry_kwargs(entry, objects)
            path = route_to_path(route, kwargs) if ":" not in key else reverse(key, kwargs=kwargs)
        except (KeyError, AttributeError, NoReverseMatch):
            continue
        out.append((key, role, path if path.startswith("/") else "/" + path))
    return out


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_every_page_form_takes_hostile_text_without_a_5xx(kind: str, world: dict[str, Any]) -> None:
    add_security_personas(world)
    cl = clients(world)
    text = HOSTILE[kind]
    posted = 0
    errors = []
    for key, role, path in _pages(world):
        page = call(cl[role], "GET", path, None, False)
        if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
            continue
        parser = Forms()
        parser.feed(page.content.decode("utf-8", "replace"))
        for action, fields, texts in parser.forms:
            if not texts:
                continue
            target = urlparse(urljoin(path, action or path))
            if target.path.startswith(("/accounts/logout", "/security/otp")):
                continue
            data = dict(fields)
            for name in texts:
                data[name] = text
            response = call(cl[role], "POST", target.path, data, False)
            posted += 1
            if response.status_code >= 500:
                errors.append(f"{key} {target.path} as {role}: {response.status_code}")
            if kind == "nul" and response.status_code != 422:
                errors.append(f"{key} {target.path} as {role}: NUL gave {response.status_code}, not 422")
    assert posted > 20, posted
    assert not errors, "\n".join(errors)
