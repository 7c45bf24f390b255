"""Issue 15: the resident (and the village agent, and the clerk) on a 360×740 phone with large type.

The header folds into a menu (a native <details>, which also opens without JavaScript); tables become
cards whose every cell names its column; phones are tap-to-call; the favicon is there; the nearest
centre is preselected; sign-up asks consent to the privacy notice before taking any personal data.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import CHROMIUM  # noqa: F401  (the browser fixtures live there)

pytestmark = pytest.mark.e2e

MAX_HEADER = 90  # CSS px: one row (brand, 大字/标准字, 菜单) even with large type


def _cookie(user: Any, base: str) -> dict[str, Any]:
    from django.conf import settings
    from django.test import Client

    c = Client()
    c.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": c.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": base,
    }


def _large(pg: Any, base: str, user: Any = None) -> None:
    cookies = [{"name": "ow_large", "value": "1", "url": base}]
    if user is not None:
        cookies.append(_cookie(user, base))
    pg.context.add_cookies(cookies)


def _fits(pg: Any) -> None:
    assert pg.evaluate("document.documentElement.clientWidth") == 360
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{pg.url} is {width}px wide at 360px"


def _header_is_one_row(pg: Any) -> None:
    box = pg.locator("header.topbar").bounding_box()
    assert box is not None and box["height"] <= MAX_HEADER, f"header {box} on {pg.url}"
    assert pg.evaluate("document.documentElement.classList.contains('large')")


def _inside(pg: Any, locator: Any) -> None:
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360 + 0.5, box


def _staff(username: str) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def test_resident_header_menu_with_large_type(phone: Any, live_server: Any, e2e_world: Any) -> None:
    from playwright.sync_api import expect

    from tests.portal.resident_helpers import sign_up

    base = live_server.url
    account = sign_up("13912345678", "巴特尔", "11010519491231002X")
    _large(phone, base, account.user)
    for path in ("/", "/guide/", "/guide/MZ-001/", "/centres/", "/my/", "/privacy/"):
        phone.goto(f"{base}{path}")
        _fits(phone)
        _header_is_one_row(phone)
        expect(phone.locator("header").get_by_role("link", name="办事指南")).to_be_hidden()  # folded
    menu = phone.locator("summary.menu-button")
    expect(menu).to_have_text("菜单")
    _inside(phone, menu)
    _inside(phone, phone.locator("header .size-toggle"))
    menu.click()
    expect(phone.locator("#site-menu")).to_have_attribute("open", "")
    for name in ("办事指南", "一件事", "服务中心", "网上申请", "代办员", "查询进度", "我的办件", "消息"):
        link = phone.locator("header").get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        _inside(phone, link)
    expect(phone.locator("header").get_by_role("button", name="退出")).to_be_visible()
    _fits(phone)
    # Escape folds it again (and gives the focus back to 菜单); Enter on the focused 菜单 opens it
    phone.keyboard.press("Escape")
    expect(phone.locator("#site-menu")).not_to_have_attribute("open", "")
    expect(menu).to_be_focused()
    phone.keyboard.press("Enter")
    expect(phone.locator("#site-menu")).to_have_attribute("open", "")
    phone.locator("header").get_by_role("link", name="我的办件").click()
    phone.wait_for_url("**/my/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("我的办件")


def test_menu_opens_without_javascript(browser: Any, live_server: Any, e2e_world: Any) -> None:
    from playwright.sync_api import expect

    ctx = browser.new_context(
        locale="zh-CN", viewport={"width": 360, "height": 740}, is_mobile=True, java_script_enabled=False
    )
    try:
        pg = ctx.new_page()
        _large(pg, live_server.url)
        pg.goto(f"{live_server.url}/guide/MZ-001/")
        _fits(pg)
        _header_is_one_row(pg)
        login = pg.locator("header").get_by_role("link", name="群众登录")
        expect(login).to_be_hidden()
        pg.locator("summary.menu-button").click()
        expect(login).to_be_visible()
        login.click()
        pg.wait_for_url("**/my/login/")
    finally:
        ctx.close()


@pytest.mark.parametrize(
    "username,path,work", [("agent", "/proxy/", "我的代办"), ("clerk", "/cases/", "综窗工作台")]
)
def test_staff_header_menu_on_a_phone(
    phone: Any, live_server: Any, e2e_world: Any, username: str, path: str, work: str
) -> None:
    """Village agents (and a clerk covering a station) use the staff pages on a phone."""
    from playwright.sync_api import expect

    base = live_server.url
    _large(phone, base, _staff(username))
    phone.goto(f"{base}{path}")
    _fits(phone)
    _header_is_one_row(phone)
    link = phone.locator("header nav.worknav").get_by_role("link", name=work)
    expect(link).to_be_hidden()
    phone.locator("summary.menu-button").click()
    expect(link).to_be_visible()
    _inside(phone, link)
    _fits(phone)
    expect(phone.locator("header").get_by_role("button", name="退出")).to_be_visible()


def test_wide_screen_keeps_the_links_in_the_bar(page: Any, live_server: Any, e2e_world: Any) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    page.context.add_cookies([_cookie(_staff("clerk"), base)])
    page.goto(f"{base}/guide/")
    expect(page.locator("summary.menu-button")).to_be_hidden()
    expect(page.locator("header").get_by_role("link", name="办事指南")).to_be_visible()
    expect(page.locator("header nav.worknav").get_by_role("link", name="综窗工作台")).to_be_visible()
    box = page.locator("header.topbar").bounding_box()
    assert box is not None and box["height"] <= 110


def _cards_readable(pg: Any, table: str) -> int:
    """Each cell of the card table shows its column's name before the value, inside the screen."""
    head = pg.locator(f"{table} thead").bounding_box()
    assert head is not None and head["height"] <= 1  # the column heads: only for screen readers now
    cells = pg.locator(f"{table} tbody td[data-label]")
    n = cells.count()
    assert n > 0
    for i in range(n):
        cell = cells.nth(i)
        label = cell.get_attribute("data-label")
        before = cell.evaluate("td => getComputedStyle(td, '::before').content")
        assert before == f'"{label}："', (label, before)
        assert cell.evaluate("td => getComputedStyle(td, '::before').display") != "none"
        _inside(pg, cell)
    return n


