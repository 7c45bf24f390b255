"""proxy's panel on the staff case page (extension point ``core.panels.case_panels``): the proxy
request (帮办代办) the case came from, when the user may open it."""

from __future__ import annotations

from typing import Any

from onewindow.core.panels import register_case_panel
from onewindow.org import access
from onewindow.org.actors import request_actor
from onewindow.proxy.services import request_scope


def origin_panel(request: Any, case: Any) -> dict[str, Any] | None:
    actor = request_actor(request)
    if case.channel != "proxy" or not access.has_perm(actor, access.Perm.PROXY_VIEW):
        return None
    req = request_scope(actor).filter(case=case).order_by("-pk").first()
    return {"request": req} if req is not None else None


register_case_panel("proxy.origin", template="proxy/_case_origin_panel.html", func=origin_panel, order=20)
