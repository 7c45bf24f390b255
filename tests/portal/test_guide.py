"""The guide page (办事指南), its print version and the PDF."""

from __future__ import annotations

import re
import zlib
from typing import Any

from django.test import Client
from django.urls import reverse

from onewindow.catalog import services as catalog_services
from onewindow.core.actor import system
from tests.factories import make_item


def pdf_objects(pdf: bytes) -> bytes:
    """The PDF's objects with every Flate stream inflated (WeasyPrint compresses object streams)."""
    parts = [pdf]
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(m.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def test_guide_shows_every_element(client: Client, portal_world: Any) -> None:
    r = client.get(reverse("portal:item_detail", args=["MZ-001"]))
    assert r.status_code == 200
    html = r.content.decode()
    for text in [
        "最低生活保障申请",
        "MZ-001",
        "第 1 版",
        "社会服务",
        "承诺件",
        "设定依据",
        "测试旗民政局",
        "受理层级",
        "苏木乡镇（街道）、旗县（区、市）",
        "决定层级",
        "法定办结时限",
        "20 个工作日",
        "10 个工作日",
        "免费",
        "受理条件",
        "居民身份证",
        "户口簿",
        "原件",
        "复印件",
        "必需",
        "申请事由",  # the form field (一表申请)
        "办理流程",
        "咨询电话",
        "投诉电话",
        "是否可网办",
        "帮办代办免费",
        "最多跑一次",
        "低保申请",  # alias
    ]:
        assert text in html, text
    # Numbered steps.
    assert re.search(r"<ol class=\"steps\">\s*<li>申请</li><li>受理</li>", html)
    # Centres at the accepting levels (township, county) in the county, linked; not the village station.
    assert reverse("portal:centre_detail", args=["C-A"]) in html
    assert reverse("portal:centre_detail", args=["C-COUNTY"]) in html
    assert reverse("portal:centre_detail", args=["C-B"]) in html
    assert "甲一嘎查便民服务站" not in html
    # Links to print and PDF; the bundle it belongs to.
    assert reverse("portal:item_print", args=["MZ-001"]) in html
    assert reverse("portal:item_pdf", args=["MZ-001"]) in html
    assert "困难群众救助一件事" in html


def test_conditional_material_shows_its_condition(client: Client, portal_world: Any) -> None:
    html = client.get(reverse("portal:item_detail", args=["CL-001"])).content.decode()
    assert "按条件提交" in html and "首次申领时提交" in html
    assert "可选：视力、听力、肢体" in html


def test_fee_and_immediate_item(client: Client, world: Any) -> None:
    make_item(
        "GA-001",
        "临时身份证明开具",
        world["department"],
        world["domain"],
        type="immediate",
        promised_days=0,
        fee="10.00",
        fee_basis="测试收费文件",
        online=True,
        max_visits=0,
        accept_levels=["village"],
    )
    html = client.get(reverse("portal:item_detail", args=["GA-001"])).content.decode()
    assert "10.00 元" in html and "测试收费文件" in html
    assert "即办件" in html and "当场办结" in html
    assert "零跑腿" in html and "是，可网上办理" in html
    assert "否，请本人到窗口办理" in html
    listing = client.get(reverse("portal:item_list")).content.decode()
    assert "收费 10.00 元" in listing


def test_unknown_or_unpublished_item_is_404(client: Client, world: Any) -> None:
    assert client.get(reverse("portal:item_detail", args=["NOPE-1"])).status_code == 404
    make_item("MZ-010", "未发布事项", world["department"], world["domain"], publish=False)
    assert client.get(reverse("portal:item_detail", args=["MZ-010"])).status_code == 404
    assert client.get(reverse("portal:item_print", args=["MZ-010"])).status_code == 404
    assert client.get(reverse("portal:item_pdf", args=["NOPE-1"])).status_code == 404


def test_retired_item_is_gone(client: Client, world: Any) -> None:
    catalog_services.item_retire(actor=None, item=world["items"]["gaoling"].item)
    assert client.get(reverse("portal:item_detail", args=["MZ-002"])).status_code == 404


def test_guide_shows_the_published_version_not_the_draft(client: Client, world: Any) -> None:
    item = world["items"]["dibao"].item
    draft = catalog_services.item_version_new_draft(actor=system(), item=item, change_note="改名")
    catalog_services.item_version_update(actor=system(), version=draft, name="最低生活保障申请（草稿改名）")
    html = client.get(reverse("portal:item_detail", args=["MZ-001"])).content.decode()
    assert "草稿改名" not in html and "第 1 版" in html


def test_print_page_is_standalone_and_complete(client: Client, portal_world: Any) -> None:
    r = client.get(reverse("portal:item_print", args=["MZ-001"]))
    assert r.status_code == 200
    html = r.content.decode()
    assert "最低生活保障申请办事指南" in html
    assert "居民身份证" in html and "办理流程" in html and "帮办代办免费" in html
    assert "topbar" not in html  # no site navigation on paper
    # the print button works under the strict CSP: no inline handler, a data attribute + behaviours.js
    assert "data-print" in html and "behaviours.js" in html and "onclick" not in html


def test_pdf_endpoint_returns_a_real_pdf_with_chinese_fonts(client: Client, portal_world: Any) -> None:
    r = client.get(reverse("portal:item_pdf", args=["MZ-001"]))
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert "MZ-001.pdf" in r["Content-Disposition"]
    pdf = r.content
    assert pdf.startswith(b"%PDF")
    objects = pdf_objects(pdf)
    assert re.search(rb"/Type\s*/Pages\b", objects), "no page tree"
    pages = re.findall(rb"/Type\s*/Page\b", objects)
    assert len(pages) >= 1, "the PDF has no page"
    assert re.search(rb"/FontFile[23]?\b", objects), "no font embedded"
    assert b"NotoSansCJK" in objects or b"NotoSerifCJK" in objects, "no CJK font embedded"
