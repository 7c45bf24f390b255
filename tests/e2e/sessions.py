"""Signing a persona in for a browser journey: by the session cookie of a login made in Python (past the
TOTP step where the role needs it), or through the login form as a person would."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import Client

from tests.conftest import otp_verify_session
from tests.factories import PASSWORD


def session_cookie(user: Any, base: str) -> dict[str, Any]:
    """The cookie of a session in which ``user`` is logged in, for a browser context on ``base``."""
    client = Client()
    client.force_login(user)
    otp_verify_session(client, user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": base,
    }


def signed_in_page(
    browser: Any, base: str, user: Any, *, height: int = 900, **options: Any
) -> tuple[Any, Any]:
    """A new 1280-px desktop context with ``user`` logged in, and a page in it; close the context after."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": height}, **options)
    context.add_cookies([session_cookie(user, base)])
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def submit_login_form(page: Any, base: str, username: str, next_path: str) -> None:
    """Open the login page (then ``next_path``) and submit the persona's username and password."""
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
