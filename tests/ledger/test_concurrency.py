"""No shared row on the write path (PostgreSQL): 8 threads record case events in the same centre at
once, each inside an open transaction — none waits on another, because the ledger's receivers only
append to its event log; after the fold the rollups equal a rebuild."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections, transaction

from onewindow.ledger import fold, rollup
from onewindow.ledger.models import Fact, LedgerEvent
from tests.cases.conftest import act, intake
from tests.factories import build_world

N = 8


def id_number(seq: int) -> str:
    body = f"15252219800101{seq:03d}"
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * k for c, k in zip(body, w, strict=True)) % 11]


@pytest.mark.django_db(transaction=True)
def test_case_events_in_one_centre_do_not_wait_on_each_other() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (run with DATABASE_URL=postgres://…)")
    with transaction.atomic():
        build_world()
        cases = [
            intake(
                applicant={
                    "kind": "person",
                    "name": "乌云",
                    "id_number": id_number(i),
                    "phone": "13912345678",
                }
            )
            for i in range(N)
        ]
    fold.fold()  # the centre's rollup rows of the day exist already: an UPDATE would lock them
    # all N transactions must be open here at once: one waiting on a row another holds never arrives
    recorded = threading.Barrier(N, timeout=5)
    errors: list[BaseException] = []

    def worker(case: Any) -> None:
        try:
            with transaction.atomic():
                act("reviewer", case, "approve")
                recorded.wait()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(c,)) for c in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert LedgerEvent.objects.filter(kind="case").count() == N  # logged; the rollups not yet touched
    assert sum(f.approved for f in Fact.objects.all()) == 0
    assert fold.fold() == N
    incremental = rollup.snapshot()
    assert sum(f.approved for f in Fact.objects.all()) == N
    rollup.rebuild()
    assert rollup.snapshot() == incremental
