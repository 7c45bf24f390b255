"""N cases with realistic timelines, COPYed in batches with the indexes and constraints off."""

from __future__ import annotations

from typing import Any

from .common import log
from .db import bulk_load, copy_rows, reset_sequence
from .rollups import Rollups
from .timeline import CaseFactory

BATCH = 20000


def case_factory(
    league: dict[str, Any], residents: dict[str, list[tuple[int, str]]], days: int = 365
) -> CaseFactory:
    """The generator of every case of the run (a database grown in steps continues its numbering)."""
    # Every ORM read happens before the bulk load: dropping foreign keys locks the referenced tables.
    from onewindow.org.models import Jurisdiction, Staff

    staff_by_user = {s.user_id: s for s in Staff.objects.all()}
    path_by_j = dict(Jurisdiction.objects.values_list("pk", "path"))  # Case.centre_path / queue_path
    for u in league["users"].values():
        u.staff = staff_by_user[u.pk]
    for v in league["items"]:
        v.department  # noqa: B018 - load it now
    return CaseFactory(league, residents, path_by_j, days)


def load_cases(cur: Any, factory: CaseFactory, rollups: Rollups, first: int, last: int) -> dict[str, Any]:
    """Cases ``first``..``last`` (ids) and their events; the ledger rollups of every case so far."""
    from onewindow.cases.models import Case, CaseEvent

    case_rows: list[dict[str, Any]] = []
    event_rows: list[dict[str, Any]] = []

    def flush() -> None:
        copy_rows(cur, Case, iter(case_rows))
        copy_rows(cur, CaseEvent, iter(event_rows))
        case_rows.clear()
        event_rows.clear()

    from onewindow.cases import tally
    from onewindow.ledger import casetrigger

    # the case tally's triggers would append a row per case: off for the load, rebuilt after it; the
    # ledger's would log every counted entry: off too (the rollups are written from the load itself)
    for trigger in tally.TRIGGERS:
        cur.execute(f"ALTER TABLE cases_case DISABLE TRIGGER {trigger}")
    cur.execute(f"ALTER TABLE cases_caseevent DISABLE TRIGGER {casetrigger.TRIGGER}")
    with bulk_load(cur, Case._meta.db_table), bulk_load(cur, CaseEvent._meta.db_table):
        for case_id in range(first, last + 1):
            row, events = factory.case(case_id)
            rollups.add(row, events)
            case_rows.append(row)
            event_rows.extend(events)
            if len(case_rows) >= BATCH:
                flush()
        flush()
        log(f"  cases {first}..{last}: {factory.events_total} events in all; rebuilding indexes")
    for trigger in tally.TRIGGERS:
        cur.execute(f"ALTER TABLE cases_case ENABLE TRIGGER {trigger}")
    cur.execute(f"ALTER TABLE cases_caseevent ENABLE TRIGGER {casetrigger.TRIGGER}")
    cur.execute(tally.REBUILD_SQL)
    reset_sequence(cur, Case)
    reset_sequence(cur, CaseEvent)
    facts = rollups.write(cur)
    log("  ledger rollups: " + ", ".join(f"{n} {name}" for name, n in facts.items()))
    return {"events": factory.events_total, "samples": factory.samples, "counters": factory.counters}
