"""Authentication: password policy, lockout + unlock, idle timeout, TOTP for privileged roles, history."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.security.models import AuditEntry, LoginRecord
from onewindow.security.services import is_locked
from tests.conftest import otp_verify_session
from tests.security.conftest import PASSWORD, totp_code

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def post_login(client: Client, username: str, password: str, **extra: Any) -> Any:
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR="10.0.0.9", **extra)


@pytest.mark.parametrize("password", ["short1A!", "password123", "1234567890123", "bayaertu_grassland"])
def test_password_policy_refuses_weak_passwords(sworld: dict[str, Any], password: str) -> None:
    user = sworld["people"]["clerk"].user
    user.email = "bayaertu.grassland@example.com"
    with pytest.raises(ValidationError):
        validate_password(password, user)
    validate_password("Grassland-Window-2026", user)


def test_login_is_recorded_in_history_and_audit(sworld: dict[str, Any], client: Client) -> None:
    r = post_login(client, "clerk", PASSWORD, HTTP_USER_AGENT="Mozilla/5.0 test")
    assert r.status_code == 302
    rec = LoginRecord.objects.get(username="clerk")
    assert rec.success and rec.ip == "10.0.0.9" and "Mozilla" in rec.user_agent
    entry = AuditEntry.objects.get(action="auth.login")
    assert entry.username == "clerk" and entry.ip == "10.0.0.9" and entry.result == "ok"
    page = client.get("/security/account/").content.decode()
    assert "10.0.0.9" in page and "成功" in page
    client.post("/accounts/logout/")
    assert AuditEntry.objects.filter(action="auth.logout", username="clerk").exists()


def test_lockout_after_repeated_failures_and_unlock_command(sworld: dict[str, Any], settings: Any) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        r = post_login(client, "clerk", "wrong-password-1")
        assert r.status_code in (200, 429)
    assert is_locked("clerk")
    # Now even the right password is refused, with the lockout page, and it is audited.
    r = post_login(client, "clerk", PASSWORD)
    assert r.status_code == 429 and "账号已锁定" in r.content.decode()
    assert "_auth_user_id" not in client.session
    failed = AuditEntry.objects.filter(action="auth.login_failed", obj="user:clerk")
    assert failed.count() == settings.AXES_FAILURE_LIMIT + 1
    assert failed.filter(details__reason="locked").exists()
    assert (
        LoginRecord.objects.filter(username="clerk", success=False).count() == settings.AXES_FAILURE_LIMIT + 1
    )
    call_command("unlock", "clerk")
    assert not is_locked("clerk")
    assert post_login(client, "clerk", PASSWORD).status_code == 302
    assert AuditEntry.objects.filter(action="auth.unlock", obj="user:clerk").exists()


def test_security_admin_unlocks_from_the_page(sworld: dict[str, Any], login: Any, settings: Any) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(Client(), "agent", "wrong-password-1")
    assert is_locked("agent")
    client = login("security_admin")
    page = client.get("/security/accounts/").content.decode()
    assert "已锁定" in page
    r = client.post("/security/accounts/agent/unlock/")
    assert r.status_code == 302 and not is_locked("agent")
    entry = AuditEntry.objects.get(action="auth.unlock")
    assert entry.username == "security_admin" and entry.obj == "user:agent"
    # Nobody else may unlock.
    for name in ("admin", "audit_admin", "clerk"):
        assert login(name).post("/security/accounts/agent/unlock/").status_code == 403


def _failures(username: str, n: int, ip: str) -> list[int]:
    client = Client()
    return [
        client.post(LOGIN, {"username": username, "password": "wrong-password-1"}, REMOTE_ADDR=ip).status_code
        for _ in range(n)
    ]


def _age_failures(minutes: float) -> None:
    """Move every recorded failure ``minutes`` into the past (instead of waiting)."""
    import datetime as dt

    from axes.models import AccessAttempt
    from django.db.models import F

    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=minutes))


def test_failures_from_elsewhere_do_not_lock_the_clerk_at_her_window(
    sworld: dict[str, Any], settings: Any
) -> None:
    """Lockout as a weapon: anonymous wrong passwords from another address lock only that address."""
    _failures("clerk", settings.AXES_FAILURE_LIMIT + 3, ip="198.51.100.66")
    attacker = Client()
    r = attacker.post(LOGIN, {"username": "clerk", "password": PASSWORD}, REMOTE_ADDR="198.51.100.66")
    assert r.status_code == 429 and "账号已锁定" in r.content.decode()
    # the clerk at her window logs in as usual
    window = Client()
    r = window.post(LOGIN, {"username": "clerk", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    assert r.status_code == 302 and "_auth_user_id" in window.session
    # and her successful login does not lift the attacker's lock
    r = attacker.post(LOGIN, {"username": "clerk", "password": PASSWORD}, REMOTE_ADDR="198.51.100.66")
    assert r.status_code == 429


def test_lockout_delays_grow_with_each_further_failure(sworld: dict[str, Any], settings: Any) -> None:
    settings.LOGIN_LOCKOUT_MINUTES = 15
    ip = "198.51.100.67"

    def right() -> int:
        return Client().post(LOGIN, {"username": "clerk", "password": PASSWORD}, REMOTE_ADDR=ip).status_code

    def wrong() -> Any:
        return Client().post(LOGIN, {"username": "clerk", "password": "x"}, REMOTE_ADDR=ip)

    _failures("clerk", settings.AXES_FAILURE_LIMIT - 1, ip=ip)
    r = wrong()
    assert r.status_code == 429 and "15 分钟" in r.content.decode()
    # a try during the lock, even with the right password, is refused and doubles the lock
    r = Client().post(LOGIN, {"username": "clerk", "password": PASSWORD}, REMOTE_ADDR=ip)
    assert r.status_code == 429 and "30 分钟" in r.content.decode()
    _age_failures(29)
    assert is_locked("clerk")
    _age_failures(2)
    assert not is_locked("clerk")
    # one more failure after the lock: locked at once for 60 minutes, not another 5 tries
    r = wrong()
    assert r.status_code == 429 and "60 分钟" in r.content.decode()
    _age_failures(59)
    assert is_locked("clerk")
    _age_failures(2)
    assert right() == 302


def test_permanent_lock_when_minutes_is_zero(sworld: dict[str, Any], settings: Any) -> None:
    settings.LOGIN_LOCKOUT_MINUTES = 0
    settings.AXES_COOLOFF_TIME = None
    _failures("clerk", settings.AXES_FAILURE_LIMIT, ip="198.51.100.68")
    _age_failures(60 * 24 * 30)
    assert is_locked("clerk")
    call_command("unlock", "clerk")
    assert not is_locked("clerk")


def test_idle_session_times_out(sworld: dict[str, Any], settings: Any) -> None:
    settings.SESSION_IDLE_TIMEOUT = 60
    client = Client()
    assert post_login(client, "clerk", PASSWORD).status_code == 302
    assert client.get("/security/account/").status_code == 200
    session = client.session
    session["ow_last_seen"] = int(time.time()) - 120
    session.save()
    r = client.get("/security/account/")
    assert r.status_code == 302 and r["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="auth.session_timeout", username="clerk").exists()


@pytest.mark.parametrize("username", ["supervisor", "centre_head", "admin", "security_admin", "audit_admin"])
def test_privileged_roles_must_enrol_and_verify_totp(sworld: dict[str, Any], username: str) -> None:
    client = Client()
    r = post_login(client, username, PASSWORD)
    assert r.status_code == 302
    # Every page (and the API) is closed until the second factor is verified.
    r = client.get("/security/account/")
    assert r.status_code == 302 and r["Location"].startswith("/security/otp/verify/")
    api = client.get("/api/v1/me")
    assert api.status_code == 401 and api.json()["error"]["code"] == "otp_required"
    # No device yet: verify sends to enrolment, which shows a QR code.
    r = client.get("/security/otp/verify/?next=/security/account/")
    assert r.status_code == 302 and r["Location"].startswith("/security/otp/setup/")
    page = client.get(r["Location"]).content.decode()
    assert "<svg" in page and "otp-secret" in page
    device = TOTPDevice.objects.get(user__username=username, confirmed=False)
    assert client.post("/security/otp/setup/", {"token": "000000"}).status_code == 422
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code throttles the device for a second (django-otp)
    r = client.post("/security/otp/setup/", {"token": totp_code(device), "next": "/security/account/"})
    assert r.status_code == 302 and r["Location"] == "/security/account/"
    assert client.get("/security/account/").status_code == 200
    assert AuditEntry.objects.filter(action="auth.otp_enrolled", username=username).exists()
    # Next login: password, then the code from the enrolled device.
    client2 = Client()
    post_login(client2, username, PASSWORD)
    assert client2.get("/security/account/").status_code == 302
    assert client2.post("/security/otp/verify/", {"token": "123"}).status_code == 422
    device.refresh_from_db()
    device.last_t = -1  # the same code may not be used twice; pretend a new time step
    device.throttle_reset()
    r = client2.post("/security/otp/verify/", {"token": totp_code(device), "next": "/security/account/"})
    assert r.status_code == 302 and r["Location"] == "/security/account/"
    assert client2.get("/security/account/").status_code == 200


def test_clerk_needs_no_second_factor(sworld: dict[str, Any]) -> None:
    client = Client()
    post_login(client, "clerk", PASSWORD)
    assert client.get("/security/account/").status_code == 200


def test_enrolled_device_cannot_be_replaced_without_verifying(sworld: dict[str, Any]) -> None:
    user = get_user_model().objects.get(username="supervisor")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    post_login(client, "supervisor", PASSWORD)
    r = client.get("/security/otp/setup/")
    assert r.status_code == 302 and r["Location"].startswith("/security/otp/verify/")


def test_otp_reset_by_security_admin(sworld: dict[str, Any], login: Any) -> None:
    user = get_user_model().objects.get(username="supervisor")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = login("security_admin")
    assert client.post("/security/accounts/supervisor/otp-reset/").status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert AuditEntry.objects.filter(action="auth.otp_reset", obj="user:supervisor").exists()


def test_login_rate_limit_per_address(sworld: dict[str, Any], settings: Any) -> None:
    from unittest import mock

    settings.LOGIN_RATE_LIMIT = 3
    client = Client()
    # one fixed window: five tries straddling a minute boundary would otherwise all pass (a flake)
    with mock.patch("onewindow.core.ratelimit.time.time", return_value=1_800_000_010.0):
        codes = [post_login(client, f"nobody{i}", "x").status_code for i in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]


def test_role_changes_are_audited(sworld: dict[str, Any], login: Any) -> None:
    from onewindow.org.models import StaffRole

    staff = sworld["people"]["clerk"]
    StaffRole.objects.create(staff=staff, role="reviewer")
    StaffRole.objects.filter(staff=staff, role="reviewer").first().delete()  # type: ignore[union-attr]
    assert AuditEntry.objects.filter(
        action="org.role_added", obj="user:clerk", details__role="reviewer"
    ).exists()
    assert AuditEntry.objects.filter(action="org.role_removed", obj="user:clerk").exists()
    user = staff.user
    user.is_superuser = True
    user.save()
    assert AuditEntry.objects.filter(action="account.changed", obj="user:clerk").exists()


def test_otp_helper_marks_session(sworld: dict[str, Any], client: Client) -> None:
    user = get_user_model().objects.get(username="admin")
    client.force_login(user)
    otp_verify_session(client, user)
    assert client.get("/security/account/").status_code == 200
