"""Ledger contributions: the rows of outer rooms that the ledger's rollups count (an extension point).

The ledger (台账与统计) counts, besides the cases' timelines, rows that belong to its sibling rooms —
queue tickets, ratings, complaints, proxy requests. Siblings may not import each other, so the
owning apps *register* their sources here and the ledger reads this registry:

- **Published by** ``core`` for the ``ledger``, which reads it in ``ledger.rollup`` (the rebuild
  recomputes every registered source; a source whose table is not migrated yet is skipped) and in
  ``ledger.drill`` (the list of rows behind a figure of that kind).
- **Answered by**, each in its ``AppConfig.ready()`` through its ``<app>/ledger_contrib.py``:
  ``queueing`` → ``"ticket"`` (``Ticket``); ``feedback`` → ``"rating"`` (``Rating``) and
  ``"complaint"`` (``Complaint``); ``proxy`` → ``"proxy"`` (``ProxyRequest``).

A registration names the contribution *kind* (``ledger.Contribution.kind``) and the model whose rows
contribute. What a row adds (its measures, day and place — the attribution rules documented in
``ledger.rollup``) stays the ledger's own; between two rebuilds the ledger keeps its rollups current
from the domain signals of :mod:`onewindow.core.signals`. A kind nobody registered (its app not
installed) contributes nothing: :func:`model` returns ``None``.
"""

from __future__ import annotations

from typing import Any

_models: dict[str, Any] = {}


def register(kind: str, model: Any) -> None:
    """Called by the owning app's ``ready()``: rows of ``model`` contribute to the ledger as ``kind``."""
    _models[kind] = model


def model(kind: str) -> Any:
    """The model registered for ``kind`` (e.g. ``"rating"``), or ``None`` when no app registered it."""
    return _models.get(kind)


def kinds() -> list[str]:
    """The kinds registered so far (in registration order)."""
    return list(_models)
