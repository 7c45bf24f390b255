"""Browser journeys: pytest-django's live server driven by Playwright with Debian's Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.waits import close_quietly

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body
# are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(
            "/usr/bin/chromium is not installed (Debian package 'chromium'); browser journeys skipped"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def _browser_page(browser: Any, **context_options: Any) -> Iterator[Any]:
    """A page in a fresh Chinese-locale context, closed after the test."""
    context = browser.new_context(locale="zh-CN", **context_options)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    try:
        yield pg
    finally:
        close_quietly(context)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    yield from _browser_page(browser, viewport={"width": 1280, "height": 900})


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A 360-px wide phone."""
    yield from _browser_page(
        browser, viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True
    )


@pytest.fixture(autouse=True)
def fast_password_hasher(settings: Any) -> None:
    """The personas' passwords are hashed on every set-up; the slow production hasher adds nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def e2e_world(transactional_db: Any) -> dict[str, Any]:
    """The shared personas and items, committed so the live server thread sees them."""
    from tests.factories import build_world

    return build_world()


@pytest.fixture
def totp_log_in() -> Any:
    """Log a privileged persona (supervisor, centre_head, admin, security_admin, audit_admin) in through the
    real two-step form: password, then the TOTP code of a device created here (as the phone app would).
    Usage: ``totp_log_in(page, live_server.url, "supervisor", "/cases/warnings/")``."""

    def _log_in(page: Any, base: str, username: str, next_path: str) -> None:
        from django.contrib.auth import get_user_model
        from django_otp.oath import totp
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from tests.e2e.sessions import submit_login_form

        user = get_user_model().objects.get(username=username)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="e2e", confirmed=True)
        device.last_t = -1  # allow the current time step even if a previous login used it
        device.save(update_fields=["last_t"])
        submit_login_form(page, base, username, next_path)
        page.wait_for_url("**/security/otp/verify/**")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
        page.fill("#id_token", f"{code:06d}")
        page.get_by_role("button", name="验证").click()
        page.wait_for_url(f"**{next_path}")

    return _log_in
