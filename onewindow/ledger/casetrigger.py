"""PostgreSQL: the trigger that logs the ledger's timeline entries (``kind`` ``"case"``) itself.

A timeline entry the ledger counts (the first of a case, or an action of ``rollup.COUNTED_ACTIONS``) is
appended to the event log (``log.LedgerEvent``) by a trigger on ``cases_caseevent``, in the INSERT that
writes the entry: no statement of its own on the request path (issue #18). Migration ledger 0003
installs it; a change here (or to ``COUNTED_ACTIONS``) needs a migration —
``tests/ledger/test_case_event_trigger.py`` compares the installed trigger with ``COUNTED_ACTIONS``.
SQLite: the receiver appends the row (``log.append``), as before. A bulk load (``bench/scale``) turns
the trigger off, as the case tally's.
"""

from __future__ import annotations

from django.db import connection

from onewindow.ledger.models import LedgerEvent
from onewindow.ledger.rollup import COUNTED_ACTIONS

TRIGGER = "ledger_case_event_logged"
_ACTIONS = ", ".join(f"'{a}'" for a in sorted(COUNTED_ACTIONS))
FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION onewindow_ledger_case_event() RETURNS trigger AS $$
BEGIN
  INSERT INTO {LedgerEvent._meta.db_table} (kind, object_id, created_at) VALUES ('case', NEW.id, now());
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {TRIGGER} AFTER INSERT ON cases_caseevent FOR EACH ROW
  WHEN (NEW.seq = 1 OR NEW.action IN ({_ACTIONS}))
  EXECUTE FUNCTION onewindow_ledger_case_event();
"""
DROP_SQL = f"""
DROP TRIGGER IF EXISTS {TRIGGER} ON cases_caseevent;
DROP FUNCTION IF EXISTS onewindow_ledger_case_event();
"""


def active() -> bool:
    """Timeline entries are logged by the database itself (PostgreSQL), not by ``log.append``."""
    return connection.vendor == "postgresql"
