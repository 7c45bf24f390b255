from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from onewindow.security import audit
from onewindow.security.models import AuditEntry, ImmutableAuditEntry

pytestmark = pytest.mark.django_db


def test_record_chains_entries_with_ip_and_user(world: dict[str, Any]) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="UA")
    request.user = world["people"]["clerk"].user
    first = audit.record("test.one", request=request, obj="case:X", details={"n": 1})
    second = audit.record("test.two", result="denied")
    assert first.seq + 1 == second.seq
    assert second.prev_hash == first.hash
    assert first.ip == "10.1.2.3" and first.username == "clerk" and first.roles == "clerk"
    assert first.user_agent == "UA"
    assert audit.verify() == []


def test_entries_refuse_update_and_delete(db: Any) -> None:
    entry = audit.record("test.x")
    entry.result = "changed"
    with pytest.raises(ImmutableAuditEntry):
        entry.save()
    with pytest.raises(ImmutableAuditEntry):
        entry.delete()
    with pytest.raises(ImmutableAuditEntry):
        AuditEntry.objects.filter(pk=entry.pk).update(result="x")
    with pytest.raises(ImmutableAuditEntry):
        AuditEntry.objects.all().delete()


def test_tampering_is_detected(db: Any) -> None:
    audit.record("test.a")
    b = audit.record("test.b", details={"k": "v"})
    audit.record("test.c")
    table = AuditEntry._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE security_auditentry DISABLE TRIGGER auditentry_no_update_delete")
        cur.execute(f"UPDATE {table} SET result = 'denied' WHERE id = %s", [b.pk])
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE security_auditentry ENABLE TRIGGER auditentry_no_update_delete")
    problems = audit.verify()
    assert any("内容被改动" in p for p in problems)
    with pytest.raises(CommandError):
        call_command("auditlog", "verify")


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgres_trigger_refuses_raw_update(db: Any) -> None:
    from django.db import DatabaseError, transaction

    e = audit.record("test.pg")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE security_auditentry SET result = 'x' WHERE id = %s", [e.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM security_auditentry WHERE id = %s", [e.pk])


def test_purge_keeps_chain_verifiable_and_minimum_retention(db: Any, settings: Any) -> None:
    settings.AUDIT_RETENTION_DAYS = 30  # below the floor: six months still apply
    assert audit.retention_days() == audit.MIN_RETENTION_DAYS
    now = timezone.now()
    for i in range(3):
        audit.record(f"test.old{i}")
    audit.record("test.new")
    later = now + dt.timedelta(days=190)
    # Entries from "now" are older than 183 days at `later`; the newest one is always kept.
    deleted = audit.purge(now=later)
    assert deleted == 3
    remaining = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert remaining == ["test.new", "audit.purge"]
    assert audit.verify() == []
    audit.record("test.after")
    assert audit.verify() == []
    assert audit.purge(now=now) == 0
    call_command("auditlog", "verify")


def test_purge_anchor_tamper_detected(db: Any) -> None:
    from onewindow.security.models import AuditHead

    audit.record("a")
    audit.record("b")
    audit.purge(now=timezone.now() + dt.timedelta(days=500))
    AuditHead.objects.filter(pk=1).update(anchor_hash="0" * 64)
    assert audit.verify()