def test_guide_materials_are_cards(phone: Any, live_server: Any, e2e_world: Any) -> None:
    base = live_server.url
    _large(phone, base)
    phone.goto(f"{base}/guide/MZ-001/")
    _fits(phone)
    assert _cards_readable(phone, "table.materials") == 2 * 6
    row = phone.locator("table.materials tbody tr").first
    assert row.evaluate("tr => getComputedStyle(tr).display") == "block"
    assert "居民身份证" in row.inner_text()


def test_staff_case_list_is_cards(phone: Any, live_server: Any, e2e_world: Any) -> None:
    from tests.cases.conftest import intake

    case = intake()
    base = live_server.url
    _large(phone, base, _staff("clerk"))
    phone.goto(f"{base}/cases/")
    _fits(phone)
    assert _cards_readable(phone, "table.cases") == 8
    assert case.number in phone.locator("table.cases tbody tr").first.inner_text()


def test_resident_case_list_is_readable(phone: Any, live_server: Any, e2e_world: Any) -> None:
    from playwright.sync_api import expect

    from onewindow.portal.models import ResidentAccount
    from tests.cases.conftest import intake
    from tests.portal.resident_helpers import sign_up

    account = sign_up("13912345678", "巴特尔", "11010519491231002X")
    case = intake()  # the same ID number: her case from the window
    assert ResidentAccount.objects.get(pk=account.pk).resident_id == case.applicant_id
    base = live_server.url
    _large(phone, base, account.user)
    phone.goto(f"{base}/my/")
    _fits(phone)
    row = phone.locator(".case-row").first
    expect(row).to_contain_text("最低生活保障申请")
    expect(row).to_contain_text(case.number)
    _inside(phone, row)


