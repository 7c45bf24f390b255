"""What the feedback services share: settings, the clock, text checks and scrubbing, the signal."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings

from onewindow.core import audit, signals
from onewindow.core.actor import Actor
from onewindow.core.clock import local_today
from onewindow.core.errors import Invalid
from onewindow.feedback.models import Rating
from onewindow.org import access
from onewindow.privacy.masking import mask_id_number, mask_phone

__all__ = ["local_today"]

PHONE_RE = re.compile(r"1\d{10}")
_ID_RE = re.compile(r"\d{17}[\dXx]|\d{15}")


def rectify_days() -> int:
    return int(settings.RATING_RECTIFY_DAYS)


def default_days() -> int:
    return int(settings.RATING_DEFAULT_DAYS)


def audit_record(action: str, *, actor: Actor, obj: str, details: dict[str, Any] | None = None) -> None:
    audit.record(action, user=actor.user, obj=obj, details=details)


def required(text: str, field: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise Invalid(message, code="invalid", details={field: [message]})
    return text


def scrub(text: str) -> str:
    """Mask ID numbers and mobile numbers left in a text meant for publication."""
    text = _ID_RE.sub(lambda m: mask_id_number(m.group(0)), text)
    return PHONE_RE.sub(lambda m: mask_phone(m.group(0)), text)


def send_rating(rating: Rating, action: str) -> None:
    signals.rating_changed.send(sender=Rating, rating=rating, action=action)


def staff_name(actor: Actor) -> str:
    staff = access.staff_of(actor)
    return staff.name if staff else actor.username
