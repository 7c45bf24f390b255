"""notify's answer to ``core.applicant_notice``: queue the notice the lower app asked for."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from onewindow.core.applicant_notice import applicant_notice
from onewindow.notify.services import notify


@receiver(applicant_notice, dispatch_uid="notify.applicant_notice")
def on_applicant_notice(
    sender: Any,
    *,
    template: str,
    channel: str,
    to: str,
    context: dict[str, Any],
    resident: Any = None,
    case_number: str = "",
    **kwargs: Any,
) -> None:
    notify(template, channel=channel, to=to, context=context, resident=resident, case_number=case_number)
