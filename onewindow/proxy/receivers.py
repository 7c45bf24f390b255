"""Listeners of the proxy app: when a case taken in from a proxy request reaches the output window
(``ready``), the agent is told online (portal/staff inbox) that the result can be collected (代为取件)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from onewindow.core import signals
from onewindow.notify.services import notify
from onewindow.proxy.models import ProxyRequest, RequestState
from onewindow.proxy.services import item_name


@receiver(signals.case_event_recorded, dispatch_uid="proxy_result_ready")
def result_ready(sender: Any, case: Any, event: Any, **kwargs: Any) -> None:
    if event.state_to != "ready" or event.state_from == "ready":
        return
    for req in ProxyRequest.objects.filter(case=case, state=RequestState.PASSED).select_related(
        "agent", "item"
    ):
        notify(
            "proxy_result_ready",
            channel="inbox",
            user=req.agent,
            case_number=case.number,
            context={"number": req.number, "item": item_name(req.item), "centre": case.centre.name},
        )
