"""Trivial hostile input is a 4xx with a code, never a 500 (and the same answer on SQLite and
PostgreSQL): NUL characters, strings over the column length, multipart without a boundary,
impossible months, non-ASCII check codes.

PostgreSQL refuses NUL in text ("A string literal cannot contain NUL (0x00) characters"), SQLite
stores it; SQLite ignores VARCHAR lengths, PostgreSQL refuses longer values. Both are refused at the
boundary (``onewindow/boundary.py``) so both databases answer the same.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from onewindow.api.tokens import token_create

NUL = "a\x00b"


def _schema() -> dict[str, Any]:
    from onewindow.api.api import api

    return json.loads(json.dumps(api.get_openapi_schema()))


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    if "allOf" in node and len(node["allOf"]) == 1:
        return _resolve(schema, node["allOf"][0])
    if "anyOf" in node:
        options = [o for o in node["anyOf"] if o.get("type") != "null"]
        return _resolve(schema, options[0]) if options else {"type": "null"}
    return node


def sample(schema: dict[str, Any], node: dict[str, Any], text: str, depth: int = 0) -> Any:
    """A value of the node's shape with ``text`` in every free string."""
    node = _resolve(schema, node)
    if "enum" in node:
        return node["enum"][0]
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        return {
            name: sample(schema, prop, text, depth + 1)
            for name, prop in node.get("properties", {}).items()
            if depth < 4
        }
    if kind == "array":
        return [sample(schema, node.get("items", {}), text, depth + 1)]
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return True
    if kind == "string" and node.get("format") in {"date", "date-time", "uuid"}:
        return {"date": "2026-12-01", "date-time": "2026-12-01T09:00:00+08:00"}.get(
            node["format"], "00000000-0000-0000-0000-000000000000"
        )
    return text


def post_operations() -> list[tuple[str, dict[str, Any]]]:
    ops = []
    for path, item in _schema()["paths"].items():
        op = item.get("post")
        if op and "application/json" in op.get("requestBody", {}).get("content", {}):
            ops.append((path, op))
    return ops


def _path_values(world: dict[str, Any]) -> dict[str, str]:
    return {
        "number": "C-NOPE-1",
        "window_id": str(world["centres"]["a"].windows.first().pk),
    }


def _url(path: str, values: dict[str, str]) -> str:
    import re

    return re.sub(r"\{([^}]+)\}", lambda m: values.get(m.group(1), "1"), path)


PERSONAS = ("clerk", "agent", "supervisor", "reviewer", None)


@pytest.mark.parametrize(("path", "op"), post_operations(), ids=lambda v: v if isinstance(v, str) else "")
def test_nul_in_every_string_field_of_every_post_operation(
    path: str, op: dict[str, Any], world: dict[str, Any]
) -> None:
    schema = _schema()
    body_schema = op["requestBody"]["content"]["application/json"]["schema"]
    body = sample(schema, body_schema, NUL)
    url = _url(path, _path_values(world))
    if any(p["in"] == "query" and p.get("required") for p in op.get("parameters", [])):
        url += "?" + "&".join(f"{p['name']}=1234" for p in op["parameters"] if p["in"] == "query")
    assert "\\u0000" in json.dumps(body, ensure_ascii=False) or "\x00" in json.dumps(body), body
    answers = {}
    for persona in PERSONAS:
        headers = {}
        if persona:
            _row, key = token_create(username=persona)
            headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        r = Client().post(url, json.dumps(body), content_type="application/json", **headers)
        answers[persona] = (r.status_code, r.json().get("error", {}).get("code"))
    assert all(a == (422, "invalid_characters") for a in answers.values()), answers


@pytest.fixture
def clerk_api(world: dict[str, Any]) -> dict[str, str]:
    _row, key = token_create(username="clerk")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/items?q=%00",
        "/api/v1/cases?item=MZ%00",
        "/api/v1/cases/A%00B",
        "/api/v1/progress?number=%00&check=1234",
        "/open311/v2/requests.json?service_code=%00",
        "/catalog/?q=%00",
        "/progress/?number=X%00&check=1234",
    ],
)
def test_nul_in_query_or_path_is_422(url: str, clerk_api: dict[str, str]) -> None:
    r = Client().get(url, **clerk_api)
    assert r.status_code == 422, (url, r.status_code)
    assert b"invalid_characters" in r.content


def test_nul_in_a_page_form_is_422(world: dict[str, Any], login: Any) -> None:
    client = login("clerk")
    r = client.post("/complaints/new/", {"category": "other", "content": "x\x00y"})
    assert r.status_code == 422 and b"invalid_characters" in r.content


def test_nul_in_json_keys_and_escaped_backslash(clerk_api: dict[str, str]) -> None:
    body = '{"category": "suggestion", "content": "ok", "a\\u0000": 1}'
    r = Client().post("/api/v1/complaints", body, content_type="application/json")
    assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid_characters")
    # a literal backslash followed by "u0000" is text, not a NUL: the request goes on
    body = json.dumps({"category": "suggestion", "content": "C:\\u0000 路径"})
    r = Client().post("/api/v1/complaints", body, content_type="application/json")
    assert r.status_code != 422 or r.json()["error"]["code"] != "invalid_characters"


