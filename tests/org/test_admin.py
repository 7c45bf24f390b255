"""The Django admin: masked residents, read-only access log and heartbeat, token revocation."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from onewindow.api.models import ApiToken
from onewindow.api.tokens import token_authenticate, token_create
from onewindow.org.models import Resident, Staff
from onewindow.privacy.models import PersonalDataAccess
from tests.conftest import otp_verify_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client: Any) -> Any:
    user = get_user_model().objects.create_superuser("root", "root@example.com", "Test-pass-2026")
    client.force_login(user)
    otp_verify_session(client, user)
    return client


def test_resident_admin_never_shows_clear_id(
    world: dict[str, Any], residents: dict[str, Resident], superuser_client: Any
) -> None:
    r = residents["va"]
    body = superuser_client.get(reverse("admin:org_resident_changelist")).content.decode()
    assert r.masked_id_number in body
    assert r.id_number not in body and r.phone not in body
    body = superuser_client.get(reverse("admin:org_resident_change", args=[r.pk])).content.decode()
    assert r.id_number not in body and r.phone not in body
    assert superuser_client.get(reverse("admin:org_resident_add")).status_code == 403


def test_staff_admin_masks_list_and_logs_change_form(world: dict[str, Any], superuser_client: Any) -> None:
    clerk: Staff = world["people"]["clerk"]
    body = superuser_client.get(reverse("admin:org_staff_changelist")).content.decode()
    assert "138****0001" in body and "13800000001" not in body
    assert superuser_client.get(reverse("admin:org_staff_change", args=[clerk.pk])).status_code == 200
    log = PersonalDataAccess.objects.get()
    assert (log.object_type, log.object_id, log.fields) == ("Staff", str(clerk.pk), "mobile")


@pytest.mark.parametrize(
    "name",
    [
        "admin:org_jurisdiction_changelist",
        "admin:org_department_changelist",
        "admin:org_centre_changelist",
        "admin:org_duty_changelist",
        "admin:org_workerheartbeat_changelist",
        "admin:privacy_personaldataaccess_changelist",
        "admin:api_apitoken_changelist",
    ],
)
def test_admin_changelists_render(world: dict[str, Any], superuser_client: Any, name: str) -> None:
    assert superuser_client.get(reverse(name)).status_code == 200


def test_centre_admin_has_hours_and_windows_inlines(world: dict[str, Any], superuser_client: Any) -> None:
    centre = world["centres"]["a"]
    body = superuser_client.get(reverse("admin:org_centre_change", args=[centre.pk])).content.decode()
    assert "hours-TOTAL_FORMS" in body and "windows-TOTAL_FORMS" in body


def test_jurisdiction_admin_search(world: dict[str, Any], superuser_client: Any) -> None:
    resp = superuser_client.get(reverse("admin:org_jurisdiction_changelist"), {"q": "152522100"})
    names = {j.name for j in resp.context["cl"].result_list}
    assert names == {"甲镇", "甲一嘎查"}


def test_access_log_is_read_only(world: dict[str, Any], superuser_client: Any) -> None:
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


def test_token_admin_revokes_and_hides_hash(world: dict[str, Any], superuser_client: Any) -> None:
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
