"""Pinyin search: initials, full pinyin and Chinese substrings find items."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.catalog import selectors


@pytest.mark.parametrize("q", ["dbsq", "DBSQ", "dibao", "di bao", "最低生活", "低保", "zdshbzsq", "mz-001"])
def test_search_finds_dibao(world: dict[str, Any], q: str) -> None:
    codes = [v.item.code for v in selectors.item_list(q=q)]
    assert codes == ["MZ-001"]


def test_search_does_not_match_unrelated(world: dict[str, Any]) -> None:
    assert [v.item.code for v in selectors.item_list(q="gaoling")] == ["MZ-002"]
    assert list(selectors.item_list(q="不存在的事项")) == []


def test_manage_list_search_uses_pinyin(world: dict[str, Any], login: Any) -> None:
    client = login("clerk")
    r = client.get("/manage/catalog/", {"q": "dbsq"})
    assert r.status_code == 200
    body = r.content.decode()
    assert "最低生活保障申请" in body
    assert "高龄津贴申请" not in body
    r = client.get("/manage/catalog/", {"q": "高龄"})
    assert "高龄津贴申请" in r.content.decode()
    assert "最低生活保障申请" not in r.content.decode()
