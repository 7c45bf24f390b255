"""Property-based robustness of the JSON API (schemathesis 4.x against /api/v1/openapi.json).

Every operation of the schema is exercised through Django's WSGI application (no network) with
schema-valid (positive) and schema-violating (negative) data, authenticated as the clerk persona of the
test world: no response may be a 5xx, every status code must be documented for the operation, and every
response body must match its documented schema (errors: ``{"error": {code, message, details}}``).

The number of examples per operation is bounded (``SCHEMATHESIS_MAX_EXAMPLES``, default 12) so the
whole module stays well under a minute on the 2-core machine.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "12"))

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
schema.config.seed = int(os.environ.get("SCHEMATHESIS_SEED", "311"))  # reproducible in CI
schema.config.phases.update(phases=os.environ.get("SCHEMATHESIS_PHASES", "examples,fuzzing").split(","))

# What every response must satisfy. ``positive_data_acceptance`` is left out on purpose: a
# schema-valid body naming an unknown item or centre is rightly refused with a documented 4xx.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture(scope="module")
def clerk_headers(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, str]]:
    """The test world and a clerk token, built once for the module inside a transaction that is rolled
    back at the end (each operation's test then runs in a savepoint of it)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, transaction

    from onewindow.api.tokens import token_create
    from tests.factories import build_world

    # The WSGI handler closes "old" connections around each request; inside this module's transaction
    # that would close PostgreSQL's connection (Django's own test client disconnects it the same way).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            build_world()
            _row, key = token_create(username="clerk")
            yield {"Authorization": f"Bearer {key}"}
            transaction.set_rollback(True)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _no_rate_limit_carry_over() -> None:
    from django.core.cache import cache

    cache.clear()


# Operations owned by other parts of the project on which schemathesis currently finds a problem that
# is theirs to fix (reported). They still run, as non-strict expected failures, so a fix shows as XPASS.
KNOWN_ISSUES: dict[str, str] = {
    # "POST /api/v1/complaints": "feedback_api: ..." (was here until fixed in feedback_api)
}
checked = schema.exclude(name=list(KNOWN_ISSUES)) if KNOWN_ISSUES else schema
HYPOTHESIS = settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))


@checked.parametrize()
@HYPOTHESIS
@pytest.mark.django_db
def test_api_operation(case: schemathesis.Case, clerk_headers: dict[str, str]) -> None:
    case.call_and_validate(headers=clerk_headers, checks=CHECKS)


if KNOWN_ISSUES:
    known = schema.include(name=list(KNOWN_ISSUES))

    @known.parametrize()
    @HYPOTHESIS
    @pytest.mark.django_db
    @pytest.mark.xfail(strict=False, reason="known issue in another part, see KNOWN_ISSUES")
    def test_api_operation_known_issue(case: schemathesis.Case, clerk_headers: dict[str, str]) -> None:
        case.call_and_validate(headers=clerk_headers, checks=CHECKS)


@pytest.mark.django_db
def test_the_token_reaches_authenticated_operations(clerk_headers: dict[str, str]) -> None:
    """The fuzzing above is only meaningful if the clerk's token works through the WSGI app."""
    operation = schema["/api/v1/cases"]["GET"]
    response = operation.Case(query={"page": 1}).call(headers=clerk_headers)
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"items", "count"}
    assert len(list(schema.get_all_operations())) >= 30


# --- hostile strings -------------------------------------------------------------------------------
# Every string of a generated POST body replaced by one hostile text: NUL (PostgreSQL refuses it in
# text), 10,001 characters (over every column), emoji and Mongolian script. The answer must be a
# documented 4xx in the error shape (``invalid_characters``, ``too_long``, ``invalid``…) or a success,
# never a 5xx, on SQLite and on PostgreSQL.
HOSTILE_TEXTS = ["a\x00b", "巴" * 10_001, "😀" * 300, "ᠮᠣᠩᠭᠣᠯ ᠪᠢᠴᠢᠭ"]


def _inject(value: Any, text: str, target: int | None, counter: list[int]) -> Any:
    """``value`` with its ``target``-th string leaf (all of them when ``target`` is None) replaced."""
    if isinstance(value, str):
        counter[0] += 1
        return text if target is None or counter[0] - 1 == target else value
    if isinstance(value, dict):
        return {k: _inject(v, text, target, counter) for k, v in value.items()}
    if isinstance(value, list):
        return [_inject(v, text, target, counter) for v in value]
    return value


def flatmap_body(ctx: Any, body: Any) -> Any:
    from hypothesis import strategies as st

    if not isinstance(body, dict | list):
        return st.just(body)
    # one string at a time (the others stay schema-valid, so the hostile text reaches the service),
    # or all of them at once
    targets = st.one_of(st.none(), st.integers(min_value=0, max_value=8))
    return st.tuples(st.sampled_from(HOSTILE_TEXTS), targets).map(
        lambda pair: _inject(body, pair[0], pair[1], [0])
    )


hostile = checked.include(method="POST")


@hostile.hooks.apply(flatmap_body)
@hostile.parametrize()
@settings(
    max_examples=max(4, MAX_EXAMPLES // 3),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.generate],
)
@pytest.mark.django_db
def test_api_post_with_hostile_strings(case: schemathesis.Case, clerk_headers: dict[str, str]) -> None:
    case.call_and_validate(
        headers=clerk_headers,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
