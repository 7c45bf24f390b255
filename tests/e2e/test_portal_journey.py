"""The resident portal (一网通办) in a real browser on a 360×740 phone.

Sign up with an SMS code → real-name → apply online with a missing material → (the clerk issues the
one-time notice through the service) → the resident supplements online → the clerk accepts → the
resident tracks it. Also: the apply page's first-load weight, large type, and an axe-core check of the
portal's main pages (no serious or critical violation).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PHONE = "13912345678"
ID_NUMBER = "11010519491231002X"
APPLY_BUDGET = 150 * 1024


def _png(color: str) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(buf, format="PNG")
    return buf.getvalue()


def _clerk() -> Any:
    from django.contrib.auth import get_user_model

    from onewindow.org.actors import actor_of

    return actor_of(get_user_model().objects.get(username="clerk"))


def _transferred(browser: Any, storage_state: Any, url: str) -> tuple[int, list[tuple[str, int]]]:
    """Bytes transferred (headers + bodies) by a first load of ``url`` in a fresh, cache-less phone."""
    ctx = browser.new_context(
        storage_state=storage_state, viewport={"width": 360, "height": 740}, is_mobile=True
    )
    try:
        pg = ctx.new_page()
        responses: list[Any] = []
        pg.on("response", lambda r: responses.append(r))
        pg.goto(url, wait_until="load")
        rows = []
        for r in responses:
            sizes = r.request.sizes()
            rows.append((r.url, int(sizes["responseBodySize"]) + int(sizes["responseHeadersSize"])))
        return sum(n for _u, n in rows), rows
    finally:
        ctx.close()


def _no_horizontal_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page is {width}px wide at 360px: {page.url}"


def test_resident_applies_supplements_and_tracks_on_a_phone(
    phone: Any, browser: Any, live_server: Any, e2e_world: Any
) -> None:
    from playwright.sync_api import expect

    from onewindow.cases import services as case_services
    from onewindow.cases.models import Case
    from tests.portal.resident_helpers import last_code, set_online

    set_online("MZ-001")
    base = live_server.url
    page = phone

    # 1. Find the item by pinyin initials, read the guide, go to apply → asked to log in.
    page.goto(f"{base}/apply/?q=dbsq")
    page.get_by_role("link", name="最低生活保障申请").click()
    page.wait_for_url("**/my/login/?next=*")
    _no_horizontal_scroll(page)

    # 2. Sign up with an SMS code (a wrong code first: a clear message), the privacy notice agreed first.
    page.get_by_label("我已阅读并同意").check()
    page.fill("#id_phone", PHONE)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.locator("main")).to_contain_text("验证码已发送到")
    page.fill("#id_code", "000000" if last_code(PHONE) != "000000" else "111111")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("验证码不正确，还可以再试 4 次")
    page.fill("#id_code", last_code(PHONE))
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/my/realname/*")

    # 3. Real-name binding, then back to the application form.
    page.fill("#id_name", "巴特尔")
    page.fill("#id_id_number", ID_NUMBER)
    page.select_option("#id_jurisdiction", "152522100201")
    page.get_by_label("我单独同意").check()
    page.get_by_role("button", name="提交认证").click()
    page.wait_for_url("**/apply/MZ-001/")
    _no_horizontal_scroll(page)

    # The apply page's first load, as a fresh phone with this session would fetch it.
    total, rows = _transferred(browser, page.context.storage_state(), f"{base}/apply/MZ-001/")
    print(
        f"\napply page first load: {total} bytes transferred ({total / 1024:.1f} KB) in {len(rows)} responses"
    )
    for url, n in rows:
        print(f"  {n:>8}  {url.replace(base, '')}")
    assert total < APPLY_BUDGET, f"apply page first load {total} B ≥ {APPLY_BUDGET} B"

    # 4. Apply with the ID card only (户口簿 missing); the keyboard reaches the submit button.
    page.fill("#id_f-reason", "家庭困难，收入低于低保标准")
    page.set_input_files(
        "#id_file-M01", files=[{"name": "id.png", "mimeType": "image/png", "buffer": _png("red")}]
    )
    expect(page.locator("#missing-hint")).to_have_text("您还缺 1 项必需材料：户口簿")
    page.check("#id_incomplete")  # submit anyway: the window will issue the one-time notice
    page.select_option("#id_centre", "C-A")
    page.locator("#id_centre").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="提交申请")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url("**/my/cases/*/")
    expect(page.locator(".state-line")).to_contain_text("待受理")
    number = page.locator("td.case-number").inner_text().strip()
    case = Case.objects.get(number=number)
    assert case.channel == "online" and case.state == "submitted"

    # 5. The window issues ONE correction notice (through the service).
    case_services.case_transition(actor=_clerk(), number=number, action="request_correction")
    page.reload()
    expect(page.locator(".state-line")).to_contain_text("待补正")
    expect(page.locator("ul.missing")).to_contain_text("户口簿")
    expect(page.get_by_role("link", name="一次性告知书（PDF）")).to_be_visible()
    page.goto(f"{base}/my/inbox/")
    expect(page.locator("main")).to_contain_text("需补正：户口簿")

    # 6. The resident supplements online.
    page.goto(f"{base}/my/cases/{number}/")
    page.set_input_files(
        "#id_file-M02", files=[{"name": "hukou.png", "mimeType": "image/png", "buffer": _png("blue")}]
    )
    page.get_by_role("button", name="提交补正材料").click()
    page.wait_for_url(f"**/my/cases/{number}/")
    expect(page.get_by_role("status")).to_contain_text("补正材料已提交")
    _no_horizontal_scroll(page)

    # 7. The clerk takes the supplement → accepted; the resident tracks it.
    case_services.case_transition(
        actor=_clerk(), number=number, action="supplement", materials=[{"code": "M02", "provided": True}]
    )
    page.goto(f"{base}/my/")
    expect(page.locator(".case-list")).to_contain_text("已受理")
    page.get_by_role("link", name="最低生活保障申请").click()
    expect(page.locator(".state-line")).to_contain_text("已受理")
    case.refresh_from_db()
    expect(page.locator("table.kv")).to_contain_text(case.deadline.strftime("%Y-%m-%d"))  # type: ignore[union-attr]
    timeline = page.locator("ol.timeline")
    for text in ("您在网上提交了申请", "需补正材料", "您在网上提交了补正材料", "补正材料齐全，已受理"):
        expect(timeline).to_contain_text(text)
    assert "综窗甲" not in page.locator("main").inner_text()
    href = page.get_by_role("link", name="受理回执（PDF）").get_attribute("href")
    pdf = page.request.get(f"{base}{href}")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")

    # 8. Large type persists from page to page.
    page.get_by_role("link", name="大字").click()
    expect(page.locator("html")).to_have_class("large")
    page.goto(f"{base}/my/")
    expect(page.locator("html")).to_have_class("large")
    _no_horizontal_scroll(page)


def _axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


def test_portal_pages_have_no_serious_axe_violations(browser: Any, live_server: Any, e2e_world: Any) -> None:
    from django.test import Client

    from onewindow.cases.models import Case
    from tests.portal.resident_helpers import ID_A, PHONE_A, png, resident_client, set_online

    set_online("MZ-001")
    c, _account = resident_client(PHONE_A, "巴特尔", ID_A)
    c.post("/apply/MZ-001/", {"f-reason": "家庭困难", "centre": "C-A", "file-M01": png(), "incomplete": "1"})
    number = Case.objects.get().number
    session = c.cookies["sessionid"].value
    anonymous = ["/", "/guide/", "/guide/MZ-001/", "/apply/", "/my/login/"]
    resident = ["/apply/MZ-001/", "/my/", f"/my/cases/{number}/", "/my/realname/", "/my/inbox/"]
    found: dict[str, list[dict[str, Any]]] = {}
    for width in (360, 1280):
        # bypass_csp: the site's Content-Security-Policy (script-src 'self') would block the injected axe
        ctx = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 800}, bypass_csp=True)
        try:
            pg = ctx.new_page()
            for path in anonymous:
                pg.goto(f"{live_server.url}{path}")
                found[f"{width}:{path}"] = _axe(pg)
            # the log-in page's second step (code entry) and a page with an error message
            pg.goto(f"{live_server.url}/my/login/")
            pg.fill("#id_phone", "123")
            pg.check("#id_consent")
            pg.get_by_role("button", name="获取验证码").click()
            found[f"{width}:/my/login/ (error)"] = _axe(pg)
            host = live_server.url.split("://", 1)[1].split(":")[0]
            ctx.add_cookies([{"name": "sessionid", "value": session, "domain": host, "path": "/"}])
            for path in resident:
                pg.goto(f"{live_server.url}{path}")
                found[f"{width}:{path}"] = _axe(pg)
        finally:
            ctx.close()
    # The check itself can fail: a page with an unlabelled input and an image without alt text.
    ctx = browser.new_context(bypass_csp=True)
    try:
        pg = ctx.new_page()
        pg.set_content('<html lang="zh"><title>t</title><main><img src="x.png"><input></main></html>')
        assert {v["id"] for v in _axe(pg)} >= {"image-alt", "label"}
    finally:
        ctx.close()
    bad = {k: v for k, v in found.items() if v}
    assert not bad, f"serious/critical axe violations: {bad}"
    assert Client().get("/my/").status_code == 302
