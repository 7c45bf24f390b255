"""The village agent on a 360×740 phone: entrustment with a fingerprint photo, intake with a photo of
the ID card, submitted for pre-review; the township clerk passes it and the real case exists.

Also measures the intake page's weight on first load (bytes transferred) and checks that nothing
scrolls sideways on the phone.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from tests.e2e.test_case_journey import log_in, log_out

pytestmark = pytest.mark.e2e

ID_NUMBER = "11010519491231002X"
PAGE_BUDGET = 150 * 1024  # bytes on first load of the intake page (HTML + CSS + htmx)


def jpeg(size: tuple[int, int] = (1600, 1200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (180, 120, 60)).save(out, format="JPEG", quality=90)
    return out.getvalue()


def transferred(page: Any) -> int:
    return int(
        page.evaluate(
            """() => {
              const nav = performance.getEntriesByType('navigation')[0];
              const res = performance.getEntriesByType('resource');
              return (nav ? (nav.transferSize || nav.encodedBodySize) : 0)
                + res.reduce((s, r) => s + (r.transferSize || r.encodedBodySize || 0), 0);
            }"""
        )
    )


def test_agent_intake_on_a_phone(phone: Any, live_server: Any, e2e_world: Any) -> None:
    from playwright.sync_api import expect

    from onewindow.proxy.models import ProxyRequest

    base = live_server.url
    page = phone
    log_in(page, base, "agent", "/proxy/")
    expect(page.locator("h1")).to_contain_text("我的代办")

    # 委托: the resident's fingerprint photo
    page.get_by_role("link", name="登记委托").first.click()
    page.fill("#name", "巴特尔")
    page.fill("#id_number", ID_NUMBER)
    page.fill("#phone", "13912345678")
    page.check("input[name='items'][value='MZ-001']")
    page.select_option("#confirmation_kind", "fingerprint")
    page.set_input_files("#confirmation", {"name": "指印.jpg", "mimeType": "image/jpeg", "buffer": jpeg()})
    page.get_by_role("button", name="登记委托").click()
    page.wait_for_url("**/proxy/intake/?entrustment=*")

    # 受理: a fresh load of the intake page (cold cache) to weigh it
    url = page.url
    fresh = page.context.browser.new_context(
        locale="zh-CN", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    try:
        fresh.add_cookies(page.context.cookies())
        p2 = fresh.new_page()
        p2.goto(url)
        p2.wait_for_load_state("load")
        weight = transferred(p2)
    finally:
        fresh.close()
    print(f"\nintake page weight on first load: {weight} bytes")
    assert 0 < weight < PAGE_BUDGET

    expect(page.locator("#form_reason")).to_be_visible()
    file_input = page.locator("#file_M01")
    assert file_input.get_attribute("accept") == "image/*,application/pdf"
    assert file_input.get_attribute("capture") is not None
    page.fill("#form_reason", "家庭困难，收入低于当地低保标准")
    page.check("input[name='paper_M01']")
    page.check("input[name='provided_M02']")
    page.set_input_files(
        "#file_M01", {"name": "身份证.jpg", "mimeType": "image/jpeg", "buffer": jpeg((3000, 2000))}
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("button", name="登记代办申请").click()
    page.wait_for_url("**/proxy/requests/*/")
    expect(page.locator(".tag").first).to_contain_text("待预审")
    req = ProxyRequest.objects.get()
    m01 = next(m for m in req.materials if m["code"] == "M01")
    assert m01["paper_held"] and len(m01["files"]) == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    log_out(page)

    # the township clerk passes it: the real case is taken in at the township centre
    log_in(page, base, "clerk", "/proxy/queue/")
    page.get_by_role("link", name=req.number).first.click()
    page.get_by_role("button", name="预审通过并受理").click()
    dialog = page.locator("dialog#act-confirm")  # a legal act (受理) asks once, naming what is issued
    expect(dialog.locator(".confirm-headline")).to_contain_text("受理本件，出具受理回执")
    dialog.get_by_role("button", name="确认预审通过并受理").click()
    expect(page.locator(".tag").first).to_contain_text("预审通过")
    req.refresh_from_db()
    assert req.case is not None and req.case.state == "accepted" and req.case.channel == "proxy"
    expect(page.locator("body")).to_contain_text(req.case.number)
