"""Deliver the supervision reminders of cases (``cases.CaseReminder``) to the assignee or else the
centre's heads; registered with ``core.notices.register_reminders("cases", ...)`` by notify's
``ready()``. Each row is claimed with a conditional ``update()`` of ``sent_at`` inside the transaction
that records its notices, so two workers never send the same reminder twice."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from onewindow.cases.models import CaseReminder, State
from onewindow.notify.services import notify
from onewindow.org.models import Staff

REASONS = {"yellow": "临近办结期限", "red": "已超过办结期限", "step": "在当前环节停留超时"}


def _case_recipients(case: Any) -> list[Any]:
    if case.assignee_id:
        staff = Staff.objects.filter(user_id=case.assignee_id).select_related("user").first()
        if staff is not None and staff.user.is_active:
            return [staff]
    for role in ("centre_head", "clerk"):
        found = list(
            Staff.objects.filter(centre_id=case.centre_id, roles__role=role, user__is_active=True)
            .select_related("user")
            .distinct()
        )
        if found:
            return found
    return []


def case_reminders_send(limit: int = 200) -> int:
    sent = 0
    pending = CaseReminder.objects.filter(sent_at__isnull=True).select_related(
        "case__item_version", "case__centre"
    )[:limit]
    for r in pending:
        with transaction.atomic():
            if not CaseReminder.objects.filter(pk=r.pk, sent_at__isnull=True).update(sent_at=timezone.now()):
                continue  # another worker took it
            case = r.case
            context = {
                "number": case.number,
                "item": case.item_version.name,
                "reason": REASONS.get(r.kind, "需要督办"),
                "deadline": case.deadline.isoformat() if case.deadline else "—",
                "state": str(State(case.state).label) if case.state in State.values else case.state,
            }
            for staff in _case_recipients(case):
                notify(
                    "deadline_reminder",
                    channel="inbox",
                    user=staff.user,
                    context=context,
                    case_number=case.number,
                )
                if staff.mobile:
                    notify(
                        "deadline_reminder",
                        channel="sms",
                        to=staff.mobile,
                        user=staff.user,
                        context=context,
                        case_number=case.number,
                    )
            sent += 1
    return sent
