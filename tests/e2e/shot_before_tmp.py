from typing import Any
import pytest
from tests.factories import PASSWORD
pytestmark = pytest.mark.e2e

def test_shot(browser: Any, live_server: Any, e2e_world: Any, settings: Any) -> None:
    from onewindow.queueing import services
    settings.QUEUE_ENFORCE_HOURS = False
    for pr in ["", "", "elderly", "", "disabled"]:
        services.ticket_issue(centre="C-A", category="comprehensive", priority=pr)
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    p = ctx.new_page()
    p.goto(f"{live_server.url}/accounts/login/?next=/queue/console/")
    p.fill("#id_username", "clerk"); p.fill("#id_password", PASSWORD)
    p.get_by_role("button", name="登录").click()
    p.wait_for_url("**/queue/console/")
    p.wait_for_function("window.htmx !== undefined")
    p.get_by_role("button", name="叫号").click()
    p.wait_for_timeout(500)
    p.screenshot(path="docs/screenshots/issue-15/queue-console-before.png")
    k = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800}).new_page()
    k.goto(f"{live_server.url}/queue/kiosk/C-A/")
    k.screenshot(path="docs/screenshots/issue-15/queue-kiosk-before.png")
    ctx.close()
