"""notify's answers to the extension points of ``core.notices``: it is their single subscriber.

- ``applicant_notice``: tell the applicant of a case. With an online account (``online_account``,
  answered by portal) the ``online`` notice — in the portal inbox too when it says so — else the
  ``offline`` one; the SMS goes to the phone given for THIS case (its applicant snapshot), an account
  holder's inbox notice falling back to the account's phone. The notices are rows written in the
  caller's transaction and delivered by the worker after commit, so a request is never slowed down or
  failed by them.
- ``notice`` (``notices.tell``): write the one notice an app below notify asked for.
- ``staff_notice``: tell the active staff holding some roles (inbox, and SMS to their mobile).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Unpack

from django.dispatch import receiver

from onewindow.core import notices
from onewindow.notify.models import Notification
from onewindow.notify.services import notify, render
from onewindow.org.models import Staff


@receiver(notices.applicant_notice, dispatch_uid="notify.applicant_notice")
def on_applicant_notice(
    sender: Any,
    case: Any,
    offline: notices.ApplicantNotice | None = None,
    online: notices.ApplicantNotice | None = None,
    **kwargs: Any,
) -> None:
    applicant = case.applicant
    account = notices.online_account(applicant)
    notice = notices.applicant_variant(case, online if account is not None else offline)
    if notice is None:
        return
    common: dict[str, Any] = {"context": notice.context, "resident": applicant, "case_number": case.number}
    # the phone given for THIS case (its applicant snapshot), never the shared resident record's
    phone = case.applicant_phone
    if account is not None and notice.inbox:
        common["user"] = account.user
        notify(notice.template, channel="inbox", **common)
        phone = phone or account.phone
    if phone:
        notify(notice.template, channel="sms", to=phone, **common)


@receiver(notices.notice, dispatch_uid="notify.notice")
def on_notice(sender: Any, signal: Any, template: str, **kwargs: Unpack[notices.Recipient]) -> None:
    notify(template, **kwargs)


@receiver(notices.staff_notice, dispatch_uid="notify.staff_notice")
def on_staff_notice(
    sender: Any,
    template: str,
    context: dict[str, Any],
    roles: Collection[str],
    once: bool = False,
    **kwargs: Any,
) -> int:
    """Returns the number of staff told."""
    subject, _body = render(template, context)
    staff = (
        Staff.objects.filter(roles__role__in=list(roles), user__is_active=True)
        .select_related("user")
        .distinct()
        .order_by("pk")
    )
    told = 0
    for s in staff:
        if (
            once
            and Notification.objects.filter(
                template=template, channel="inbox", user=s.user, subject=subject
            ).exists()
        ):
            continue
        notify(template, channel="inbox", user=s.user, context=context)
        if s.mobile:
            notify(template, channel="sms", to=s.mobile, user=s.user, context=context)
        told += 1
    return told
