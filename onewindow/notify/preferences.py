"""A resident's notification channels (on/off), set by staff for the resident or by the resident."""

from __future__ import annotations

from onewindow.core.actor import Actor
from onewindow.notify.models import NotifyPreference
from onewindow.org import access
from onewindow.org.access import Perm
from onewindow.org.models import Resident

CHANNELS = ("sms", "email", "inbox")


def resident_for_staff(*, actor: Actor, pk: int) -> Resident:
    """A resident whose channels the acting staff member may set (outside the jurisdiction: 404)."""
    access.require_perm(actor, Perm.RESIDENT_VIEW)
    return access.get_in_scope_or_404(actor, Resident.objects.all(), pk=pk)


def preference_get(resident: Resident) -> dict[str, bool]:
    pref = NotifyPreference.objects.filter(resident=resident).first()
    return {c: (pref.allows(c) if pref else True) for c in CHANNELS}


def preference_set(*, resident: Resident, **channels: bool) -> dict[str, bool]:
    values = {c: bool(channels[c]) for c in CHANNELS if c in channels and channels[c] is not None}
    NotifyPreference.objects.update_or_create(resident=resident, defaults=values)
    return preference_get(resident)
