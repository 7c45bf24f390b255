"""A resident looks for the 低保 guide: search by pinyin initials, open it, read the materials."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.waits import wait_js

pytestmark = pytest.mark.e2e


def no_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def test_search_open_and_read_the_guide(page: Any, live_server: Any, e2e_world: Any) -> None:
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/guide/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("办事指南")
    results = page.locator("#results")
    expect(results).to_contain_text("高龄津贴申请")
    wait_js(page, "window.htmx !== undefined")
    # A marker that a full page load would wipe: the results must arrive by htmx.
    page.evaluate("window.__stayed = true")
    page.evaluate(
        "window.__searches = 0;"
        "document.body.addEventListener('htmx:beforeRequest', () => window.__searches++)"
    )

    page.locator("#id_q").press_sequentially("dbsq", delay=40)
    expect(results).not_to_contain_text("高龄津贴申请")
    expect(results).to_contain_text("最低生活保障申请")
    assert page.evaluate("window.__stayed === true"), "the search reloaded the page instead of using htmx"
    assert "q=dbsq" in page.url  # the URL follows the search (shareable, back button)

    # Leaving the search box must not fire another search (its `change` used to, and the swap's
    # pushState cancelled the navigation the click had started): wait until htmx is idle, then click.
    wait_js(page, "document.querySelector('.htmx-request') === null")
    searches = page.evaluate("window.__searches")
    page.locator("#id_q").blur()
    page.wait_for_timeout(500)
    assert page.evaluate("window.__searches") == searches, "leaving the search box searched again"
    with page.expect_navigation(url="**/guide/MZ-001/"):
        results.get_by_role("link", name="最低生活保障申请").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("最低生活保障申请")
    materials = page.locator("table.materials")
    expect(materials).to_contain_text("居民身份证")
    expect(materials).to_contain_text("户口簿")
    expect(page.get_by_role("link", name="下载 PDF")).to_be_visible()


def test_search_works_without_javascript(browser: Any, live_server: Any, e2e_world: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        pg = context.new_page()
        pg.goto(f"{live_server.url}/guide/")
        pg.fill("#id_q", "dbsq")
        pg.get_by_role("button", name="查询").click()
        pg.wait_for_url("**/guide/?q=dbsq*")
        text = pg.locator("#results").inner_text()
        assert "最低生活保障申请" in text and "高龄津贴申请" not in text
    finally:
        context.close()


@pytest.mark.parametrize("large", [False, True])
def test_pages_fit_a_360px_phone(phone: Any, live_server: Any, e2e_world: Any, large: bool) -> None:
    if large:
        phone.context.add_cookies([{"name": "ow_large", "value": "1", "url": live_server.url}])
    for path in ["/", "/guide/", "/guide/MZ-001/", "/centres/", "/centres/C-A/", "/bundles/"]:
        phone.goto(f"{live_server.url}{path}")
        assert phone.evaluate("document.documentElement.clientWidth") == 360
        if large:
            assert phone.evaluate("document.documentElement.classList.contains('large')")
        assert no_horizontal_scroll(phone), f"{path} scrolls sideways at 360 px (large={large})"
