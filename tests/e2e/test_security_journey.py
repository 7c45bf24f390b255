"""Browser: a supervisor logs in with password + TOTP; the console's auto-submit works under the CSP."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.waits import wait_js

pytestmark = pytest.mark.e2e


def test_supervisor_two_step_login_and_csp(
    page: Any, live_server: Any, e2e_world: Any, totp_log_in: Any
) -> None:
    from playwright.sync_api import expect

    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    totp_log_in(page, live_server.url, "supervisor", "/security/account/")
    expect(page.locator("h1")).to_contain_text("账号安全")
    expect(page.locator("table")).to_contain_text("成功")
    page.goto(f"{live_server.url}/cases/warnings/")
    expect(page.locator(".account")).to_contain_text("退出")
    assert errors == []


def test_waiting_for_a_condition_works_under_our_csp(page: Any, live_server: Any) -> None:
    """Why the journeys use `wait_js`: under `script-src 'self'` Playwright's `wait_for_function` cannot poll
    (its later checks go through `eval`): a condition not yet true failed with EvalError (CI, stop 22)."""
    from playwright.sync_api import Error

    page.goto(f"{live_server.url}/")
    assert "script-src 'self'" in _csp(page, live_server)
    page.evaluate("() => { setTimeout(() => { window.__later = 1; }, 400); }")
    with pytest.raises(Error, match="unsafe-eval"):
        page.wait_for_function("window.__later === 1", timeout=3000)
    page.evaluate("() => { setTimeout(() => { window.__later2 = 1; }, 400); }")
    wait_js(page, "window.__later2 === 1", timeout=5)


def _csp(page: Any, live_server: Any) -> str:
    response = page.request.get(f"{live_server.url}/")
    return response.headers.get("content-security-policy", "")
