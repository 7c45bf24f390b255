"""Tell the applicant when their case changes state: accepted, correction needed, ready for pickup,
and after delivery an invitation to rate the service.

Residents with a portal account already get the first three from the portal (inbox + SMS, see
``onewindow.portal.receivers``), so here they only get the rating invitation; everybody else gets an
SMS to the phone given for this case at intake (the case's applicant snapshot). The notices are rows
written in the case's transaction and delivered by the worker after commit, so a request is never
slowed down or failed by them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.dispatch import receiver
from django.urls import NoReverseMatch, reverse

from onewindow.core import signals
from onewindow.notify.services import notify

TEMPLATE_FOR_STATE = {
    "accepted": "accepted",
    "correction_needed": "correction_needed",
    "ready": "ready",
    "delivered": "rating_invitation",
}
PORTAL_COVERS = {"accepted", "correction_needed", "ready"}
NO_NOTICE_ACTIONS = {"escalate"}  # moving a case upwards is not news for the applicant


def _portal_account(resident: Any) -> Any:
    try:
        return resident.portal_account
    except (ObjectDoesNotExist, AttributeError):
        return None


def rating_url(number: str) -> str:
    """The feedback app's rating page (一事一评) for this case, marked as the SMS channel (短信评价).

    Absolute with ``NOTIFY_SITE_URL``; the page asks for the progress check (last 4 characters of the
    ID number), so the link carries no personal data. Without a site URL: plain words instead.
    """
    site = str(settings.NOTIFY_SITE_URL or "").rstrip("/")
    if not site:
        return "请到一窗通办网站“评价”页面，输入办件编号评价"
    try:
        path = reverse("feedback:rate")
        query = urlencode({"number": number, "channel": "sms"})
    except NoReverseMatch:  # without the feedback app: the progress page
        path = reverse("cases:progress")
        query = urlencode({"number": number})
    return f"{site}{path}?{query}"


@receiver(signals.case_event_recorded, dispatch_uid="notify.case_event")
def on_case_event(sender: Any, case: Any, event: Any, **kwargs: Any) -> None:
    if not event.state_to or event.state_from == event.state_to or event.action in NO_NOTICE_ACTIONS:
        return
    template = TEMPLATE_FOR_STATE.get(event.state_to)
    if template is None:
        return
    applicant = case.applicant
    account = _portal_account(applicant)
    if account is not None and template in PORTAL_COVERS:
        return
    missing = (event.data or {}).get("missing") or (case.notice or {}).get("missing") or []
    context = {
        "number": case.number,
        "item": case.item_version.name,
        "centre": case.centre.name,
        "deadline": case.deadline.isoformat() if case.deadline else "见受理回执",
        "missing": "、".join(str(m.get("name", "")) for m in missing if isinstance(m, dict))
        or "见一次性告知书",
        "url": rating_url(case.number),
    }
    common: dict[str, Any] = {"context": context, "resident": applicant, "case_number": case.number}
    if account is not None:
        notify(template, channel="inbox", user=account.user, **common)
    # the phone given for THIS case (its applicant snapshot), never the shared resident record's
    phone = case.applicant_phone or (account.phone if account is not None else "")
    if phone:
        notify(template, channel="sms", to=phone, **common)
