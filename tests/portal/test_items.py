"""The public item list: filters, Chinese / pinyin search, the htmx fragment, pagination."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.catalog.models import Domain
from tests.factories import make_item

URL = reverse("portal:item_list")


def names(html: str) -> set[str]:
    return {n for n in ("最低生活保障申请", "高龄津贴申请", "残疾人证申领") if n in html}


def test_list_shows_every_published_item_with_its_facts(client: Client, portal_world: Any) -> None:
    r = client.get(URL)
    assert r.status_code == 200
    html = r.content.decode()
    assert names(html) == {"最低生活保障申请", "高龄津贴申请", "残疾人证申领"}
    assert "承诺件" in html and "承诺 10 个工作日" in html and "法定 20 个工作日" in html
    assert "可代办" in html and "最多跑一次" in html and "免费" in html
    assert "社会服务" in html
    assert 'id="results"' in html and "<form" in html  # the full page, with the no-JS form


def test_drafts_are_not_listed(client: Client, world: Any) -> None:
    make_item("MZ-009", "临时救助草稿", world["department"], world["domain"], publish=False)
    assert "临时救助草稿" not in client.get(URL).content.decode()


@pytest.mark.parametrize("q", ["dbsq", "最低生活", "低保", "dibao", "DBSQ", "MZ-001"])
def test_search_finds_dibao_by_chinese_pinyin_initials_and_code(client: Client, world: Any, q: str) -> None:
    r = client.get(URL, {"q": q})
    assert r.status_code == 200
    assert names(r.content.decode()) == {"最低生活保障申请"}


def test_search_without_match_says_so(client: Client, world: Any) -> None:
    html = client.get(URL, {"q": "不存在的事项xyz"}).content.decode()
    assert "没有找到符合条件的事项" in html
    assert names(html) == set()


def test_htmx_request_returns_only_the_fragment(client: Client, world: Any) -> None:
    r = client.get(URL, {"q": "dbsq"}, headers={"HX-Request": "true"})
    assert r.status_code == 200
    html = r.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "最低生活保障申请" in html and "高龄津贴申请" not in html
    assert "<html" not in html and "<form" not in html and "topbar" not in html
    assert "HX-Request" in r["Vary"]


def test_history_restore_gets_the_whole_page(client: Client, world: Any) -> None:
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    html = client.get(URL, {"q": "dbsq"}, headers=headers).content.decode()
    assert "<html" in html


def test_proxy_filter(client: Client, world: Any) -> None:
    html = client.get(URL, {"proxy": "1"}).content.decode()
    assert names(html) == {"最低生活保障申请"}
    assert "checked" in html


def test_level_filter(client: Client, world: Any) -> None:
    make_item(
        "NM-001",
        "草原生态补奖申报",
        world["department"],
        world["domain"],
        accept_levels=["village", "township"],
    )
    html = client.get(URL, {"level": "village"}).content.decode()
    assert "草原生态补奖申报" in html
    assert names(html) == set()
    # An unknown level is ignored rather than an error.
    assert client.get(URL, {"level": "planet"}).status_code == 200


def test_domain_filter(client: Client, world: Any) -> None:
    edu = Domain.objects.create(code="edu", name="公共教育", sort=5)
    make_item("JY-001", "学生资助申请", world["department"], edu)
    html = client.get(URL, {"domain": "edu"}).content.decode()
    assert "学生资助申请" in html and names(html) == set()
    html = client.get(URL, {"domain": "social"}).content.decode()
    assert "学生资助申请" not in html and "最低生活保障申请" in html


def test_department_filter_for_reviewers(client: Client, world: Any) -> None:
    html = client.get(URL, {"dept": "D-MZ"}).content.decode()
    assert "测试旗民政局" in html and "最低生活保障申请" in html
    html = client.get(URL, {"dept": "D-NONE"}).content.decode()
    assert "共 <strong>0</strong> 个事项" in html


def test_pagination(client: Client, world: Any) -> None:
    for i in range(25):
        make_item(f"PG-{i:03d}", f"分页测试事项{i:02d}", world["department"], world["domain"])
    first = client.get(URL).content.decode()
    assert "第 1 / 2 页" in first and "下一页" in first
    assert "page=2" in first
    second = client.get(URL, {"page": 2}).content.decode()
    assert "上一页" in second
    total = 27
    assert first.count('class="card item"') + second.count('class="card item"') == total
    # Filters survive paging links.
    html = client.get(URL, {"q": "fenye"}).content.decode()
    assert "q=fenye&amp;page=2" in html
    # A page number out of range shows the last page instead of failing.
    assert client.get(URL, {"page": 99}).status_code == 200
