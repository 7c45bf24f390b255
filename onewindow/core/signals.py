"""Domain signals: the one place where apps listen to each other's events.

They are sent synchronously, inside the transaction that records the event, so a receiver that writes
rows (ledger rollups, the outbox) commits or rolls back together with the event itself.

- ``case_event_recorded(sender=Case, case=Case, event=CaseEvent)``: after every timeline entry.
- ``ticket_event(sender=Ticket, ticket=Ticket, action=str)``: issued / called / recall / skip /
  requeue / transfer / serve / finish.
- ``proxy_event(sender=ProxyRequest, request=..., action=str)``: sent by the proxy app.
- ``rating_changed(sender=Rating, rating=..., action=str)``: created / defaulted / voided / rectified.
- ``complaint_event(sender=Complaint, complaint=..., action=str)``.
- ``calendar_loaded(sender=CalendarYear, years=list[int], actor=Actor|None)``: an official year was
  loaded into the working-day calendar (deadlines counted provisionally must be recomputed).
"""

from __future__ import annotations

from django.dispatch import Signal

case_event_recorded = Signal()
ticket_event = Signal()
proxy_event = Signal()
rating_changed = Signal()
complaint_event = Signal()
calendar_loaded = Signal()
