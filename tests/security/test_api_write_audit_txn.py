"""Issue #18 "authentication once": the ``api.write`` audit entry of a token write goes into the same
transaction as the write (core.audit.defer + core.locking.run_with_retry); a write that does not happen is
still audited, once, in a transaction of its own at the end of the request; a refused read-only token is
audited at once. Real commits (transactional_db) on both databases."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import Client

from onewindow.api.tokens import token_create
from onewindow.cases.models import Case
from onewindow.core import audit
from onewindow.core.locking import run_with_retry
from onewindow.security import audit as security_audit
from onewindow.security.models import AuditEntry
from tests.cases.conftest import intake_body

pytestmark = pytest.mark.django_db(transaction=True)

INTAKE = intake_body()


def _post(key: str, body: dict[str, Any]) -> Any:
    return Client().post(
        "/api/v1/cases", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )


def _writes() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="api.write").order_by("pk"))


def test_the_entry_is_written_inside_the_intake_transaction() -> None:
    from tests.factories import build_world

    build_world()
    _row, key = token_create(username="clerk")
    seen: list[tuple[bool, int]] = []
    real = security_audit.record

    def spy(action: str, **kwargs: Any) -> Any:
        if action == "api.write":  # the case is already there, uncommitted, in this same transaction
            seen.append((connection.in_atomic_block, Case.objects.count()))
        return real(action, **kwargs)

    with mock.patch.object(security_audit, "record", spy):
        r = _post(key, INTAKE)
    assert r.status_code == 201, r.content
    assert seen == [(True, 1)]
    [entry] = _writes()
    assert entry.result == "ok" and entry.obj == "POST /api/v1/cases"


def test_a_refused_write_is_audited_once_and_a_read_only_token_at_once() -> None:
    from tests.factories import build_world

    build_world()
    row, key = token_create(username="clerk")
    r = _post(key, {**INTAKE, "item": "NO-SUCH"})  # refused by the service: no case, still one entry
    assert r.status_code in (404, 422) and Case.objects.count() == 0
    r = _post(key, {"item": "MZ-001"})  # refused by the schema (fields missing) before any service
    assert r.status_code in (400, 422)
    assert [(e.result, e.details["token_id"]) for e in _writes()] == [("ok", row.pk), ("ok", row.pk)]
    ro, ro_key = token_create(username="clerk", read_only=True)
    r = _post(ro_key, INTAKE)
    assert r.status_code == 403 and r.json()["error"]["code"] == "token_read_only"
    assert [e.result for e in _writes()] == ["ok", "ok", "denied"] and _writes()[-1].details[
        "token_id"
    ] == ro.pk
    assert Case.objects.count() == 0


def test_a_retried_transaction_writes_the_deferred_entry_once() -> None:
    attempts: list[int] = []

    def write() -> str:
        attempts.append(1)
        AuditEntry.objects.count()
        if len(attempts) == 1:  # a lost race after the entry was written: all of it is rolled back
            raise OperationalError("database is locked")
        return "done"

    with audit.deferral_scope():
        audit.defer("test.deferred", obj="x")
        with mock.patch("onewindow.core.locking._sqlite_locked", return_value=True):
            assert run_with_retry(write) == "done"
        assert AuditEntry.objects.filter(action="test.deferred").count() == 1
    assert len(attempts) == 2
    assert AuditEntry.objects.filter(action="test.deferred").count() == 1  # the scope's end adds nothing


def test_outside_a_request_an_entry_is_recorded_at_once() -> None:
    audit.defer("test.at_once", obj="y")
    assert AuditEntry.objects.filter(action="test.at_once").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
def test_eight_token_intakes_at_once_each_audited_once_in_its_own_transaction() -> None:
    from tests.factories import build_world
    from tests.support import run_threads

    build_world()
    row, key = token_create(username="clerk")

    def work(i: int) -> list[int]:
        return [_post(key, INTAKE).status_code]  # one resident, eight applications at once

    codes = run_threads(8, work)
    assert codes == [201] * 8
    entries = _writes()
    assert len(entries) == 8 and {e.details["token_id"] for e in entries} == {row.pk}
    assert Case.objects.count() == 8
