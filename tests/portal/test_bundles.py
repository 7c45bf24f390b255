"""一件事 bundles: list and detail with the merged material list and the one form."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse


def test_bundle_list(client: Client, portal_world: Any) -> None:
    r = client.get(reverse("portal:bundle_list"))
    assert r.status_code == 200
    html = r.content.decode()
    assert "困难群众救助一件事" in html and "社会救助" in html
    assert "最低生活保障申请、残疾人证申领" in html
    assert reverse("portal:bundle_detail", args=["B-HELP"]) in html


def test_bundle_list_search(client: Client, portal_world: Any) -> None:
    assert "困难群众救助一件事" in client.get(reverse("portal:bundle_list"), {"q": "kunnan"}).content.decode()
    html = client.get(reverse("portal:bundle_list"), {"q": "出生"}).content.decode()
    assert "困难群众救助一件事" not in html and "暂无" in html


def test_bundle_detail_merges_materials_once(client: Client, portal_world: Any) -> None:
    r = client.get(reverse("portal:bundle_detail", args=["B-HELP"]))
    assert r.status_code == 200
    html = r.content.decode()
    # Items, linked.
    assert reverse("portal:item_detail", args=["MZ-001"]) in html
    assert reverse("portal:item_detail", args=["CL-001"]) in html
    # 居民身份证 appears once in the merged table, needed by both items.
    table = html.split('<table class="materials">')[1].split("</table>")[0]
    assert table.count("<td>居民身份证") == 1
    id_row = table.split("<td>居民身份证")[1].split("</tr>")[0]
    assert "最低生活保障申请" in id_row and "残疾人证申领" in id_row
    photo_row = table.split("<td>二寸免冠照片")[1].split("</tr>")[0]
    assert "残疾人证申领" in photo_row and "最低生活保障申请" not in photo_row
    assert "二寸免冠照片" in table and "首次申领时提交" in table
    # 3 merged materials instead of 5 separate ones.
    assert "合并后的材料清单（3 项，分别办理需交 5 项）" in html
    # The merged form: 申请事由 once, plus 残疾类别.
    form = html.split("一张申请表")[1]
    assert form.count("申请事由") == 1 and "残疾类别" in form


def test_unknown_bundle_is_404(client: Client, portal_world: Any) -> None:
    assert client.get(reverse("portal:bundle_detail", args=["B-NONE"])).status_code == 404
