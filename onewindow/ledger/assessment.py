"""考核: a configurable score per jurisdiction (a 苏木镇 or 嘎查 and everything under it) or centre.

score = 100 × Σ wᵢ·vᵢ / Σ wᵢ over the components that have data, with
- ``on_time``: the on-time rate of the period's decisions;
- ``satisfaction``: the satisfaction rate (levels 4–5 / valid ratings);
- ``complaints``: complaints closed on time / complaints received (1 when none were received);
- ``proxy``: proxy volume (proxy-channel cases + proxy requests) relative to the largest of the
  peers being ranked (0 when no peer has any).
Weights: ``settings.ASSESSMENT_WEIGHTS`` (default below); a missing key keeps its default.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings

from onewindow.ledger import selectors
from onewindow.ledger.models import CoarseFact
from onewindow.org.models import Jurisdiction

DEFAULT_WEIGHTS = {"on_time": 0.4, "satisfaction": 0.3, "complaints": 0.2, "proxy": 0.1}
LABELS = {"on_time": "按时办结率", "satisfaction": "满意率", "complaints": "投诉按期办结", "proxy": "代办量"}


def weights() -> dict[str, float]:
    w = dict(DEFAULT_WEIGHTS)
    w.update(
        {k: float(v) for k, v in (getattr(settings, "ASSESSMENT_WEIGHTS", None) or {}).items() if k in w}
    )
    return w


def components(row: dict[str, Any], proxy_max: int) -> dict[str, float | None]:
    received = row["complaints_received"]
    handled = (row["complaints_closed"] - row["complaints_late"]) / received if received else 1.0
    volume = row["proxy_received"] + row["proxy_requests"]
    return {
        "on_time": row["on_time_rate"],
        "satisfaction": row["satisfaction_rate"],
        "complaints": max(0.0, min(1.0, handled)),
        "proxy": (volume / proxy_max) if proxy_max else 0.0,
    }


def score(parts: dict[str, float | None], w: dict[str, float] | None = None) -> float | None:
    w = w or weights()
    used = {k: v for k, v in parts.items() if v is not None and w.get(k, 0) > 0}
    total_w = sum(w[k] for k in used)
    if not total_w:
        return None
    return round(100 * sum(w[k] * v for k, v in used.items()) / total_w, 1)


def ranking(
    county: Jurisdiction, date_from: dt.date, date_to: dt.date, *, level: str
) -> list[dict[str, Any]]:
    """Every jurisdiction of ``level`` under ``county``, scored and ranked (best first)."""
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
    proxy_max = max((r["proxy_received"] + r["proxy_requests"] for r in rows), default=0)
    w = weights()
    for r in rows:
        r["parts"] = components(r, proxy_max)
        r["score"] = score(r["parts"], w)
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["j"].code))
    for i, r in enumerate(rows, 1):
        r["rank"] = i if r["score"] is not None else None
    return rows
