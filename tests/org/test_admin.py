"""The Django admin: masked residents, read-only access log and heartbeat, token revocation.

Who opens which model is the role table of onewindow/security/admin_policy.py (三员分立): a superuser
flag without one of the three administrator roles opens nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from onewindow.api.models import ApiToken
from onewindow.api.tokens import token_authenticate, token_create
from onewindow.org.models import Resident, Staff
from onewindow.privacy.models import PersonalDataAccess
from tests.conftest import otp_verify_session
from tests.security.conftest import add_security_personas

pytestmark = pytest.mark.django_db


def role_client(world: dict[str, Any], username: str) -> Client:
    if username in ("security_admin", "audit_admin") and username not in world["people"]:
        add_security_personas(world)
    user = get_user_model().objects.get(username=username)
    c = Client()
    c.force_login(user)
    otp_verify_session(c, user)
    return c


@pytest.fixture
def superuser_client(world: dict[str, Any]) -> Any:
    """The system administrator (role ``admin``), also flagged superuser: the flag adds nothing."""
    add_security_personas(world)  # (sets passwords: before any session is made)
    user = world["people"]["admin"].user
    user.is_staff = user.is_superuser = True
    user.save()
    return role_client(world, "admin")


def test_a_bare_superuser_opens_nothing(world: dict[str, Any], client: Client) -> None:
    user = get_user_model().objects.create_superuser("root", "root@example.com", "Test-pass-2026")
    client.force_login(user)
    otp_verify_session(client, user)
    assert client.get("/admin/").status_code == 403
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_resident_admin_is_closed_to_every_role(
    world: dict[str, Any], residents: dict[str, Resident], superuser_client: Any
) -> None:
    r = residents["va"]
    for c in (superuser_client, role_client(world, "security_admin"), role_client(world, "audit_admin")):
        assert c.get(reverse("admin:org_resident_changelist")).status_code == 403
        assert c.get(reverse("admin:org_resident_change", args=[r.pk])).status_code == 403
        assert c.get(reverse("admin:org_resident_add")).status_code == 403


def test_staff_admin_never_shows_the_private_mobile(world: dict[str, Any], superuser_client: Any) -> None:
    clerk: Staff = world["people"]["clerk"]
    body = superuser_client.get(reverse("admin:org_staff_changelist")).content.decode()
    assert "138****0001" in body and "13800000001" not in body
    r = superuser_client.get(reverse("admin:org_staff_change", args=[clerk.pk]))
    assert r.status_code == 200 and "13800000001" not in r.content.decode()
    assert "138****0001" in r.content.decode()
    assert not PersonalDataAccess.objects.exists()  # nothing was shown in full, nothing to log


@pytest.mark.parametrize(
    ("username", "name"),
    [
        ("admin", "admin:org_jurisdiction_changelist"),
        ("admin", "admin:org_department_changelist"),
        ("admin", "admin:org_centre_changelist"),
        ("admin", "admin:org_duty_changelist"),
        ("admin", "admin:org_workerheartbeat_changelist"),
        ("audit_admin", "admin:privacy_personaldataaccess_changelist"),
        ("security_admin", "admin:api_apitoken_changelist"),
    ],
)
def test_admin_changelists_render(world: dict[str, Any], username: str, name: str) -> None:
    assert role_client(world, username).get(reverse(name)).status_code == 200


def test_centre_admin_has_hours_and_windows_inlines(world: dict[str, Any], superuser_client: Any) -> None:
    centre = world["centres"]["a"]
    body = superuser_client.get(reverse("admin:org_centre_change", args=[centre.pk])).content.decode()
    assert "hours-TOTAL_FORMS" in body and "windows-TOTAL_FORMS" in body


def test_jurisdiction_admin_search(world: dict[str, Any], superuser_client: Any) -> None:
    resp = superuser_client.get(reverse("admin:org_jurisdiction_changelist"), {"q": "152522100"})
    names = {j.name for j in resp.context["cl"].result_list}
    assert names == {"甲镇", "甲一嘎查"}


def test_access_log_is_read_only(world: dict[str, Any]) -> None:
    superuser_client = role_client(world, "audit_admin")
    clerk: Staff = world["people"]["clerk"]
    log = PersonalDataAccess.objects.create(
        actor=clerk.user, object_type="Staff", object_id="1", fields="mobile"
    )
    assert superuser_client.get(reverse("admin:privacy_personaldataaccess_add")).status_code == 403
    assert (
        superuser_client.get(reverse("admin:privacy_personaldataaccess_delete", args=[log.pk])).status_code
        == 403
    )
    resp = superuser_client.post(
        reverse("admin:privacy_personaldataaccess_change", args=[log.pk]), {"purpose": "改写"}
    )
    assert resp.status_code == 403
    log.refresh_from_db()
    assert log.purpose == ""


def test_heartbeat_is_read_only(world: dict[str, Any], superuser_client: Any) -> None:
    assert superuser_client.get(reverse("admin:org_workerheartbeat_add")).status_code == 403


def test_token_admin_revokes_and_hides_hash(world: dict[str, Any]) -> None:
    superuser_client = role_client(world, "security_admin")
    row, key = token_create(username="clerk", name="村级平板")
    assert token_authenticate(key) is not None
    body = superuser_client.get(reverse("admin:api_apitoken_change", args=[row.pk])).content.decode()
    assert row.key_hash not in body
    assert 'name="key_hash"' not in body
    resp = superuser_client.post(
        reverse("admin:api_apitoken_changelist"), {"action": "revoke", "_selected_action": [row.pk]}
    )
    assert resp.status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert token_authenticate(key) is None
    assert ApiToken.objects.count() == 1
    assert superuser_client.get(reverse("admin:api_apitoken_add")).status_code == 403
