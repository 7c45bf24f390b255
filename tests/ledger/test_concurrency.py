"""The fact upsert is race-safe: concurrent first writers of one key all count (PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection, connections, transaction

from onewindow.ledger import rollup
from onewindow.ledger.models import Fact


@pytest.mark.django_db(transaction=True)
def test_concurrent_bumps_of_a_new_key(settings: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (run with DATABASE_URL=postgres://…)")
    dims = rollup.Dims(day=dt.date(2026, 9, 1), jpath="152522000000/")
    n = 8
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            for _ in range(5):
                with transaction.atomic():
                    rollup.bump(dims, {"received": 1, "accepted": 1})
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    fact = Fact.objects.get(key=dims.key)
    assert fact.received == n * 5 and fact.accepted == n * 5
