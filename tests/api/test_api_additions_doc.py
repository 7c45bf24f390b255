"""docs/API-additions.md stays true and complete.

- Every endpoint row of the document's tables (``| METHOD | `/path` | purpose | auth |``) exists: in the
  served OpenAPI schema for ``/api/v1`` paths, in the Open311 URL conf for ``/open311/v2`` paths.
- Every operation of the OpenAPI schema is either in API.md (the inline list of
  ``tests/api/test_api_contract.py``) or in the document, and not in both.
- The auth column agrees with the schema: ``public`` rows have no security requirement, others have.
- Every error code the code base raises is either in API.md or in the document's error tables, and
  every code the document lists is really raised somewhere (with the status the document gives).
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from tests.api.test_api_contract import CONTRACT

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "API-additions.md"
SOURCE = ROOT / "onewindow"

ROW = re.compile(r"^\|\s*(GET|POST|PUT|PATCH|DELETE)\s*\|\s*`?([^`|\s]+)`?\s*\|(.*)\|\s*([^|]+?)\s*\|\s*$")
CODE_ROW = re.compile(r"^\|\s*`([a-z][a-z0-9_]*)`\s*\|\s*([0-9/]+)\s*\|")

# The error codes API.md itself names (Conventions, Catalog, Cases, Front hall).
API_MD_CODES = {
    "calendar_unknown_year",
    "invalid_id_number",
    "invalid_credit_code",
    "invalid_phone",
    "unknown_item",
    "item_unpublished",
    "not_accepted_here",
    "invalid_transition",
    "conflict",
    "queue_empty",
}

# Classes whose instances carry an error ``code`` (onewindow/errors.py and its subclasses elsewhere).
ERROR_CLASSES = {
    "DomainError": 400,
    "Invalid": 422,
    "NotFound": 404,
    "Forbidden": 403,
    "Unauthenticated": 401,
    "Conflict": 409,
    "IdentifierError": 422,
    "CalendarUnknownYear": 422,
    "ImmutableVersionError": 409,
    "TooManyAttempts": 429,
    "RateLimited": 429,
}
# Codes the API answers with outside a DomainError (onewindow/api/api.py handlers).
HANDLER_STATUS = {
    "method_not_allowed": 405,
    "payload_too_large": 413,
    "internal_error": 500,
    "bad_request": 400,
    "not_authenticated": 401,
    "not_found": 404,
    "invalid": 422,
}
SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$|^(?:invalid|conflict|forbidden)$")


def _norm(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def _doc_rows() -> list[tuple[str, str, str]]:
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = ROW.match(line)
        if m:
            rows.append((m.group(1), m.group(2), m.group(4).strip()))
    return rows


def _doc_codes() -> dict[str, set[int]]:
    codes: dict[str, set[int]] = {}
    in_errors = False
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            in_errors = line.startswith("## 3.")
        m = CODE_ROW.match(line) if in_errors else None
        if m:
            codes.setdefault(m.group(1), set()).update(int(s) for s in m.group(2).split("/"))
    return codes


def _strings(node: ast.AST) -> list[str]:
    """String constants of a code expression: a literal or ``"a" if cond else "b"``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def _source_codes() -> dict[str, set[int]]:
    """Every error code raised in the code base, with the statuses it is raised with (0 = from a
    local ``code = "..."`` variable passed on to an error class; its status is the class's)."""
    found: dict[str, set[int]] = {}

    def add(code: str, status: int) -> None:
        if SNAKE.match(code):
            found.setdefault(code, set()).add(status)

    for path in SOURCE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        raises_errors = False
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in ERROR_CLASSES:
                    raises_errors = True
                    for kw in node.keywords:
                        if kw.arg == "code":
                            for code in _strings(kw.value):
                                add(code, ERROR_CLASSES[name])
                if name == "error_body" and node.args:
                    for code in _strings(node.args[0]):
                        add(code, HANDLER_STATUS.get(code, 0))
            if isinstance(node, ast.ClassDef) and any(
                getattr(b, "id", None) in ERROR_CLASSES for b in node.bases
            ):
                status = next(
                    (
                        ERROR_CLASSES[b.id]
                        for b in node.bases
                        if isinstance(b, ast.Name) and b.id in ERROR_CLASSES
                    ),
                    0,
                )
                # status and code are class keywords (``class X(DomainError, status=429, code="x")``)
                # or assignments in the class body
                given = [(kw.arg, kw.value) for kw in node.keywords] + [
                    (getattr(t, "id", None), stmt.value)
                    for stmt in node.body
                    if isinstance(stmt, ast.Assign)
                    for t in stmt.targets
                ]
                for attr, value in given:
                    if attr == "status" and isinstance(value, ast.Constant) and isinstance(value.value, int):
                        status = value.value
                for attr, value in given:
                    if attr == "code":
                        for code in _strings(value):
                            add(code, status)
        if raises_errors:
            # ``code = "invalid_id_number"`` ... ``raise IdentifierError(..., code=code)``
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef):
                    for inner in ast.walk(node):
                        if isinstance(inner, ast.Assign) and any(
                            getattr(t, "id", None) == "code" for t in inner.targets
                        ):
                            for code in _strings(inner.value):
                                add(code, 0)
    return found


