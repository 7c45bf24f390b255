"""Signal receivers: keep the rollups current inside the event's own transaction."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from onewindow.core import signals
from onewindow.ledger import rollup


@receiver(signals.case_event_recorded, dispatch_uid="ledger_case_event")
def on_case_event(sender: Any, case: Any, event: Any, **kwargs: Any) -> None:
    rollup.apply_case_event(case, event)


@receiver(signals.ticket_event, dispatch_uid="ledger_ticket_event")
def on_ticket_event(sender: Any, ticket: Any, action: str = "", **kwargs: Any) -> None:
    rollup.apply_contribution("ticket", ticket)


@receiver(signals.rating_changed, dispatch_uid="ledger_rating_changed")
def on_rating_changed(sender: Any, rating: Any, action: str = "", **kwargs: Any) -> None:
    rollup.apply_contribution("rating", rating)


@receiver(signals.complaint_event, dispatch_uid="ledger_complaint_event")
def on_complaint_event(sender: Any, complaint: Any, action: str = "", **kwargs: Any) -> None:
    rollup.apply_contribution("complaint", complaint)


@receiver(signals.proxy_event, dispatch_uid="ledger_proxy_event")
def on_proxy_event(sender: Any, request: Any = None, action: str = "", **kwargs: Any) -> None:
    if request is None:  # a handoff batch event (``batch=``): no request counts change
        return
    rollup.apply_contribution("proxy", request)