def test_phones_are_tap_to_call_and_the_favicon_is_served(
    phone: Any, live_server: Any, e2e_world: Any
) -> None:
    from playwright.sync_api import expect

    from onewindow.org.models import Centre

    Centre.objects.filter(code="C-A").update(phone="0479-5220000")
    base = live_server.url
    phone.goto(f"{base}/centres/C-A/")
    call = phone.get_by_role("link", name="0479-5220000")
    expect(call).to_have_attribute("href", "tel:04795220000")
    expect(phone.get_by_role("link", name="12345").first).to_have_attribute("href", "tel:12345")
    icon = phone.locator('link[rel="icon"]').get_attribute("href")
    r = phone.request.get(f"{base}{icon}")
    assert r.status == 200 and r.headers["content-type"].startswith("image/svg")
    r = phone.request.get(f"{base}/favicon.ico")  # follows the redirect
    assert r.status == 200 and r.headers["content-type"] == "image/png"


def test_sign_up_consents_then_the_nearest_centre_is_preselected(
    phone: Any, live_server: Any, e2e_world: Any
) -> None:
    from playwright.sync_api import expect

    from onewindow.privacy.consent import NOTICE_VERSION
    from onewindow.privacy.models import Consent
    from tests.portal.resident_helpers import last_code, set_online

    set_online("MZ-001")
    base = live_server.url
    _large(phone, base)
    phone.goto(f"{base}/my/login/")
    _fits(phone)
    expect(phone.locator("#privacy-summary")).to_contain_text("个人信息保护告知")
    # 1. Without the tick nothing is sent: the browser stops it, and so does the server.
    phone.fill("#id_phone", "13912345678")
    phone.get_by_role("button", name="获取验证码").click()
    assert phone.evaluate("document.querySelector('#id_consent').matches(':invalid')")
    expect(phone.locator("main")).not_to_contain_text("验证码已发送到")
    phone.evaluate("document.querySelector('#id_consent').removeAttribute('required')")
    phone.get_by_role("button", name="获取验证码").click()
    expect(phone.get_by_role("alert")).to_contain_text("请先阅读《个人信息保护告知书》并勾选")
    expect(phone.get_by_role("alert")).to_contain_text("到服务中心窗口或请嘎查村代办员线下办理")
    # 2. The notice itself is a public page.
    with phone.context.expect_page() as popup:
        phone.get_by_role("link", name="阅读《个人信息保护告知书》全文").click()
    notice = popup.value
    expect(notice.get_by_role("heading", level=1)).to_have_text("个人信息保护告知书")
    expect(notice.locator("main")).to_contain_text(f"第 {NOTICE_VERSION} 版")
    notice.close()
    # 3. Agreed: the code is sent, she signs up.
    phone.get_by_label("我已阅读并同意").check()
    phone.fill("#id_phone", "13912345678")
    phone.get_by_role("button", name="获取验证码").click()
    expect(phone.locator("main")).to_contain_text("验证码已发送到")
    phone.fill("#id_code", last_code("13912345678"))
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url("**/my/realname/*")
    consent = Consent.objects.get()
    assert (consent.purpose, consent.notice_version) == ("sign_up", NOTICE_VERSION)
    # 4. The ID number asks its own consent; she lives in 乙一嘎查 (township B).
    phone.goto(f"{base}/my/realname/?next=/apply/MZ-001/")
    phone.fill("#id_name", "乌云")
    phone.fill("#id_id_number", "150102198001010014")
    phone.select_option("#id_jurisdiction", "152522200201")
    phone.get_by_role("button", name="提交认证").click()
    assert phone.evaluate("document.querySelector('#id_consent_sensitive').matches(':invalid')")
    phone.get_by_label("我单独同意").check()
    phone.get_by_role("button", name="提交认证").click()
    phone.wait_for_url("**/apply/MZ-001/")
    assert sorted(Consent.objects.values_list("purpose", flat=True)) == ["sensitive_id", "sign_up"]
    # 5. The centre select is prefilled with her township's centre, listed first.
    expect(phone.locator("#id_centre")).to_have_value("C-B")
    options = phone.locator("#id_centre option").all_inner_texts()
    assert options[:2] == ["请选择", "乙苏木便民服务中心"]
    _fits(phone)
    # 6. The guide lists her township's centre first.
    phone.goto(f"{base}/guide/MZ-001/")
    places = phone.locator("ul.places li a").all_inner_texts()
    assert places[0] == "乙苏木便民服务中心"