@pytest.fixture(scope="module")
def operations() -> dict[tuple[str, str], dict[str, Any]]:
    from onewindow.api.api import api

    schema = json.loads(json.dumps(api.get_openapi_schema()))
    ops: dict[tuple[str, str], dict[str, Any]] = {}
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                ops[(method.upper(), _norm(path.removeprefix("/api/v1")))] = op
    return ops


def test_document_has_endpoint_and_error_tables() -> None:
    rows = _doc_rows()
    assert len(rows) > 50, "the endpoint tables of docs/API-additions.md were not found"
    assert any(p.startswith("/open311/v2/") for _m, p, _a in rows)
    assert len(_doc_codes()) > 50, "the error tables of docs/API-additions.md were not found"
    keys = [(m, _norm(p)) for m, p, _a in rows]
    duplicates = {k for k in keys if keys.count(k) > 1}
    assert not duplicates, f"listed twice: {duplicates}"


def test_every_documented_api_endpoint_exists_with_that_auth(
    operations: dict[tuple[str, str], dict[str, Any]],
) -> None:
    problems = []
    for method, path, auth in _doc_rows():
        if path.startswith("/open311/"):
            continue
        op = operations.get((method, _norm(path)))
        if op is None:
            problems.append(f"{method} /api/v1{path} is in the document but not in /api/v1/openapi.json")
            continue
        public = not op.get("security")
        if (auth == "public") != public:
            problems.append(f"{method} {path}: documented as {auth!r}, schema says public={public}")
    assert not problems, "\n".join(problems)


def test_every_operation_is_in_api_md_or_in_the_document(
    operations: dict[tuple[str, str], dict[str, Any]],
) -> None:
    contract = {(m, _norm(p)) for m, p, _auth in CONTRACT}
    documented = {(m, _norm(p)) for m, p, _auth in _doc_rows() if not p.startswith("/open311/")}
    missing = sorted(f"{m} /api/v1{p}" for m, p in operations if (m, p) not in contract | documented)
    assert not missing, "operations neither in API.md nor in docs/API-additions.md:\n" + "\n".join(missing)
    both = sorted(f"{m} {p}" for m, p in contract & documented)
    assert not both, f"already in API.md, do not list them as additions: {both}"


SAMPLE = {"format": "json", "service_code": "MZ-001", "service_request_id": "X-1"}


def _sample_url(path: str) -> str:
    def fill(m: re.Match[str]) -> str:
        return SAMPLE[m.group(1)]

    return re.sub(r"\{([^}]+)\}", fill, path)


@pytest.mark.django_db
def test_every_documented_open311_endpoint_resolves_and_allows_its_method(client: Client) -> None:
    rows = [(m, p, a) for m, p, a in _doc_rows() if p.startswith("/open311/")]
    assert rows
    for method, path, _auth in rows:
        url = _sample_url(path)
        try:
            resolve(url)
        except Resolver404:
            pytest.fail(f"{method} {path}: {url} is not in the Open311 URL conf")
        response = getattr(client, method.lower())(url)
        assert response.status_code != 405, f"{method} {url} is not allowed"
        assert response.status_code < 500, (method, url, response.status_code)
        assert resolve(url.replace(".json", ".xml"))


def test_every_open311_route_is_documented() -> None:
    from onewindow.api.open311 import urlpatterns

    documented = set()
    for _method, path, _auth in _doc_rows():
        if path.startswith("/open311/"):
            url = _sample_url(path)
            documented.add(resolve(url).url_name)
    missing = {p.name for p in urlpatterns} - documented
    assert not missing, f"Open311 routes missing from docs/API-additions.md: {missing}"


def test_every_raised_error_code_is_documented() -> None:
    source = _source_codes()
    documented = _doc_codes()
    assert {"entrustment_invalid", "token_read_only", "otp_locked", "method_not_allowed"} <= set(source)
    undocumented = sorted(set(source) - API_MD_CODES - set(documented))
    assert not undocumented, (
        f"error codes raised in onewindow/ but in neither API.md nor the doc: {undocumented}"
    )


def test_documented_error_codes_exist_with_their_status() -> None:
    source = _source_codes()
    problems = []
    for code, statuses in _doc_codes().items():
        if code not in source:
            problems.append(f"{code}: documented but never raised")
            continue
        known = source[code] - {0}
        if known and not statuses <= known:
            problems.append(f"{code}: documented as {sorted(statuses)}, raised with {sorted(known)}")
    assert not problems, "\n".join(problems)


def test_webhook_wire_format_matches_the_document() -> None:
    from onewindow.integration import services

    text = DOC.read_text(encoding="utf-8")
    for header in (services.SIGNATURE_HEADER, services.EVENT_ID_HEADER, services.EVENT_TYPE_HEADER):
        assert f"`{header}`" in text
    body = b'{"data":{},"id":"1","type":"case.accept"}'
    signature = services.sign("s3cret", body)
    assert signature.startswith("sha256=")
    namespace: dict[str, Any] = {}
    snippet = re.search(r"```python\n(.*?)```", text, re.S)
    assert snippet, "the signature verification snippet is missing"
    exec(snippet.group(1), namespace)  # our own documentation snippet
    assert namespace["verify"]("s3cret", body, signature)
    assert not namespace["verify"]("other", body, signature)
