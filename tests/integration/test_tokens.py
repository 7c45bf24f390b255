"""API tokens: created, listed and revoked via the API and the page; hashed; expiry; integration
accounts scoped to a jurisdiction, read-only or read-write; API writes audited with the token id."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from onewindow.api.models import ApiToken, IntegrationAccount
from onewindow.api.tokens import account_create, token_create
from onewindow.org.actors import actor_of
from onewindow.security.models import AuditEntry
from tests.cases.conftest import user

pytestmark = pytest.mark.django_db


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_create_list_and_revoke_own_token_via_api(world: Any, login: Any) -> None:
    c = login("clerk")
    r = c.post("/api/v1/tokens", {"name": "报表脚本", "days": 30}, content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    key = body["token"]
    assert key.startswith("ow_") and body["state"] == "active" and body["read_only"] is False
    row = ApiToken.objects.get(pk=body["id"])
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest() and key not in row.key_hash  # only a hash
    assert row.expires_at is not None and row.expires_at - timezone.now() > dt.timedelta(days=29)

    api = Client()
    assert api.get("/api/v1/me", **bearer(key)).json()["username"] == "clerk"
    listed = c.get("/api/v1/tokens").json()
    assert listed["count"] == 1 and "token" not in listed["items"][0]

    r = c.post(f"/api/v1/tokens/{row.pk}/revoke")
    assert r.status_code == 200 and r.json()["state"] == "revoked"
    r = api.get("/api/v1/me", **bearer(key))  # the very next request
    assert r.status_code == 401 and r.json()["error"]["code"] == "not_authenticated"


def test_others_tokens_are_invisible(world: Any, login: Any) -> None:
    row, _key = token_create(username="clerk")
    c = login("outsider")
    assert c.get("/api/v1/tokens").json()["count"] == 0
    assert c.post(f"/api/v1/tokens/{row.pk}/revoke").status_code == 404
    assert c.delete(f"/api/v1/tokens/{row.pk}").status_code == 404
    row.refresh_from_db()
    assert row.revoked_at is None


def test_revocation_takes_effect_immediately_even_mid_session(world: Any) -> None:
    row, key = token_create(username="clerk")
    api = Client()
    assert api.get("/api/v1/cases", **bearer(key)).status_code == 200
    ApiToken.objects.filter(pk=row.pk).update(revoked_at=timezone.now())
    assert api.get("/api/v1/cases", **bearer(key)).status_code == 401


def test_expired_token_is_refused(world: Any) -> None:
    row, key = token_create(username="clerk", days=1)
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert Client().get("/api/v1/me", **bearer(key)).status_code == 401


def test_read_only_token_cannot_write_and_the_refusal_is_audited(world: Any) -> None:
    row, key = token_create(username="clerk", read_only=True)
    api = Client()
    assert api.get("/api/v1/cases", **bearer(key)).status_code == 200
    r = api.post("/api/v1/tokens", {"name": "x"}, content_type="application/json", **bearer(key))
    assert r.status_code == 403 and r.json()["error"]["code"] == "token_read_only"
    entry = AuditEntry.objects.filter(action="api.write").latest("pk")
    assert entry.result == "denied" and entry.details["token_id"] == row.pk


def test_every_api_write_with_a_token_is_audited_with_its_id(world: Any) -> None:
    row, key = token_create(username="clerk")
    api = Client()
    before = AuditEntry.objects.filter(action="api.write").count()
    api.get("/api/v1/cases", **bearer(key))
    assert AuditEntry.objects.filter(action="api.write").count() == before  # reads are not writes
    other, _other_key = token_create(username="clerk")
    # (a token may not create tokens any more: token_cannot_mint; revoking one is a write it may do)
    r = api.post(f"/api/v1/tokens/{other.pk}/revoke", **bearer(key))
    assert r.status_code == 200
    entry = AuditEntry.objects.filter(action="api.write").latest("pk")
    assert entry.details["token_id"] == row.pk and entry.username == "clerk"
    assert entry.obj == f"POST /api/v1/tokens/{other.pk}/revoke" and entry.result == "ok"


def test_integration_account_scoped_and_read_only(world: Any, login: Any, today: Any) -> None:
    from tests.cases.conftest import intake

    case_a = intake()  # at township A
    admin = login("admin")
    r = admin.post(
        "/api/v1/integration/accounts",
        {"name": "乙镇数据看板", "jurisdiction": "152522200000", "read_only": True},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    acc = r.json()
    assert acc["roles"] == ["supervisor"] and acc["read_only"] is True
    r = admin.post("/api/v1/tokens", {"account": acc["id"], "name": "看板"}, content_type="application/json")
    assert r.status_code == 201 and r.json()["read_only"] is True and r.json()["account"] == acc["id"]
    key = r.json()["token"]
    api = Client()
    assert api.get("/api/v1/cases", **bearer(key)).json()["count"] == 0  # township A is outside its scope
    assert api.get(f"/api/v1/cases/{case_a.number}", **bearer(key)).status_code == 404
    r = api.post(
        f"/api/v1/cases/{case_a.number}/actions",
        {"action": "assign"},
        content_type="application/json",
        **bearer(key),
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "token_read_only"

    r = admin.post(f"/api/v1/integration/accounts/{acc['id']}/disable")
    assert r.status_code == 200 and r.json()["active"] is False
    assert api.get("/api/v1/cases", **bearer(key)).status_code == 401


def test_read_write_account_can_write_in_its_scope(world: Any, today: Any) -> None:
    acc = account_create(
        actor=actor_of(user("admin")),
        name="甲镇自助终端",
        jurisdiction="152522100000",
        read_only=False,
        roles=["clerk"],
        centre="C-A",
    )
    row, key = token_create(username=acc.user.username)
    assert row.read_only is False
    payload = {
        "item": "MZ-001",
        "channel": "kiosk",
        "centre": "C-A",
        "applicant": {
            "kind": "person",
            "name": "巴特尔",
            "id_number": "11010519491231002X",
            "phone": "13912345678",
        },
        "materials": [{"code": "M01", "provided": True}, {"code": "M02", "provided": True}],
        "form": {"reason": "家庭困难"},
    }
    r = Client().post("/api/v1/cases", payload, content_type="application/json", **bearer(key))
    assert r.status_code == 201, r.content
    assert AuditEntry.objects.filter(action="api.write", details__token_id=row.pk, result="ok").exists()
    payload["centre"] = "C-B"  # outside the account's township
    r = Client().post("/api/v1/cases", payload, content_type="application/json", **bearer(key))
    assert r.status_code in (403, 404, 422)


def test_read_only_account_never_gets_a_writing_token(world: Any) -> None:
    acc = account_create(actor=actor_of(user("admin")), name="只读", jurisdiction="152522100000")
    row, _ = token_create(username=acc.user.username, read_only=False)
    assert row.read_only is True


@pytest.mark.parametrize("who", ["clerk", "supervisor", "outsider"])
def test_only_admins_manage_accounts(world: Any, login: Any, who: str) -> None:
    c = login(who)
    r = c.post(
        "/api/v1/integration/accounts",
        {"name": "x", "jurisdiction": "152522100000"},
        content_type="application/json",
    )
    assert r.status_code == 403
    acc = account_create(actor=actor_of(user("admin")), name="甲", jurisdiction="152522100000")
    r = c.post("/api/v1/tokens", {"account": acc.pk}, content_type="application/json")
    assert r.status_code == 403
    assert not ApiToken.objects.filter(user=acc.user).exists()
    assert c.get("/integration/accounts/").status_code == 403


def test_account_outside_admin_scope_or_bad_role_is_refused(world: Any, login: Any) -> None:
    c = login("admin")
    r = c.post(
        "/api/v1/integration/accounts", {"name": "x", "jurisdiction": "999"}, content_type="application/json"
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_jurisdiction"
    r = c.post(
        "/api/v1/integration/accounts",
        {"name": "x", "jurisdiction": "152522100000", "roles": ["admin"]},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert not IntegrationAccount.objects.exists()


def test_token_page_creates_shows_once_and_revokes(world: Any, login: Any) -> None:
    c = login("clerk")
    r = c.post("/integration/tokens/", {"name": "平板", "days": "7", "read_only": "1"})
    assert r.status_code == 200
    row = ApiToken.objects.get(user__username="clerk")
    assert row.read_only and row.name == "平板"
    page = r.content.decode()
    key = page.split('id="new-token">', 1)[1].split("<", 1)[0]
    assert hashlib.sha256(key.encode()).hexdigest() == row.key_hash
    assert key not in c.get("/integration/tokens/").content.decode()
    assert c.post(f"/integration/tokens/{row.pk}/revoke/").status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert Client().get("/api/v1/me", **bearer(key)).status_code == 401


def test_token_command_still_works(world: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("token", "create", "clerk", "--name", "cli", "--read-only", stdout=out)
    key = out.getvalue().strip()
    assert Client().get("/api/v1/me", **bearer(key)).status_code == 200
    r = Client().post("/api/v1/tokens", {}, content_type="application/json", **bearer(key))
    assert r.status_code == 403 and r.json()["error"]["code"] == "token_read_only"
    out = StringIO()
    call_command("token", "list", "clerk", stdout=out)
    assert "只读" in out.getvalue()
