"""The Django admin speaks Chinese (issue 15): every app and model name of the index, every column
header, filter and field label of each model's list, add and change pages, for each role of the admin
site. (Which models each role sees is the role table's test: test_admin_site.py.)

Latin letters are allowed only in the acronyms below (IP 地址, HTTP Accept 头, GET/POST 参数, AB岗)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from onewindow.security import admin_policy as P
from tests.security.test_admin_site import client_for, make_missing_objects

pytestmark = pytest.mark.django_db

ACRONYMS = re.compile(r"(?<![A-Za-z])(IP|HTTP|GET|POST|AB|URL|TOTP|API|SMS|PDF)(?![A-Za-z])|Accept")
# labels, not data: field labels, list column headers, filter titles (a page's <h2> is the object itself)
LABELS = re.compile(r"<label[^>]*>(.*?)</label>|<th[^>]*scope=\"col\"[^>]*>(.*?)</th>|<h3>(.*?)</h3>", re.S)
CHANGE_LINK = re.compile(r'<th class="field-[^"]*"><a href="([^"]+)"')


def _latin_words(html: str) -> set[str]:
    found = set()
    for groups in LABELS.findall(html):
        text = re.sub(r"<[^>]+>", "", "".join(groups)).strip()
        if re.search(r"[A-Za-z]{2,}", ACRONYMS.sub("", text)):
            found.add(text[:60])
    return found


def test_the_admin_pages_of_each_role_are_in_chinese(sworld: dict[str, Any]) -> None:
    make_missing_objects()
    problems: list[str] = []
    pages = 0
    for role in P.ADMIN_SITE_ROLES:
        c = client_for(role)
        index = c.get("/admin/")
        assert index.status_code == 200 and '<html lang="zh-hans"' in index.content.decode()
        for app in index.context["app_list"]:
            names = [str(app["name"]), *(str(m["name"]) for m in app["models"])]
            problems += [f"{role}: name {n!r}" for n in names if not re.search(r"[\u4e00-\u9fff]", n)]
            for m in app["models"]:
                for url in filter(None, (m.get("admin_url"), m.get("add_url"))):
                    html = c.get(url).content.decode()
                    pages += 1
                    problems += [f"{role} {url}: {t!r}" for t in _latin_words(html)]
                    link = CHANGE_LINK.search(html) if url == m.get("admin_url") else None
                    if link:
                        pages += 1
                        detail = c.get(link.group(1)).content.decode()
                        problems += [f"{role} {link.group(1)}: {t!r}" for t in _latin_words(detail)]
    assert pages > 40
    assert not problems, "\n".join(sorted(set(problems)))
