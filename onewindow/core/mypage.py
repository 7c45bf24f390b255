"""Extension point ``my_panels``: what outer rooms show a logged-in resident on her 我的办件 page.

- **Publisher**: ``portal`` — the 我的办件 page (``portal.resident_views.my_cases``) asks
  :func:`my_panels` and includes each panel's template with its context as ``panel``
  (``{% include p.template with panel=p.context %}``) below the list of cases, in ``order``.
- **Answerers** (registered in their ``AppConfig.ready()``): ``feedback``
  (``feedback/mypage.py``: the complaints and suggestions she submitted while logged in, order 10).
- **Contract**: a panel is a function ``(user) -> dict | None`` given the logged-in resident's user.
  It returns its template's context, or ``None`` when it has nothing to show (nothing is rendered).
  It only reads, and only that resident's own rows.
"""

from __future__ import annotations

from typing import Any

from onewindow.core.panels import PanelFunc, PanelSet, RenderedPanel

_MY_PAGE = PanelSet()


def register_my_panel(name: str, *, template: str, func: PanelFunc, order: int = 100) -> None:
    """Register (or replace, by ``name``) a panel of the resident's 我的办件 page."""
    _MY_PAGE.register(name, template=template, func=func, order=order)


def my_panels(user: Any) -> list[RenderedPanel]:
    """The panels with something to show to this resident, in order."""
    return _MY_PAGE.render(user)
