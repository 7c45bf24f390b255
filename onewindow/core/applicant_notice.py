"""Extension point ``applicant_notice``: the one path by which a lower app tells a case's applicant.

- **Publisher**: ``cases`` — e.g. ``cases.calendar_sync`` calls :func:`tell_applicant` with the
  template ``deadline_changed`` when an official calendar moves a case's deadline. (State changes
  are told from ``signals.case_event_recorded``; this path is for what is not a state change.)
- **Answerer**: ``notify`` (``notify/applicant.py``, connected in ``NotifyConfig.ready()``) queues the
  notice (respecting the resident's channel preferences); it is delivered by the worker after commit.
- **Contract**: the signal is sent synchronously, inside the caller's transaction, with the keyword
  arguments of :func:`tell_applicant`; receivers return nothing the caller uses. Without a receiver
  (notify not installed) nobody is told and nothing fails.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal

applicant_notice = Signal()
"""``applicant_notice(sender=None, template=str, channel=str, to=str, context=dict, resident=Resident|None,
case_number=str)``."""


def tell_applicant(
    *,
    template: str,
    to: str,
    context: dict[str, Any],
    channel: str = "sms",
    resident: Any = None,
    case_number: str = "",
) -> None:
    """Tell the applicant ``template`` (rendered with ``context``) on ``channel`` at address ``to``."""
    applicant_notice.send(
        sender=None,
        template=template,
        channel=channel,
        to=to,
        context=context,
        resident=resident,
        case_number=case_number,
    )
