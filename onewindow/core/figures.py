"""Extension point ``figures``: the named figures (指标) of OneWindow, computed from additive counters.

- Publisher: this module (core, domain-free).
- Answerer: ``ledger`` — ``LedgerConfig.ready()`` installs ``ledger.metrics.REGISTRY`` (指标说明: every
  figure is defined once there, each entry with a ``func(counts)``).
- Callers: rooms beside the ledger that show a figure without importing it — ``feedback.selectors``
  (the public 好差评 rates of a centre or item).

``compute(key, counts)`` returns the figure ``key`` (``ratings``, ``good``, ``bad``,
``ratings_default``, ``ratings_voided``, ``satisfaction_rate`` …) for ``counts`` (a mapping of the
rollup measures, e.g. ``rating_1`` … ``rating_5``), or ``None`` when it cannot be computed (shown as
"—"). Without an installed registry it raises ``LookupError``: a figure is never silently made up.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from onewindow.core.slots import Slot

_registry: Slot[Mapping[str, Any]] = Slot("figures", "ledger")
# called once by the app that defines the figures (``ledger``): key → entry with ``func(counts)``
install = _registry.install


def compute(key: str, counts: Mapping[str, Any]) -> Any:
    """The figure ``key`` for ``counts`` (a number, or ``None`` when it cannot be computed)."""
    return _registry.get()[key].func(counts)
