"""The first hour, in a browser, following README.md alone: on the demo data (``onewindow demo``) in demo
mode, each of the nine demo personas logs in at ``/accounts/login/`` with the demo password — the five
two-factor ones with the code ``onewindow demo otp USER`` prints (the same function) — and lands on its
home page; the demo resident signs in at ``/my/login/`` with the SMS code read off ``/dev/outbox/``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

PERSONAS = ["clerk", "reviewer", "agent", "head", "supervisor", "outsider", "admin", "security", "auditor"]
TWO_FACTOR = {"head", "supervisor", "admin", "security", "auditor"}
RESIDENT_PHONE = "13904799001"  # 巴图孟和, named in the README
README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def demo_world(transactional_db: Any, settings: Any) -> None:
    """The demo county, committed so the live server thread sees it; demo mode on as ``make run`` sets it."""
    from onewindow.demo.loader import load_demo

    settings.ONEWINDOW_DEMO = True
    load_demo()


def _expected_home(username: str) -> tuple[str, str]:
    from onewindow.org.models import Role, Staff

    staff = Staff.objects.get(user__username=username)
    return staff.name, str(Role(staff.role_list[0]).label)


def test_every_persona_by_the_readme(demo_world: None, live_server: Any, browser: Any) -> None:
    from onewindow.demo.dataset import demo_data
    from onewindow.demo.otp import current_code

    base, password = live_server.url, demo_data().demo_password
    readme = README.read_text(encoding="utf-8")
    assert f"**`{password}`**" in readme and "http://127.0.0.1:8000/accounts/login/" in readme
    assert "onewindow demo otp supervisor" in readme
    for username in PERSONAS:
        assert f"| `{username}`" in readme
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(10_000)
        try:
            page.goto(f"{base}/accounts/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", password)
            page.get_by_role("button", name="登录").click()
            if username in TWO_FACTOR:
                page.wait_for_url("**/security/otp/verify/**")
                page.fill("#id_token", current_code(username).code)
                page.get_by_role("button", name="验证").click()
            page.wait_for_url(f"{base}/")
            name, role = _expected_home(username)
            assert page.locator("#hello").inner_text() == f"您好，{name}", username
            assert role in page.locator(".roles").inner_text(), username
        finally:
            context.close()


def test_the_resident_with_the_code_from_the_outbox(demo_world: None, live_server: Any, page: Any) -> None:
    base = live_server.url
    readme = README.read_text(encoding="utf-8")
    assert RESIDENT_PHONE in readme and "**`/dev/outbox/`**" in readme
    page.goto(f"{base}/my/login/")
    page.check("#id_consent")  # the privacy notice, agreed before the number is typed
    page.fill("#id_phone", RESIDENT_PHONE)
    page.get_by_role("button", name="获取验证码").click()
    outbox = page.context.new_page()
    outbox.goto(f"{base}/dev/outbox/")
    row = outbox.locator("tr.outbox-row", has_text=RESIDENT_PHONE).first
    code = re.search(r"验证码为 (\d{6})", row.locator(".body").inner_text())
    assert code is not None
    outbox.close()
    page.fill("#id_code", code.group(1))
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/my/")
    assert "我的办件" in page.content()
