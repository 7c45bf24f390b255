"""Browser: a supervisor logs in with password + TOTP; the console's auto-submit works under the CSP."""

from __future__ import annotations

from typing import Any

import pytest

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
