"""Demo data of the ledger: the rollups recomputed from whatever the other demo seeds recorded
(cases, tickets, ratings, complaints, proxy requests). Idempotent: a rebuild gives the same rows."""

from __future__ import annotations

from onewindow.ledger import rollup


def seed_demo() -> None:
    rollup.rebuild()
