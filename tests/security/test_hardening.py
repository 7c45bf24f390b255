"""Web hardening: check --deploy, CSP without inline scripts, headers, limits, error pages."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, RequestFactory

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DEBUG": "0",
        "ONEWINDOW_HTTPS": "1",
        "ALLOWED_HOSTS": "onewindow.example.gov.cn",
        "ONEWINDOW_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "onewindow.settings",
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests' conftest, never in production
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)


def test_no_inline_scripts_or_handlers_in_templates() -> None:
    offenders = []
    for path in (ROOT / "onewindow").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if INLINE_SCRIPT.search(text) or INLINE_HANDLER.search(text) or "javascript:" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


@pytest.mark.django_db
def test_security_headers(client: Client) -> None:
    r = client.get("/")
    csp = r["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "'self'" in script_src and "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_hsts_and_secure_cookies_when_https(client: Client, settings: Any) -> None:
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    r = client.get("/", HTTP_X_FORWARDED_PROTO="https")
    assert "max-age=31536000" in r["Strict-Transport-Security"]


@pytest.mark.django_db
def test_oversized_body_refused(client: Client, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    r = client.post("/accounts/login/", {"username": "x", "password": "y" * 5000})
    assert r.status_code == 400
    assert "Traceback" not in r.content.decode()


@pytest.mark.django_db
def test_error_pages_show_no_internals(client: Client) -> None:
    r = client.get("/no/such/page/")
    assert r.status_code == 404 and "页面不存在" in r.content.decode()
    from django.views.defaults import server_error

    body = server_error(RequestFactory().get("/")).content.decode()
    assert "系统繁忙" in body and "Traceback" not in body


@pytest.mark.django_db
def test_anonymous_posts_are_rate_limited(client: Client, settings: Any) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.PUBLIC_POST_RATE_LIMIT = 3
    codes = [
        client.post("/api/v1/complaints", {}, content_type="application/json").status_code for _ in range(5)
    ]
    assert 429 not in codes[:3] and codes[3:] == [429, 429]
    cache.clear()


@pytest.mark.django_db
def test_forged_csrf_is_refused(world: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    r = client.post("/accounts/login/", {"username": "clerk", "password": "x"})
    assert r.status_code == 403


@pytest.mark.django_db
def test_forwarded_for_is_used_only_when_trusted(
    client: Client, settings: Any, world: dict[str, Any]
) -> None:
    from onewindow.security.models import AuditEntry

    client.post("/accounts/login/", {"username": "clerk", "password": "bad"}, HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert AuditEntry.objects.filter(action="auth.login_failed").latest("pk").ip == "127.0.0.1"
    settings.TRUST_X_FORWARDED_FOR = True
    client.post(
        "/accounts/login/", {"username": "clerk", "password": "bad"}, HTTP_X_FORWARDED_FOR="9.9.9.9, 1.2.3.4"
    )
    assert AuditEntry.objects.filter(action="auth.login_failed").latest("pk").ip == "1.2.3.4"
