"""Extension point ``case_panels``: what outer rooms show on the staff case page (``cases:detail``).

- **Publisher**: ``cases`` — the detail view (``cases.views.detail``) asks :func:`case_panels` and
  includes each panel's template with its context as ``panel``
  (``{% include p.template with panel=p.context %}``) below the case's notice, in ``order``.
- **Answerers** (registered in their ``AppConfig.ready()``):
  ``portal`` (``portal/panels.py``: the files the resident uploaded online, order 10) and
  ``proxy`` (``proxy/panels.py``: the proxy request the case came from, order 20).
- **Contract**: a panel is a function ``(request, case) -> dict | None``. It returns the context of
  its template (available as ``panel.<key>``), or ``None`` when it has nothing to show for this
  user and case (nothing is rendered). It only reads; the page is already scoped to the user's
  jurisdiction (the case is one the user may open) and ``request.actor`` is set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PanelFunc = Callable[..., dict[str, Any] | None]


@dataclass(frozen=True)
class CasePanel:
    """A registered panel: its name, template, place on the page and the function giving its context."""

    name: str
    template: str
    func: PanelFunc
    order: int = 100


@dataclass(frozen=True)
class RenderedPanel:
    """One panel to show on one page: the template to include and its context."""

    name: str
    template: str
    context: dict[str, Any]


@dataclass
class PanelSet:
    """The panels outer rooms register for one page (by name: registering again replaces)."""

    panels: dict[str, CasePanel] = field(default_factory=dict)

    def register(self, name: str, *, template: str, func: PanelFunc, order: int = 100) -> None:
        self.panels[name] = CasePanel(name=name, template=template, func=func, order=order)

    def render(self, *args: Any) -> list[RenderedPanel]:
        """The panels that have something to show (``func(*args)`` is not ``None``), in order."""
        shown: list[RenderedPanel] = []
        for panel in sorted(self.panels.values(), key=lambda p: (p.order, p.name)):
            context = panel.func(*args)
            if context is not None:
                shown.append(RenderedPanel(name=panel.name, template=panel.template, context=context))
        return shown


_CASE_PAGE = PanelSet()


def register_case_panel(name: str, *, template: str, func: PanelFunc, order: int = 100) -> None:
    """Register (or replace, by ``name``) a panel of the staff case page."""
    _CASE_PAGE.register(name, template=template, func=func, order=order)


def case_panels(request: Any, case: Any) -> list[RenderedPanel]:
    """The panels that have something to show for ``case`` to this request's user, in order."""
    return _CASE_PAGE.render(request, case)