def test_multipart_without_boundary_is_422(clerk_api: dict[str, str]) -> None:
    for url in ("/api/v1/proxy/files", "/api/v1/complaints"):
        r = Client().generic("POST", url, b"--x\r\n", content_type="multipart/form-data", **clerk_api)
        assert r.status_code == 422, (url, r.status_code)
        assert r.json()["error"]["code"] == "invalid_multipart"


def test_multipart_without_boundary_on_a_page_is_422(world: dict[str, Any], login: Any) -> None:
    client = login("clerk")
    r = client.generic("POST", "/complaints/new/", b"--x\r\n", content_type="multipart/form-data")
    assert r.status_code == 422 and b"invalid_multipart" in r.content


@pytest.mark.parametrize("month", ["9999-12", "0-1", "2026-13", "２０２６-１２", "20261"])
def test_impossible_month_is_422(
    month: str, clerk_api: dict[str, str], world: dict[str, Any], login: Any
) -> None:
    r = Client().get(f"/api/v1/proxy/ledger?month={month}", **clerk_api)
    assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid"), month
    r = Client().get(f"/api/v1/proxy/ledger.xlsx?month={month}", **clerk_api)
    assert r.status_code == 422, month
    page = login("clerk").get(f"/proxy/ledger/?month={month}")
    assert page.status_code == 422, month


@pytest.mark.parametrize("check", ["１２３４", "é123", "ᠮᠣᠩᠭ", "😀😀😀😀", "12\u200b34"])
def test_non_ascii_check_codes_are_404(check: str, world: dict[str, Any]) -> None:
    from urllib.parse import quote

    r = Client().get(f"/api/v1/progress?number=C-1&check={quote(check)}")
    assert (r.status_code, r.json()["error"]["code"]) == (404, "not_found")
    r = Client().post(
        f"/api/v1/cases/C-1/rating?check={quote(check)}",
        json.dumps({"level": 5}),
        content_type="application/json",
    )
    assert r.status_code in (404, 422), r.status_code
    r = Client().post(
        "/api/v1/appointments/1/cancel", json.dumps({"code": check}), content_type="application/json"
    )
    assert r.status_code in (404, 422), r.status_code


@pytest.mark.parametrize("check", ["é12345", "１２３４５６", "ᠮᠣᠩᠭᠣᠯ"])
def test_non_ascii_codes_against_real_complaint_and_appointment_are_404(
    check: str, world: dict[str, Any]
) -> None:
    """``secrets.compare_digest`` raises TypeError on non-ASCII text: that was a 500."""
    from unittest import mock
    from urllib.parse import quote

    from tests.queueing.test_appointments import NOW, book

    r = Client().post(
        "/api/v1/complaints",
        json.dumps({"category": "suggestion", "content": "窗口等候时间太长"}),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    number = r.json()["number"]
    r = Client().get(f"/api/v1/complaints/{number}/progress?check={quote(check)}")
    assert (r.status_code, r.json()["error"]["code"]) == (404, "not_found")
    with mock.patch("onewindow.queueing.services.local_now", return_value=NOW):
        a = book()
        for action in ("cancel", "check-in"):
            r = Client().post(
                f"/api/v1/appointments/{a.pk}/{action}",
                json.dumps({"code": check}),
                content_type="application/json",
            )
            assert (r.status_code, r.json()["error"]["code"]) == (404, "not_found"), action


LONG_NAME = "巴" * 101  # Resident.name is VARCHAR(100)


@pytest.mark.parametrize("name", [LONG_NAME, "巴" * 10_000])
def test_name_over_the_column_length_is_422_on_every_database(name: str, clerk_api: dict[str, str]) -> None:
    """SQLite would store it, PostgreSQL refused it with a 500: now both answer 422 ``too_long``."""
    from onewindow.org.models import Resident

    body = {
        "item": "MZ-001",
        "centre": "C-A",
        "applicant": {"name": name, "id_number": "11010519491231002X", "phone": "13912345678"},
        "materials": [],
        "form": {"reason": "困难"},
    }
    r = Client().post("/api/v1/cases", json.dumps(body), content_type="application/json", **clerk_api)
    assert r.status_code == 422, r.content
    err = r.json()["error"]
    assert err["code"] == "too_long" and "name" in err["details"]
    assert not Resident.objects.filter(name=name).exists()
    body["applicant"]["name"] = "巴" * 100  # exactly the limit is fine
    r = Client().post("/api/v1/cases", json.dumps(body), content_type="application/json", **clerk_api)
    assert r.status_code == 201, r.content


def test_model_saves_enforce_postgresql_lengths_and_nul(world: dict[str, Any]) -> None:
    from onewindow.core.errors import Invalid
    from onewindow.org.models import Resident

    r = Resident(kind="person", name="x" * 101)
    with pytest.raises(Invalid) as exc:
        r.save()
    assert exc.value.code == "too_long" and exc.value.details == {"name": ["最多 100 个字符"]}
    r.name = "a\x00b"
    with pytest.raises(Invalid) as exc:
        r.save()
    assert exc.value.code == "invalid_characters"


def test_an_oversized_form_body_is_still_the_api_413(clerk_api: dict[str, str], settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    r = Client().post(
        "/api/v1/complaints",
        "content=" + "x" * 5000,
        content_type="application/x-www-form-urlencoded",
        **clerk_api,
    )
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
