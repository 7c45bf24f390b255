"""No shared row on the write path (PostgreSQL): 8 threads record case events in the same centre at
once, each inside an open transaction — none waits on another, because the receivers only append to
the ledger's event log; after the fold the rollups equal a rebuild."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, connections, transaction

from onewindow.ledger import fold, rollup
from onewindow.ledger.models import Fact, LedgerEvent
from tests.cases.conftest import intake

N = 8


@pytest.mark.django_db(transaction=True)
def test_intakes_in_one_centre_do_not_wait_on_each_other(ledger_world: dict[str, Any]) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (run with DATABASE_URL=postgres://…)")
    intake()  # the first intake of the centre: the rollup rows of its day exist already
    fold.fold()
    recorded = threading.Barrier(N, timeout=20)  # every thread has recorded, none has committed
    errors: list[BaseException] = []
    waited: list[float] = []

    def worker() -> None:
        try:
            with transaction.atomic():
                t0 = time.monotonic()
                intake(
                    applicant={
                        "kind": "person",
                        "name": "乌云",
                        "id_number": "11010519491231002X",
                        "phone": "13912345678",
                    }
                )
                waited.append(time.monotonic() - t0)
                # all 8 transactions stay open here at once: a shared row would deadlock the barrier
                recorded.wait()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(waited) == N
    assert LedgerEvent.objects.count() >= N  # logged, not yet folded
    assert fold.fold() >= N
    incremental = rollup.snapshot()
    assert sum(f.received for f in Fact.objects.all()) == N + 1
    rollup.rebuild()
    assert rollup.snapshot() == incremental
