"""三员分立 holds for API tokens too: an administrator's token cannot read residents' data."""

from __future__ import annotations

from typing import Any

from django.test import Client

from onewindow.api.tokens import token_create
from onewindow.security.models import AuditEntry
from tests.cases.conftest import intake


def _bearer(username: str) -> dict[str, str]:
    _row, clear = token_create(username=username, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {clear}"}


def test_admin_token_gets_403_on_cases_but_a_clerk_token_reads_them(world: dict[str, Any]) -> None:
    case = intake()
    client = Client()
    r = client.get(f"/api/v1/cases/{case.number}", **_bearer("admin"))  # type: ignore[arg-type]
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"
    assert "巴特尔" not in r.content.decode()
    assert AuditEntry.objects.filter(action="privacy.admin_denied", result="denied").exists()
    r = client.get(f"/api/v1/cases/{case.number}", **_bearer("clerk"))  # type: ignore[arg-type]
    assert r.status_code == 200
    # a public operation stays open to the admin's token
    r = client.get("/api/v1/items", **_bearer("admin"))  # type: ignore[arg-type]
    assert r.status_code == 200
