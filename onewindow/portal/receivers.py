"""Tell a resident with a portal account what happened to their case: portal inbox + SMS."""

from __future__ import annotations

from typing import Any

from onewindow.notify.services import notify

TEMPLATE_FOR_ACTION = {
    "submit": "portal_submitted",
    "request_correction": "portal_correction",
    "correction_override": "portal_correction",
    "accept": "portal_accepted",
    "supplement": "portal_accepted",
    "deemed_accept": "portal_accepted",
    "reject": "portal_not_accepted",
    "ready": "portal_ready",
}


def on_case_event(sender: Any, case: Any, event: Any, **kwargs: Any) -> None:
    template = TEMPLATE_FOR_ACTION.get(event.action)
    if template is None:
        return
    from onewindow.portal.models import ResidentAccount

    account = ResidentAccount.objects.select_related("user").filter(resident_id=case.applicant_id).first()
    if account is None:
        return
    missing = (event.data or {}).get("missing") or []
    context = {
        "number": case.number,
        "item": case.item_version.name,
        "centre": case.centre.name,
        "deadline": case.deadline.isoformat() if case.deadline else "见受理回执",
        "missing": "、".join(str(m.get("name", "")) for m in missing) or "见一次性告知书",
        "reason": event.note or "见不予受理通知书",
    }
    common = {
        "context": context,
        "resident": case.applicant,
        "user": account.user,
        "case_number": case.number,
    }
    notify(template, channel="inbox", **common)
    # SMS to the phone given for this case (its applicant snapshot); the account's own phone otherwise
    notify(template, channel="sms", to=case.applicant_phone or account.phone, **common)
