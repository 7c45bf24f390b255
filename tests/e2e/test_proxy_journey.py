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
from tests.e2e.waits import wait_js

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


def test_agent_day_on_a_phone(phone: Any, live_server: Any, e2e_world: Any) -> None:
    """Issue 15: the agent's day at 360×740 — picking items by search, the print link after 登记委托,
    lists with item and resident, a batch handed to a driver without an account (the sender cannot sign
    it off), the clerk's pre-review with form data and photos, the agent's submission on the case
    timeline, the SMS naming the agent, 代为取件 taking the case off the output list, the agent's cases."""
    from playwright.sync_api import expect

    from onewindow.cases import services as case_services
    from onewindow.cases.models import Case
    from onewindow.notify.models import Notification
    from onewindow.org.actors import actor_of
    from onewindow.proxy.models import Batch, ProxyRequest
    from tests.factories import make_item

    w = e2e_world
    for i, name in enumerate(
        ["临时救助申请", "特困人员救助供养", "残疾人两项补贴", "医保参保登记", "农机购置补贴"]
    ):
        make_item(f"PX-{i:03d}", name, w["department"], w["domain"], proxy_allowed=True)
    base, page = live_server.url, phone
    log_in(page, base, "agent", "/proxy/")

    # 1. 登记委托: type to find the item; big rows; the choice survives clearing the filter
    page.get_by_role("link", name="登记委托").first.click()
    page.fill("#name", "巴特尔")
    page.fill("#id_number", ID_NUMBER)
    page.fill("#phone", "13912345678")
    search = page.locator("#item-q")
    expect(search).to_be_visible()
    options = page.locator(".px-opt")
    expect(options).to_have_count(6)
    search.press_sequentially("dbsq", delay=30)
    expect(options.filter(visible=True)).to_have_count(1)
    expect(options.filter(visible=True)).to_contain_text("最低生活保障申请")
    box = options.filter(visible=True).bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 300  # a thumb-sized row
    options.filter(visible=True).click()  # a tap anywhere on the row ticks it
    search.fill("救助")
    expect(options.filter(visible=True)).to_have_count(3)  # the two 救助 items + the chosen one
    search.fill("")
    expect(page.locator("[data-px-count]")).to_have_text("已选 1 项")
    page.set_input_files("#confirmation", {"name": "签名.jpg", "mimeType": "image/jpeg", "buffer": jpeg()})
    page.get_by_role("button", name="登记委托").click()
    page.wait_for_url("**/proxy/intake/?entrustment=*")

    # 2. the print link right there
    link = page.locator("a.px-print")
    expect(link).to_be_visible()
    expect(link).to_have_text("打印委托书（PDF）")
    pdf = page.request.get(base + str(link.get_attribute("href")))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"

    # 3. intake with a photo, submitted
    page.fill("#form_reason", "家庭困难，收入低于当地低保标准")
    page.check("input[name='paper_M01']")
    page.check("input[name='provided_M02']")
    page.set_input_files("#file_M01", {"name": "身份证.jpg", "mimeType": "image/jpeg", "buffer": jpeg()})
    page.get_by_role("button", name="登记代办申请").click()
    page.wait_for_url("**/proxy/requests/*/")
    req = ProxyRequest.objects.get()

    # 4. the list: item and resident, no codes
    page.get_by_role("link", name="我的代办").first.click()
    row = page.locator("#all-requests li").first
    expect(row).to_contain_text("最低生活保障申请")
    expect(row).to_contain_text("巴**")
    expect(page.locator("main")).not_to_contain_text("MZ-001")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # 5. the paper goes to the township with the driver (no account); the sender cannot sign it off
    page.get_by_role("link", name="材料交接").first.click()
    page.select_option("#to", w["ta"].code)
    page.locator(".px-opt", has_text="最低生活保障申请").click()
    page.get_by_role("button", name="发出并打印交接清单").click()
    page.wait_for_url("**/proxy/batches/*/")
    expect(page.locator("#receive")).to_have_count(0)
    page.fill("#carrier_name", "王师傅")
    page.fill("#carrier_phone", "13812345678")
    page.get_by_role("button", name="交给携带人").click()
    expect(page.locator("#holder")).to_have_text("王师傅（13812345678）")
    expect(page.locator("#hand-over")).to_have_count(0)
    batch = Batch.objects.get()
    assert batch.holder is None and batch.carrier_phone == "13812345678"
    log_out(page)

    # 6. the clerk: pre-review shows the form data and the photo; pass; the timeline names the agent
    log_in(page, base, "clerk", f"/proxy/requests/{req.pk}/")
    expect(page.locator("#form-data")).to_contain_text("家庭困难，收入低于当地低保标准")
    photo = page.locator("#materials img").first
    expect(photo).to_be_visible()
    wait_js(page, "document.querySelector('#materials img').naturalWidth > 0")
    page.get_by_role("button", name="预审通过并受理").click()
    page.locator("dialog#act-confirm").get_by_role("button", name="确认预审通过并受理").click()
    expect(page.locator(".tag").first).to_contain_text("预审通过")
    case = Case.objects.get()
    page.goto(f"{base}/cases/{case.number}/")
    submit_row = page.locator("table.timeline tr", has_text="代办员报送（帮办代办）")
    expect(submit_row).to_contain_text("代办员甲一")
    expect(submit_row).not_to_contain_text("综窗甲")
    # the clerk (receiving township) signs the batch off
    page.goto(f"{base}/proxy/batches/{batch.pk}/")
    page.select_option(f"select[name='mark_{req.pk}']", "received")
    page.get_by_role("button", name="签收").click()
    expect(page.locator("body")).to_contain_text("已签收")

    # back office decides and puts the result out: the SMS says the agent brings it
    reviewer = actor_of(w["people"]["reviewer"].user)
    for action in ("approve", "ready"):
        case_services.case_transition(actor=reviewer, number=case.number, action=action)
    sms = Notification.objects.get(case_number=case.number, template="proxy_case_ready", channel="sms")
    assert "结果将由代办员 代办员甲一 送达" in sms.body
    page.goto(f"{base}/cases/output/")
    expect(page.locator("#results")).to_contain_text(case.number)
    log_out(page)

    # 7. the agent: his case listed with its state; 代为取件 takes it off the window's output list
    log_in(page, base, "agent", "/proxy/")
    mine = page.locator("#my-cases")
    expect(mine).to_contain_text(case.number)
    expect(mine).to_contain_text("待取件")
    expect(mine).to_contain_text("最低生活保障申请")
    page.goto(f"{base}/proxy/requests/{req.pk}/")
    page.get_by_role("button", name="代为取件").click()
    expect(page.locator(".tag").first).to_contain_text("已代为取件")
    log_out(page)
    log_in(page, base, "clerk", "/cases/output/")
    expect(page.locator("#results")).not_to_contain_text(case.number)
