"""The one pager every paged list includes (templates/_pager.html)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory


def _page(n: int) -> object:
    return Paginator(list(range(95)), 30).get_page(n)


def test_links_keep_the_request_filters_and_replace_only_the_page() -> None:
    request = RequestFactory().get("/catalog/manage/", {"q": "低保 &", "status": "draft", "page": "2"})
    html = render_to_string("_pager.html", {"page": _page(2)}, request=request)
    assert 'href="?q=%E4%BD%8E%E4%BF%9D+%26&amp;status=draft&amp;page=1">上一页' in html
    assert 'href="?q=%E4%BD%8E%E4%BF%9D+%26&amp;status=draft&amp;page=3">下一页' in html
    assert "第 2 / 4 页</span>" in html and "共" not in html


def test_a_posted_search_pages_by_its_own_query_and_says_the_total() -> None:
    request = RequestFactory().post("/cases/", {"q": "110105"})
    context = {"page": _page(1), "query": "state=accepted", "total": 95}
    html = render_to_string("_pager.html", context, request=request)
    assert 'href="?state=accepted&amp;page=2">下一页' in html and "上一页" not in html
    assert "第 1 / 4 页，共 95 件" in html
    html = render_to_string("_pager.html", {**context, "unit": "条"}, request=request)
    assert "共 95 条" in html


def test_one_page_shows_no_pager() -> None:
    request = RequestFactory().get("/desk/messages/")
    page = Paginator([1, 2], 30).get_page(1)
    assert render_to_string("_pager.html", {"page": page}, request=request).strip() == ""
