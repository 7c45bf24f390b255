"""Extension point ``handout_exclusions``: results that have already left the output window.

- **Publisher**: ``cases`` — the unified output window's list (``cases.selectors.case_output_list``,
  待出件/待取件) passes its queryset through :func:`without_handed_out`.
- **Answerer**: ``proxy`` (``proxy/panels.py``): a result the village agent has collected for the
  resident (代为取件) is no longer at the window, although the case is delivered only when the resident
  signs for it (``ready`` until then).
- **Contract**: ``func(qs) -> qs``: returns the cases queryset without the cases whose result is no
  longer at the window. It only filters (no other change to the queryset, no writes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Exclusion = Callable[[Any], Any]

_exclusions: dict[str, Exclusion] = {}


def register_handout_exclusion(name: str, func: Exclusion) -> None:
    """Register (or replace) the filter named ``name``."""
    _exclusions[name] = func


def without_handed_out(qs: Any) -> Any:
    """``qs`` without the cases some app says have left the output window."""
    for func in _exclusions.values():
        qs = func(qs)
    return qs
