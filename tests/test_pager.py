"""The one pager every paged list includes (templates/_pager.html)."""

from __future__ import annotations

import pytest
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


@pytest.mark.django_db
def test_ids_first_pages_in_the_walks_order_and_the_paginator_reads_no_queryset_as_ordered() -> None:
    import warnings

    from django.contrib.auth import get_user_model

    from onewindow.core.paging import IdsFirst

    users = get_user_model().objects
    for name in ("u1", "u2", "u3"):
        users.create(username=name)

    class Users(IdsFirst):
        def count(self) -> int:
            return 3

    pages = Users(users.filter(username__startswith="u").order_by("-username"), users.all())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        page = Paginator(pages, 2).get_page(1)
        assert list(Paginator(Users(users.none(), users.all()), 2).get_page(1)) == []  # an empty walk
    assert [u.username for u in page] == ["u3", "u2"] and page.paginator.num_pages == 2
