"""Every demo role without a phone: the two-factor personas carry the documented demo TOTP secret and
``onewindow demo otp USER`` prints its current code, which the real two-step login accepts."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import struct
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.demo.dataset import demo_data
from onewindow.demo.otp import DEMO_TOTP_SECRET, current_code, seed_demo

pytestmark = pytest.mark.django_db

TWO_FACTOR = ["admin", "supervisor", "head", "security", "auditor"]
ONE_FACTOR = ["clerk", "reviewer", "agent", "outsider"]


def test_the_documented_secret() -> None:
    assert DEMO_TOTP_SECRET == "J5XGKV3JNZSG65ZNIRSW23ZNKRHVIUBB"
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert DEMO_TOTP_SECRET in readme


def test_two_factor_personas_get_the_demo_device_once(demo: dict[str, int]) -> None:
    for username in TWO_FACTOR:
        assert TOTPDevice.objects.filter(user__username=username, confirmed=True).count() == 1, username
    for username in ONE_FACTOR:
        assert not TOTPDevice.objects.filter(user__username=username).exists(), username
    seed_demo()
    assert TOTPDevice.objects.filter(user__username__in=TWO_FACTOR).count() == len(TWO_FACTOR)


def rfc6238(secret_b32: str, at: float) -> str:
    """An independent TOTP (RFC 6238: HMAC-SHA1, 30 s, 6 digits) of the README's base32 secret."""
    key = base64.b32decode(secret_b32)
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def test_current_code_is_the_totp_of_the_documented_secret(demo: dict[str, int]) -> None:
    at = 1_800_000_015.0
    code = current_code("supervisor", at=at)
    assert code.code == rfc6238(DEMO_TOTP_SECRET, at)
    assert code.seconds_left == 15


def test_command_prints_the_code_and_login_accepts_it(demo: dict[str, int]) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("demo", "otp", "head", stdout=out, stderr=err)
    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    assert "秒有效" in err.getvalue()
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "head", "password": demo_data().demo_password}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith("/security/otp/verify/")
    response = client.post("/security/otp/verify/", {"token": code, "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("username", ["clerk", "nobody", ""])
def test_command_refuses_accounts_without_the_demo_device(demo: dict[str, int], username: str) -> None:
    args: list[Any] = ["demo", "otp"] + ([username] if username else [])
    with pytest.raises(CommandError):
        call_command(*args)
