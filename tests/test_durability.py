"""``core.durability``: commits that do not wait for the disk — only where they are the outermost
transaction on PostgreSQL, never a caller's transaction, and never the session's setting."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.utils import timezone

from onewindow.core import durability
from onewindow.org.models import WorkerHeartbeat


def _beat(name: str) -> None:
    WorkerHeartbeat.objects.create(name=name, at=timezone.now())


def _setting() -> str:
    with connection.cursor() as cur:
        cur.execute("SHOW synchronous_commit")
        return str(cur.fetchone()[0])


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_lazy_commit_relaxes_only_its_own_outermost_transaction() -> None:
    before = _setting()
    with durability.lazy_commit():
        assert _setting() == "off"
        _beat("lazy")
    assert _setting() == before and WorkerHeartbeat.objects.filter(name="lazy").exists()
    with transaction.atomic(), durability.lazy_commit():  # a caller's transaction: its own commit
        assert _setting() == before
    durability.ENABLED = False
    try:
        with durability.lazy_commit():
            assert _setting() == before
    finally:
        durability.ENABLED = True


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_lazy_update_is_one_statement_and_leaves_the_session_alone() -> None:
    before = _setting()
    _beat("a")
    _beat("b")
    statements: list[str] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        n = durability.lazy_update(WorkerHeartbeat.objects.filter(name="a"), name="a2")
    assert n == 1 and len(statements) == 1
    assert "set_config('synchronous_commit', 'off', true)" in statements[0]
    assert set(WorkerHeartbeat.objects.values_list("name", flat=True)) == {"a2", "b"}
    assert _setting() == before


@pytest.mark.django_db
def test_in_a_transaction_or_on_sqlite_it_is_the_plain_update() -> None:
    _beat("c")
    assert durability.lazy_update(WorkerHeartbeat.objects.filter(name="c"), name="c2") == 1
    assert WorkerHeartbeat.objects.filter(name="c2").exists()
    with durability.lazy_commit():
        _beat("d")
    assert WorkerHeartbeat.objects.filter(name="d").exists()
