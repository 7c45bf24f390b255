"""Extension point ``desk``: "what is waiting for me" (待办) on the staff home page.

- **Publisher**: ``portal`` — the staff home page (``portal.views.home``) asks :func:`desk_counts`
  for the acting staff member and shows each count as a link to the filtered list it counts.
- **Answerers** (registered in their ``AppConfig.ready()``): ``cases`` (``cases/desk.py``: online
  applications to check, supplements received, results to hand out, warnings) and ``proxy``
  (``proxy/desk.py``: pre-reviews waiting at the actor's centre).
- **Contract**: a counter is a function ``(actor) -> DeskCount | None``. It returns ``None`` when the
  actor's roles do not open the list it counts (nothing is shown), else the count of exactly the rows
  that list shows for the actor (scoped to the actor's jurisdiction by the app's own selector) and the
  URL of that list. It only reads. ``alert`` marks a count the actor should look at first (e.g. a
  resident handed in materials online): the page highlights it when the count is not zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DeskCount:
    """One count of the staff member's work, linking to the list of exactly those rows."""

    key: str
    label: str
    count: int
    url: str
    hint: str = ""
    alert: bool = False


Counter = Callable[[Any], DeskCount | None]

_COUNTERS: dict[str, tuple[int, Counter]] = {}


def register_desk_count(name: str, func: Counter, *, order: int = 100) -> None:
    """Register (or replace, by ``name``) one counter of the staff home page."""
    _COUNTERS[name] = (order, func)


def desk_counts(actor: Any) -> list[DeskCount]:
    """The counts the actor's roles may open, in order."""
    shown: list[DeskCount] = []
    for _name, (_order, func) in sorted(_COUNTERS.items(), key=lambda kv: (kv[1][0], kv[0])):
        count = func(actor)
        if count is not None:
            shown.append(count)
    return shown
