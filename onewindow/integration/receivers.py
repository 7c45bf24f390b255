"""Signal receivers that turn domain events into outbox events, in the same transaction.

Payloads carry identifiers and states only, never personal data (names, ID numbers, phones).
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from onewindow.core import signals
from onewindow.integration.services import event_record


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    return str(value.isoformat()) if hasattr(value, "isoformat") else str(value)


def _code(obj: Any) -> str | None:
    return getattr(obj, "code", None) if obj is not None else None


@receiver(signals.case_event_recorded, dispatch_uid="integration.case_event")
def on_case_event(sender: Any, case: Any, event: Any, **kwargs: Any) -> None:
    centre = case.centre
    event_record(
        f"case.{event.action}",
        jurisdiction=centre.jurisdiction,
        data={
            "number": case.number,
            "item": case.item.code,
            "channel": case.channel,
            "centre": centre.code,
            "action": event.action,
            "state_from": event.state_from or None,
            "state_to": event.state_to,
            "state_changed": bool(event.state_from) and event.state_from != event.state_to,
            "at": _iso(event.at),
            "seq": event.seq,
            "deadline": _iso(case.deadline),
        },
    )


@receiver(signals.ticket_event, dispatch_uid="integration.ticket_event")
def on_ticket_event(sender: Any, ticket: Any, action: str, **kwargs: Any) -> None:
    if action != "called":
        return
    centre = ticket.centre
    window = getattr(ticket, "window", None)
    event_record(
        "ticket.called",
        jurisdiction=centre.jurisdiction,
        data={
            "centre": centre.code,
            "number": ticket.number,
            "category": ticket.category,
            "priority": ticket.priority or None,
            "window": getattr(window, "pk", None),
            "window_name": getattr(window, "name", None),
            "called_at": _iso(getattr(ticket, "called_at", None)),
        },
    )


@receiver(signals.rating_changed, dispatch_uid="integration.rating_changed")
def on_rating_changed(sender: Any, rating: Any, action: str, **kwargs: Any) -> None:
    centre = getattr(rating, "centre", None)
    case = getattr(rating, "case", None)
    event_record(
        f"rating.{action}",
        jurisdiction=getattr(centre, "jurisdiction", None),
        data={
            "id": rating.pk,
            "case": getattr(case, "number", None),
            "centre": _code(centre),
            "level": getattr(rating, "level", None),
            "channel": getattr(rating, "channel", None),
            "is_default": getattr(rating, "is_default", None),
            "voided": getattr(rating, "voided", None),
            "created_at": _iso(getattr(rating, "created_at", None)),
        },
    )


@receiver(signals.proxy_event, dispatch_uid="integration.proxy_event")
def on_proxy_event(sender: Any, action: str, **kwargs: Any) -> None:
    """Proxy requests (``request=``) and handoff batches (``batch=``, when the proxy app sends them)."""
    request = kwargs.get("request")
    if request is not None:
        village = getattr(request, "village", None)
        case = getattr(request, "case", None)
        event_record(
            f"proxy.{action}",
            jurisdiction=village,
            data={
                "id": request.pk,
                "state": getattr(request, "state", None),
                "item": _code(getattr(request, "item", None)),
                "village": _code(village),
                "case": getattr(case, "number", None),
            },
        )
        return
    batch = kwargs.get("batch")
    if batch is not None:
        origin = getattr(batch, "from_jurisdiction", None) or getattr(batch, "origin", None)
        target = getattr(batch, "to_jurisdiction", None) or getattr(batch, "destination", None)
        event_record(
            f"proxy_batch.{action}",
            jurisdiction=origin if hasattr(origin, "path") else None,
            data={
                "id": batch.pk,
                "state": getattr(batch, "state", None),
                "from": _code(origin),
                "to": _code(target),
            },
        )


@receiver(signals.complaint_event, dispatch_uid="integration.complaint_event")
def on_complaint_event(sender: Any, complaint: Any, action: str, **kwargs: Any) -> None:
    centre = getattr(complaint, "centre", None)
    event_record(
        f"complaint.{action}",
        jurisdiction=getattr(complaint, "jurisdiction", None),
        data={
            "number": getattr(complaint, "number", None),
            "category": getattr(complaint, "category", None),
            "state": getattr(complaint, "state", None),
            "centre": _code(centre),
            "created_at": _iso(getattr(complaint, "created_at", None)),
            "closed_at": _iso(getattr(complaint, "closed_at", None)),
        },
    )
