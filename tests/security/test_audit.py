from __future__ import annotations

import datetime as dt
import io
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
    assert audit.chain() >= 2  # the worker's step links them (and the world's own entries)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.seq + 1 == second.seq
    assert second.prev_hash == first.hash
    assert first.ip == "10.1.2.3" and first.username == "clerk" and first.roles == "clerk"
    assert first.user_agent == "UA"
    assert audit.verify() == []


def test_entries_refuse_update_and_delete(db: Any) -> None:
    entry = audit.record("test.x")
    audit.chain()
    entry.refresh_from_db()
    entry.result = "changed"
    with pytest.raises(ImmutableAuditEntry):
        entry.save()
    with pytest.raises(ImmutableAuditEntry):
        entry.delete()
    with pytest.raises(ImmutableAuditEntry):
        AuditEntry.objects.filter(pk=entry.pk).update(result="x")
    with pytest.raises(ImmutableAuditEntry):
        AuditEntry.objects.all().delete()


def _tamper(entry: AuditEntry) -> None:
    table = AuditEntry._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE security_auditentry DISABLE TRIGGER auditentry_no_update_delete")
        cur.execute(f"UPDATE {table} SET result = 'denied' WHERE id = %s", [entry.pk])
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE security_auditentry ENABLE TRIGGER auditentry_no_update_delete")


@pytest.mark.parametrize("chained", [True, False], ids=["chained", "not-yet-chained"])
def test_tampering_is_detected(db: Any, chained: bool) -> None:
    audit.record("test.a")
    b = audit.record("test.b", details={"k": "v"})
    audit.record("test.c")
    if chained:
        audit.chain()
    _tamper(b)  # not yet chained: verify links it, and its content hash shows the change
    problems = audit.verify()
    assert any("内容被改动" in p for p in problems)
    with pytest.raises(CommandError):
        call_command("auditlog", "verify")


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgres_trigger_refuses_raw_update(db: Any) -> None:
    from django.db import DatabaseError, transaction

    e = audit.record("test.pg")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE security_auditentry SET result = 'x' WHERE id = %s", [e.pk])  # unchained
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:  # links + changes
        cur.execute("UPDATE security_auditentry SET seq = 1, result = 'x' WHERE id = %s", [e.pk])
    audit.chain()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:  # relinks
        cur.execute("UPDATE security_auditentry SET seq = 7, hash = '' WHERE id = %s", [e.pk])
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


def test_record_touches_no_shared_row_and_the_command_chains(db: Any) -> None:
    from django.test.utils import CaptureQueriesContext

    from onewindow.security.models import AuditHead

    audit.chain()
    with CaptureQueriesContext(connection) as ctx:
        e = audit.record("test.lean")
    assert not any("security_audithead" in q["sql"] for q in ctx.captured_queries)
    writes = [q["sql"].split()[0] for q in ctx.captured_queries if "security_auditentry" in q["sql"]]
    assert writes == ["INSERT"]
    assert e.seq is None and e.content_hash == e.compute_content_hash()
    out = io.StringIO()
    call_command("auditlog", "chain", stdout=out)
    assert "1 条" in out.getvalue()
    e.refresh_from_db()
    assert e.seq == AuditHead.objects.get(pk=1).seq and e.hash == e.compute_hash()


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_concurrent_records_in_open_transactions_do_not_wait_for_each_other() -> None:
    import threading

    from django.db import connections, transaction

    seen: list[Any] = []

    def other() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute("SET LOCAL lock_timeout = '200ms'")
                audit.record("test.other")
            seen.append("ok")
        except BaseException as exc:
            seen.append(exc)
        finally:
            connections.close_all()

    audit.record("test.before")
    audit.chain()  # the head row exists
    with transaction.atomic():
        audit.record("test.mine")  # this transaction stays open while the other one records
        t = threading.Thread(target=other)
        t.start()
        t.join(timeout=10)
    assert seen == ["ok"]
    assert audit.chain() == 2 and audit.verify() == []


def test_the_worker_chains_every_few_seconds(db: Any, settings: Any) -> None:
    from unittest import mock

    from onewindow.security import tasks

    settings.AUDIT_CHAIN_SECONDS = 5
    instance = tasks.audit_chain_every_few_seconds.task_class()
    assert instance.validate_datetime(dt.datetime(2026, 11, 26, 10, 7))  # noqa: DTZ001 - every minute
    with mock.patch.object(tasks.audit_chain, "schedule") as schedule:
        tasks.audit_chain_every_few_seconds.call_local()
    assert [c.kwargs["delay"] for c in schedule.call_args_list] == list(range(0, 60, 5))
    e = audit.record("test.worker")
    assert tasks.audit_chain.call_local() >= 1
    e.refresh_from_db()
    assert e.seq is not None and audit.verify() == []
