"""The demo's second factor without a phone: every demo account that must add a TOTP code
(``security.middleware.otp_required_for``: 监督人员, 中心负责人, the three administrators, superusers)
gets a confirmed authenticator device with ONE fixed, documented demo secret — demo data only.

- secret (base32, for an authenticator app): ``J5XGKV3JNZSG65ZNIRSW23ZNKRHVIUBB``
  (the 20 bytes ``OneWindow-Demo-TOTP!``), 6 digits, 30-second steps;
- ``onewindow demo otp USER`` prints the current code (:func:`current_code`).

A user who enrolled a device of their own keeps it: the loader only adds the demo device to accounts
with no confirmed device, and never twice.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.core.errors import DomainError
from onewindow.demo.dataset import demo_data
from onewindow.security.middleware import otp_required_for

DEMO_TOTP_KEY = b"OneWindow-Demo-TOTP!"
DEMO_TOTP_SECRET = base64.b32encode(DEMO_TOTP_KEY).decode()  # J5XGKV3JNZSG65ZNIRSW23ZNKRHVIUBB
DEMO_DEVICE_NAME = "演示动态口令"


class NoDemoDevice(DomainError, status=404, code="no_demo_otp"):
    pass


@dataclass(frozen=True)
class Code:
    code: str
    seconds_left: int


def demo_usernames() -> list[str]:
    data = demo_data()
    names = [s["username"] for s in data.county_staff]
    names += [s["username"] for staff in data.township_staff.values() for s in staff]
    return names


def seed_demo() -> None:
    """Give each demo account that needs two factors the demo device (idempotent)."""
    key = DEMO_TOTP_KEY.hex()
    for user in get_user_model().objects.filter(username__in=demo_usernames()):
        if not otp_required_for(user) or TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            continue
        TOTPDevice.objects.create(user=user, name=DEMO_DEVICE_NAME, key=key, confirmed=True)


def current_code(username: str, *, at: float | None = None) -> Code:
    """The demo device's code for ``username`` now (or at the time ``at``)."""
    device = TOTPDevice.objects.filter(
        user__username=username, confirmed=True, key=DEMO_TOTP_KEY.hex()
    ).first()
    if device is None:
        raise NoDemoDevice(
            f"{username} 没有演示动态口令（不是需要双因素认证的演示账号，或已绑定了自己的手机）"
        )
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    left = device.step - int(totp.time - device.t0) % device.step
    return Code(code=f"{totp.token():0{device.digits}d}", seconds_left=left)
