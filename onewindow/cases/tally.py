"""Exact case counts of a scope without a scan of its cases (``CaseTally``).

On PostgreSQL, triggers on ``cases_case`` (migration 0013) append a row ``(list columns, +1)`` for every
inserted case and ``(old columns, −1), (new columns, +1)`` for every update that changes one of the
list columns (``LIST_COLUMNS``: paths, state, warning, item, channel), ``−1`` for a deleted case — in
the writer's own transaction, so a count read in any snapshot sees exactly the cases it sees. Appends
only: two intakes never touch the same row. The worker folds the appended rows into one row per
combination every minute (:func:`compact`, one statement), so a count sums at most a few rows per
combination of places × states × items of the scope, however many cases there are.

SQLite has no triggers here: :func:`available` is false and the case list counts its index instead.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Q, Sum

from onewindow.cases.models import CaseTally
from onewindow.core.durability import lazy_commit

# FUNCTION_SQL, DROP_SQL and REBUILD_SQL are what migration 0013 runs: a change to them needs a migration.
COLUMNS = "centre_path, queue_path, state, warning, item_id, channel"
TABLE = CaseTally._meta.db_table
TRIGGERS = ("cases_case_tally_insert_delete", "cases_case_tally_update")

FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION onewindow_case_tally() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO {TABLE} ({COLUMNS}, n) VALUES
      (OLD.centre_path, OLD.queue_path, OLD.state, OLD.warning, OLD.item_id, OLD.channel, -1);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO {TABLE} ({COLUMNS}, n) VALUES
      (NEW.centre_path, NEW.queue_path, NEW.state, NEW.warning, NEW.item_id, NEW.channel, 1);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {TRIGGERS[0]} AFTER INSERT OR DELETE ON cases_case
  FOR EACH ROW EXECUTE FUNCTION onewindow_case_tally();
CREATE TRIGGER {TRIGGERS[1]} AFTER UPDATE ON cases_case FOR EACH ROW
  WHEN ((OLD.centre_path, OLD.queue_path, OLD.state, OLD.warning, OLD.item_id, OLD.channel)
        IS DISTINCT FROM (NEW.centre_path, NEW.queue_path, NEW.state, NEW.warning, NEW.item_id, NEW.channel))
  EXECUTE FUNCTION onewindow_case_tally();
"""
DROP_SQL = f"""
DROP TRIGGER IF EXISTS {TRIGGERS[0]} ON cases_case;
DROP TRIGGER IF EXISTS {TRIGGERS[1]} ON cases_case;
DROP FUNCTION IF EXISTS onewindow_case_tally();
"""
# Everything appended so far, one row per combination (rows appended meanwhile stay for the next run;
# a count sees the old rows or the new ones, never both: one statement). Only the combinations with
# more than one row are rewritten: with nothing appended since the last run it reads the (small)
# table and writes nothing — no rows, no WAL (it runs every minute, busy or not).
_PAIRS = " AND ".join(f"t.{c} = d.{c}" for c in COLUMNS.split(", "))
COMPACT_SQL = f"""
WITH dup AS (SELECT {COLUMNS} FROM {TABLE} GROUP BY {COLUMNS} HAVING COUNT(*) > 1),
gone AS (
  DELETE FROM {TABLE} t USING dup d WHERE {_PAIRS}
  RETURNING {", ".join(f"t.{c}" for c in COLUMNS.split(", "))}, t.n
)
INSERT INTO {TABLE} ({COLUMNS}, n)
SELECT {COLUMNS}, SUM(n) FROM gone GROUP BY {COLUMNS} HAVING SUM(n) <> 0
"""
# From the cases themselves (after a bulk load with the triggers off; ``onewindow`` never needs it).
REBUILD_SQL = f"""
DELETE FROM {TABLE};
INSERT INTO {TABLE} ({COLUMNS}, n) SELECT {COLUMNS}, COUNT(*) FROM cases_case GROUP BY {COLUMNS};
"""


def available() -> bool:
    return connection.vendor == "postgresql"


def compact() -> int:
    """Fold the appended rows (the worker, every minute); returns the rows left."""
    if not available():
        return 0
    with lazy_commit(), connection.cursor() as cur:  # lost in a crash: the rows are folded again
        cur.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", [TABLE])
        if cur.fetchone()[0]:  # else another compaction is running: it does the same
            cur.execute(COMPACT_SQL)
    return CaseTally.objects.count()


def count(at_centre: Q, queued: Q, filters: dict[str, Any]) -> int:
    """The number of cases matching ``at_centre | queued`` (path prefixes, as ``case_scope``) and the
    list filters ``filters`` (field of ``LIST_COLUMNS`` → value, or ``field__in`` → values)."""
    # the tally has the case's own column names: the case list's Q objects apply as they are
    rows = CaseTally.objects.filter(at_centre | queued, **filters)
    return int(rows.aggregate(n=Sum("n"))["n"] or 0)
