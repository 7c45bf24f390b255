"""proxy's answers to the case app's extension points (loaded in ``ProxyConfig.ready()``):

- ``core.panels.case_panels``: on the staff case page, the proxy request (帮办代办) the case came from,
  when the user may open it;
- ``core.agent_intake``: ``POST /api/v1/cases`` with ``agent_request`` takes the request in at the
  competent window (``services.proxy_request_window_intake``);
- ``core.handout``: a result the agent collected (代为取件) has left the window's output list.
"""

from __future__ import annotations

from typing import Any

from onewindow.core.actor import Actor
from onewindow.core.agent_intake import register_agent_request_intake
from onewindow.core.handout import register_handout_exclusion
from onewindow.core.panels import register_case_panel
from onewindow.org import access
from onewindow.org.actors import request_actor
from onewindow.proxy.models import RequestState
from onewindow.proxy.services import proxy_request_window_intake, request_scope


def origin_panel(request: Any, case: Any) -> dict[str, Any] | None:
    actor = request_actor(request)
    if case.channel != "proxy" or not access.has_perm(actor, access.Perm.PROXY_VIEW):
        return None
    req = request_scope(actor).filter(case=case).order_by("-pk").first()
    return {"request": req} if req is not None else None


register_case_panel("proxy.origin", template="proxy/_case_origin_panel.html", func=origin_panel, order=20)


def window_intake(*, actor: Actor, pk: int, item: str, centre: str) -> Any:
    """The answer to ``core.agent_intake`` (proxy's services take the acting user)."""
    return proxy_request_window_intake(actor=actor, pk=pk, item=item, centre=centre)


register_agent_request_intake(window_intake)


def collected_by_agent(qs: Any) -> Any:
    """The answer to ``core.handout``: without the cases whose result the agent has collected."""
    return qs.exclude(proxy_requests__state=RequestState.COLLECTED)


register_handout_exclusion("proxy.collected", collected_by_agent)
