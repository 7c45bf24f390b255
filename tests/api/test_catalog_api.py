from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from onewindow.core.actor import system


def test_items_list_public_and_filtered(client: Client, world: dict[str, Any]) -> None:
    r = client.get("/api/v1/items")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 2
    assert {i["code"] for i in body["items"]} == {"MZ-001", "MZ-002"}
    item = body["items"][0]
    for key in (
        "code",
        "name",
        "domain",
        "type",
        "legal_days",
        "promised_days",
        "fee",
        "accept_levels",
        "decide_level",
        "proxy_allowed",
        "online",
        "max_visits",
    ):
        assert key in item
    assert client.get("/api/v1/items?proxy=true").json()["count"] == 1
    assert client.get("/api/v1/items?level=village").json()["count"] == 0
    assert client.get("/api/v1/items?level=township").json()["count"] == 2
    assert client.get("/api/v1/items?domain=social").json()["count"] == 2


@pytest.mark.parametrize("q", ["dbsq", "DBSQ", "dibao", "低保", "最低生活", "zdshbz"])
def test_items_search_chinese_and_pinyin(client: Client, world: dict[str, Any], q: str) -> None:
    body = client.get("/api/v1/items", {"q": q}).json()
    assert [i["name"] for i in body["items"]] == ["最低生活保障申请"]


def test_item_detail_is_the_whole_guide(client: Client, world: dict[str, Any]) -> None:
    r = client.get("/api/v1/items/MZ-001")
    assert r.status_code == 200
    g = r.json()
    assert g["version"] == 1
    assert g["department"] == "D-MZ"
    assert [m["code"] for m in g["materials"]] == ["M01", "M02"]
    assert g["materials"][0] == {
        "code": "M01",
        "name": "居民身份证",
        "original": True,
        "copies": 1,
        "required": True,
        "condition": "",
        "note": "",
        "reusable": True,
    }
    assert g["steps"] == ["申请", "受理", "审核", "办结"]
    assert {p["centre"] for p in g["places"]} == {"C-COUNTY", "C-A", "C-B"}
    assert set(g["phones"]) == {"consult", "complaint"}


def test_unknown_codes_give_error_codes(client: Client, world: dict[str, Any]) -> None:
    r = client.get("/api/v1/items/NOPE")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "unknown_item"
    assert r.json()["error"]["message"]
    r = client.get("/api/v1/items?domain=nope")
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_domain"
    r = client.get("/api/v1/items?level=galaxy")
    assert r.status_code == 422 and "level" in r.json()["error"]["details"]
    r = client.get("/api/v1/items?page=0")
    assert r.status_code == 422
    r = client.get("/api/v1/jurisdictions?parent=999999999999")
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_jurisdiction"
    r = client.get("/api/v1/centres/NOPE")
    assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_centre"
    r = client.get("/api/v1/bundles/NOPE")
    assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_bundle"


def test_draft_and_retired_versions_are_not_public(client: Client, world: dict[str, Any]) -> None:
    from onewindow.catalog import services

    v = world["items"]["dibao"]
    draft = services.item_version_new_draft(actor=system(), item=v.item)
    services.item_version_update(actor=system(), version=draft, name="最低生活保障申请（新）")
    assert client.get("/api/v1/items/MZ-001").json()["name"] == "最低生活保障申请"
    services.item_version_publish(actor=None, version=draft)
    g = client.get("/api/v1/items/MZ-001").json()
    assert g["name"] == "最低生活保障申请（新）" and g["version"] == 2
    services.item_retire(actor=None, item=v.item)
    assert client.get("/api/v1/items/MZ-001").status_code == 404


def test_jurisdictions_tree_flat_and_paginated(client: Client, world: dict[str, Any]) -> None:
    body = client.get("/api/v1/jurisdictions?page_size=2").json()
    assert body["count"] == 5 and len(body["items"]) == 2
    everything = client.get("/api/v1/jurisdictions").json()["items"]
    by_code = {j["code"]: j for j in everything}
    assert by_code["152522000000"] == {
        "code": "152522000000",
        "name": "测试旗",
        "level": "county",
        "parent": None,
    }
    assert by_code["152522100201"]["parent"] == "152522100000"
    assert by_code["152522100201"]["level"] == "village"
    kids = client.get("/api/v1/jurisdictions?parent=152522000000").json()
    assert {j["code"] for j in kids["items"]} == {"152522100000", "152522200000"}


def test_centres_with_windows_and_hours(client: Client, world: dict[str, Any]) -> None:
    body = client.get("/api/v1/centres").json()
    assert body["count"] == 3
    c = next(c for c in body["items"] if c["code"] == "C-A")
    assert c["level"] == "township" and c["jurisdiction"] == "152522100000"
    assert c["windows"][0]["kind"] == "comprehensive" and isinstance(c["windows"][0]["id"], int)
    assert c["hours"][0]["start"] == "08:30"
    only_a = client.get("/api/v1/centres?jurisdiction=152522100000").json()
    assert [c["code"] for c in only_a["items"]] == ["C-A"]


def test_bundles_merge_materials(client: Client, world: dict[str, Any]) -> None:
    from onewindow.catalog.services import bundle_save

    bundle_save(actor=None, code="B-TEST", name="测试一件事", item_codes=["MZ-001", "MZ-002"])
    body = client.get("/api/v1/bundles").json()
    assert body["count"] == 1 and body["items"][0]["code"] == "B-TEST"
    d = client.get("/api/v1/bundles/B-TEST").json()
    names = [m["name"] for m in d["materials"]]
    assert names == ["居民身份证", "户口簿"]  # each material once, though both items ask for them
    assert d["materials"][0]["items"] == ["最低生活保障申请", "高龄津贴申请"]
    assert [f["key"] for f in d["fields"]] == ["reason"]


def test_me_needs_auth_and_reports_roles(client: Client, world: dict[str, Any], login: Any) -> None:
    r = client.get("/api/v1/me")
    assert r.status_code == 401 and r.json()["error"]["code"] == "not_authenticated"
    login("clerk")
    me = client.get("/api/v1/me").json()
    assert me["username"] == "clerk" and me["roles"] == ["clerk"]
    assert me["jurisdiction"] == "152522100000" and me["centre"] == "C-A"


def test_token_create_command_and_bearer_auth(world: dict[str, Any]) -> None:
    out = StringIO()
    call_command("token", "create", "reviewer", stdout=out)
    token = out.getvalue().strip()
    assert token.startswith("ow_")
    c = Client()
    r = c.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200
    assert r.json()["roles"] == ["reviewer"] and r.json()["department"] == "D-MZ"
    assert c.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer ow_wrong").status_code == 401
    # only a hash is stored
    from onewindow.api.models import ApiToken

    assert not ApiToken.objects.filter(key_hash=token).exists()
    call_command("token", "revoke", token[:10], stdout=StringIO())
    assert c.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_openapi_schema_lists_the_contract(client: Client, db: Any) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    paths = set(schema["paths"])
    for p in (
        "/api/v1/me",
        "/api/v1/jurisdictions",
        "/api/v1/centres",
        "/api/v1/items",
        "/api/v1/items/{code}",
        "/api/v1/bundles",
        "/api/v1/bundles/{code}",
    ):
        assert p in paths
    assert client.get("/api/v1/docs").status_code == 200


def test_healthz(client: Client, db: Any) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["database"] is True


def test_docs_load_no_cdn_assets(client: Client, db: Any) -> None:
    import re

    html = client.get("/api/v1/docs").content.decode()
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert external == []
