"""Responses that may carry full personal data are never stored by a browser or a proxy."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from onewindow.api.tokens import token_create

CASE = {
    "item": "MZ-001",
    "centre": "C-A",
    "applicant": {"name": "巴特尔", "id_number": "11010519491231002X", "phone": "13912345678"},
    "materials": [],
    "form": {"reason": "困难"},
}


@pytest.fixture
def case_number(world: dict[str, Any]) -> str:
    _row, key = token_create(username="clerk")
    r = Client().post(
        "/api/v1/cases", json.dumps(CASE), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert r.status_code == 201, r.content
    return str(r.json()["number"])


def _no_store(response: Any) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_staff_pages_with_personal_data_are_no_store(case_number: str, login: Any) -> None:
    from onewindow.org.models import Resident

    c = login("clerk")
    resident = Resident.objects.get(name="巴特尔")
    for url in (
        f"/cases/{case_number}/",
        "/cases/",
        f"/manage/org/residents/{resident.pk}/",
        f"/cases/{case_number}/correction_notice.pdf",
        f"/api/v1/cases/{case_number}/documents/correction_notice.pdf",
    ):
        r = c.get(url)
        assert r.status_code == 200, (url, r.status_code)
        assert _no_store(r), (url, r.get("Cache-Control"))


def test_api_with_a_token_is_no_store(case_number: str) -> None:
    _row, key = token_create(username="clerk")
    for url in (f"/api/v1/cases/{case_number}", "/api/v1/cases", "/api/v1/me"):
        r = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {key}")
        assert r.status_code == 200, url
        assert _no_store(r), url


def test_anonymous_public_pages_keep_their_caching(world: dict[str, Any]) -> None:
    r = Client().get("/api/v1/items")
    assert r.status_code == 200 and not _no_store(r)
