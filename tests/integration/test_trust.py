"""Trust under real conditions: webhook URLs may not point at loopback or private addresses (unless
WEBHOOK_ALLOW_PRIVATE), tokens expire by default and cannot mint new tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from onewindow.api.tokens import token_create
from onewindow.integration import services

PRIVATE_URLS = [
    "http://127.0.0.1:8080/hook",
    "http://localhost/hook",
    "http://10.1.2.3/hook",
    "http://192.168.1.10/hook",
    "http://172.16.0.5/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/hook",
    "http://[fd00::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://0.0.0.0/hook",
]


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_webhook_to_a_private_address_is_refused(url: str, world: Any, login: Any, settings: Any) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE = False
    c = login("admin")
    r = c.post("/api/v1/webhooks", {"name": "x", "url": url}, content_type="application/json")
    assert r.status_code == 422, r.content
    assert r.json()["error"]["code"] == "webhook_url_private"
    assert "url" in r.json()["error"]["details"]


def test_webhook_to_a_public_or_unresolvable_host_is_accepted(world: Any, login: Any, settings: Any) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE = False
    c = login("admin")
    for url in ("https://93.184.215.14/hook", "https://platform.example.invalid/hook"):
        r = c.post("/api/v1/webhooks", {"name": "x", "url": url}, content_type="application/json")
        assert r.status_code == 201, (url, r.content)


def test_webhook_page_refuses_a_private_address(world: Any, login: Any, settings: Any) -> None:
    from onewindow.integration.models import WebhookSubscription

    settings.WEBHOOK_ALLOW_PRIVATE = False
    c = login("admin")
    r = c.post("/integration/", {"name": "内网", "url": "http://127.0.0.1:9/x"}, follow=True)
    assert r.status_code == 200
    assert "内网" in r.content.decode() or "本机" in r.content.decode()
    assert not WebhookSubscription.objects.filter(url="http://127.0.0.1:9/x").exists()


def test_the_setting_allows_private_addresses(world: Any, login: Any, settings: Any) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE = True
    c = login("admin")
    r = c.post(
        "/api/v1/webhooks", {"name": "x", "url": "http://127.0.0.1:9/h"}, content_type="application/json"
    )
    assert r.status_code == 201


def test_delivery_checks_the_address_again(settings: Any) -> None:
    """A host that resolved publicly when subscribed may point at 127.0.0.1 later (DNS rebinding)."""
    settings.WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(OSError, match="non-public"):
        services.post_signed("http://localhost:9/hook", b"{}", {}, timeout=1)


def test_tokens_expire_by_default(world: Any, settings: Any) -> None:
    row, _key = token_create(username="clerk")
    assert row.expires_at is not None
    assert abs(row.expires_at - (timezone.now() + dt.timedelta(days=90))) < dt.timedelta(minutes=1)
    settings.API_TOKEN_DEFAULT_DAYS = 7
    row, _key = token_create(username="clerk")
    assert row.expires_at is not None and row.expires_at - timezone.now() < dt.timedelta(days=7, minutes=1)
    settings.API_TOKEN_DEFAULT_DAYS = 0  # explicitly "never"
    row, _key = token_create(username="clerk")
    assert row.expires_at is None


def test_tokens_created_over_the_api_expire_by_default(world: Any, login: Any) -> None:
    r = login("clerk").post("/api/v1/tokens", {"name": "脚本"}, content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["expires_at"] is not None


def test_a_token_cannot_mint_tokens(world: Any) -> None:
    from onewindow.api.models import ApiToken

    _row, key = token_create(username="clerk")
    before = ApiToken.objects.count()
    r = Client().post(
        "/api/v1/tokens",
        {"name": "影子令牌", "days": 3650},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert r.status_code == 403, r.content
    assert r.json()["error"]["code"] == "token_cannot_mint"
    assert ApiToken.objects.count() == before
    # reading one's tokens with a token is still fine
    assert Client().get("/api/v1/tokens", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
