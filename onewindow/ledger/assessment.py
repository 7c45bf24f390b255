"""考核: a configurable score per jurisdiction (a 苏木镇 or 嘎查 and everything under it).

The score and its components are defined once in :mod:`onewindow.ledger.metrics`
(:func:`~onewindow.ledger.metrics.assessment_score`): 100 × Σ wᵢ·vᵢ / Σ wᵢ over the components that
have data (按时办结率, 满意率 = 好评 ÷ 有效评价, 投诉按期办结率, proxy volume relative to the largest
of the peers ranked together). A unit that received fewer than ``ASSESSMENT_MIN_CASES`` cases in the
period gets no score and no rank ("—"); a component below its minimum volume
(``ASSESSMENT_MIN_DECIDED`` / ``_RATINGS`` / ``_COMPLAINTS``) is left out; a rate is never 0 or 100 on
no data. Weights: ``settings.ASSESSMENT_WEIGHTS``. The monthly PDF report of a centre shows the
ranking's score of the centre's jurisdiction for the same period (:func:`score_of`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from onewindow.ledger import fold, metrics, selectors
from onewindow.ledger.models import CoarseFact
from onewindow.org.models import Jurisdiction

weights = metrics.weights


def ranking(
    county: Jurisdiction, date_from: dt.date, date_to: dt.date, *, level: str
) -> list[dict[str, Any]]:
    """Every jurisdiction of ``level`` under ``county``, scored and ranked (best first); units without
    enough cases come last with ``score`` and ``rank`` None. Reads the rollups fresh (``fold.fresh``)."""
    fold.fresh()
    nodes = list(Jurisdiction.objects.filter(path__startswith=county.path, level=level).order_by("path"))
    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    qs = CoarseFact.objects.filter(
        selectors.period_q(date_from, date_to), jurisdiction_id__in=selectors.subtree_ids(county)
    )
    for r in qs.values("jpath").annotate(**selectors.SUMS):
        path = r.pop("jpath")
        for n in nodes:
            if path.startswith(n.path):
                for k, v in r.items():
                    sums[n.code][k] += int(v or 0)
    rows = [{"j": n, **selectors.with_rates(sums.get(n.code, {}))} for n in nodes]
    mins = metrics.minimums()
    eligible = [r for r in rows if r["received"] >= mins["cases"]]
    proxy_max = max((metrics.proxy_volume(r) for r in eligible), default=0)
    for r in rows:
        r["parts"] = metrics.score_parts(r, proxy_max)
        r["score"] = metrics.assessment_score(r, proxy_max)
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["j"].code))
    rank = 0
    for r in rows:
        if r["score"] is None:
            r["rank"] = None
        else:
            rank += 1
            r["rank"] = rank
    return rows


def score_of(jurisdiction: Jurisdiction, date_from: dt.date, date_to: dt.date) -> float | None:
    """The ranking's score of one jurisdiction (among its peers of the same level in its county)."""
    county = jurisdiction.county()
    for r in ranking(county, date_from, date_to, level=jurisdiction.level):
        if r["j"].pk == jurisdiction.pk:
            return r["score"]  # type: ignore[no-any-return]
    return None
