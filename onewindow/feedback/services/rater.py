"""The rater of a 差评 during its rectification: her contact for the mandatory call back (回访), and
what she is told about the rectification and its outcome (``core.notices.applicant_notice``, the
feedback app's registered texts ``rating_rectifying`` / ``rating_rectified``).

A rating of a case (一事一评, 回访, SMS) is made by the case's applicant (proved by the progress check
code): her contact is the phone given for that case. A window rating (一次一评) names no one: there
is no contact and nobody to tell.
"""

from __future__ import annotations

from dataclasses import dataclass

from onewindow.core.actor import Actor
from onewindow.core.notices import ApplicantNotice, applicant_notice
from onewindow.feedback.models import Level, Rating, Rectification, RectOutcome, RectState
from onewindow.org import access
from onewindow.org.access import Perm
from onewindow.privacy.masking import mask_name
from onewindow.privacy.services import personal_data_access_log


@dataclass(frozen=True)
class RaterContact:
    name: str
    phone: str


def rater_contact(actor: Actor, rect: Rectification, *, ip: str | None = None) -> RaterContact | None:
    """The rater's name (masked) and phone, for those who handle the rectification while the call
    back and the rectification are open; each view is written to the personal-data access log.
    ``None`` when the rating names no case, has no phone, or the viewer may not handle it."""
    rating = rect.rating
    case = rating.case
    if case is None or not case.applicant_phone:
        return None
    if rect.state not in (RectState.CALLBACK, RectState.RECTIFYING):
        return None
    if actor.user is None or not access.has_perm(actor, Perm.FEEDBACK_HANDLE):
        return None
    personal_data_access_log(
        actor=actor.user, obj=case, fields=["applicant_phone"], purpose=f"差评回访 整改#{rect.pk}", ip=ip
    )
    return RaterContact(name=mask_name(case.applicant_name), phone=str(case.applicant_phone))


def _context(rating: Rating, rect: Rectification) -> dict[str, str]:
    case = rating.case
    return {
        "number": case.number if case is not None else "",
        "centre": rect.centre.name,
        "level": str(Level(rating.level).label),
        "deadline": f"{rect.deadline:%Y-%m-%d}",
        "outcome": str(RectOutcome(rect.outcome).label) if rect.outcome else "",
        "note": rect.public_note,
    }


def tell_rater(rect: Rectification, template: str) -> None:
    """Tell the rater (SMS to the case's phone; with an online account also the inbox), inside the
    caller's transaction. Nothing for a window rating (no case)."""
    rating = rect.rating
    if rating.case is None:
        return
    notice = ApplicantNotice(template, _context(rating, rect), inbox=True)
    applicant_notice.send(sender=Rectification, case=rating.case, offline=notice, online=notice)
