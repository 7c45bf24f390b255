from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from onewindow.org.models import Staff
from tests.factories import make_staff

PASSWORD = "Grassland-Window-2026"


def totp_code(device: Any) -> str:
    """The current code of a django-otp TOTP device (what the phone app shows)."""
    from django_otp.oath import totp

    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{code:06d}"


def add_security_personas(world: dict[str, Any]) -> dict[str, Staff]:
    people = world["people"]
    people["centre_head"] = make_staff(
        "centre_head", "中心主任甲", world["ta"], ["centre_head"], centre=world["centres"]["a"]
    )
    people["security_admin"] = make_staff("security_admin", "安全管理员", world["county"], ["security_admin"])
    people["audit_admin"] = make_staff("audit_admin", "审计管理员", world["county"], ["audit_admin"])
    for s in people.values():
        s.user.set_password(PASSWORD)
        s.user.save(update_fields=["password"])
    return people


@pytest.fixture
def sworld(world: dict[str, Any]) -> dict[str, Any]:
    add_security_personas(world)
    return world


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()
