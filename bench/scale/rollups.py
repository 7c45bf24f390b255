"""The ledger rollups of the synthetic cases, as the fold would write them: every timeline entry's
measures (``ledger.rollup.case_event_measures``) on its dimensions (``Dims``: the case's centre, window,
item, domain and the clerk who recorded it), summed into fine day rows (``Fact``), fine month rows
(``MonthFact``) and coarse day and month rows (``CoarseFact``), then COPYed. The dashboards read only
these tables, so the benchmark's dashboard figures need them filled."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

from .db import copy_rows, reset_sequence


class Rollups:
    def __init__(self, league: dict[str, Any], path_by_j: dict[int, str]) -> None:
        from onewindow.ledger import rollup

        self.rollup = rollup
        self.cal = rollup._Calendar()  # the fold's own working-day count (workdays_sum)
        self.centre_j = {c.pk: c.jurisdiction_id for c in league["centre_by_j"].values()}
        self.path_by_j = path_by_j
        self.domain_of = {v.pk: v.domain_id for v in league["items"]}
        self.fine: dict[Any, dict[str, int]] = {}

    def add(self, row: dict[str, Any], events: list[dict[str, Any]]) -> None:
        """One case (its row and its timeline entries) into the fine day rows."""
        rollup = self.rollup
        case = SimpleNamespace(
            channel=row["channel"], deadline=row["deadline"], accept_date=row["accept_date"], paused_days=0
        )
        jid = self.centre_j[row["centre_id"]]
        base = dict(
            jurisdiction_id=jid,
            jpath=self.path_by_j[jid],
            centre_id=row["centre_id"],
            window_id=row["window_id"],
            clerk_id=events[0]["actor_id"],
            item_id=row["item_id"],
            domain_id=self.domain_of[row["item_version_id"]],
        )
        for ev in events:
            m = rollup.case_event_measures(case, SimpleNamespace(**ev), self.cal)
            if m:
                dims = rollup.Dims(day=rollup.local_day(ev["at"]), **base)
                acc = self.fine.setdefault(dims, defaultdict(int))
                for k, v in m.items():
                    acc[k] += v

    def write(self, cur: Any) -> dict[str, int]:
        """Replace the three rollup tables with the sums of every case added so far."""
        from onewindow.ledger.models import MEASURE_NAMES, CoarseFact, Fact, MonthFact

        def full(m: dict[str, int]) -> dict[str, int]:  # every row names every measure (COPY columns)
            return {k: m.get(k, 0) for k in MEASURE_NAMES}

        months: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        coarse: dict[str, tuple[Any, str, dict[str, int]]] = {}
        for d, m in self.fine.items():
            month = months[dataclasses.replace(d, day=d.day.replace(day=1))]
            for grain in ("day", "month"):
                entry = coarse.setdefault(d.coarse_key(grain), (d, grain, defaultdict(int)))
                for k, v in m.items():
                    entry[2][k] += v
            for k, v in m.items():
                month[k] += v
        counts = {}
        for model, rows in (
            (Fact, ({"key": d.key, **d.fields(), **full(m)} for d, m in self.fine.items())),
            (MonthFact, ({"key": d.key, **d.fields(), **full(m)} for d, m in months.items())),
            (CoarseFact, ({"key": ck, **d.coarse_fields(g), **full(m)} for ck, (d, g, m) in coarse.items())),
        ):
            cur.execute(f'TRUNCATE "{model._meta.db_table}"')
            counts[model.__name__] = copy_rows(
                cur, model, ({"id": i, **r} for i, r in enumerate(rows, start=1))
            )
            reset_sequence(cur, model)
        return counts


def month_start(today: dt.date, back: int) -> dt.date:
    """The first day of the month ``back`` months before today's."""
    y, m = divmod(today.year * 12 + today.month - 1 - back, 12)
    return dt.date(y, m + 1, 1)
