"""The locked rating pad of one window (一次一评): a public page on the device facing the resident.

The pad is opened by a link that names its window (:func:`pad_token`, signed): it needs no log-in,
carries no staff session and shows nothing but the rating of the visit just finished at THAT window.
A pad rates only its own window's visits of today (another window's ticket is a 404). The link carries
the window's link generation (:class:`PadKey`): :func:`pad_link_renew` makes every earlier link a 404
(a lost or stolen tablet, a link copied elsewhere); a link from before generations counts as 0."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import signing
from django.db import transaction
from django.utils import timezone

from onewindow.core import visits
from onewindow.core.actor import Actor
from onewindow.core.errors import NotFound
from onewindow.core.locking import retry_atomic
from onewindow.feedback.models import PadKey, Rating, RatingChannel
from onewindow.feedback.services.common import audit_record
from onewindow.feedback.services.ratings import rate_visit, validate_indicators, validate_level
from onewindow.org.models import Window

PAD_SALT = "onewindow.feedback.pad"


def _generation(window_id: int) -> int:
    return PadKey.objects.filter(window=window_id).values_list("generation", flat=True).first() or 0


def pad_token(window: Window) -> str:
    """The signed name of ``window``'s pad (in its URL), of the window's current link generation."""
    return signing.dumps({"w": window.pk, "c": window.centre_id, "g": _generation(window.pk)}, salt=PAD_SALT)


def pad_window(token: str) -> Window:
    """The active window a pad token names; anything else (forged, window closed, link renewed since)
    is a 404."""
    try:
        data = signing.loads(token, salt=PAD_SALT)
    except signing.BadSignature:
        raise NotFound("评价器不存在", code="not_found") from None
    window = (
        Window.objects.select_related("centre")
        .filter(pk=data.get("w"), centre=data.get("c"), is_active=True)
        .first()
    )
    if window is None:
        raise NotFound("评价器不存在", code="not_found")
    if data.get("g", 0) != _generation(window.pk):
        raise NotFound("该评价器链接已更换，请在评价器设备上重新设置", code="not_found")
    return window


@transaction.atomic
def pad_link_renew(*, actor: Actor, window: int) -> Window:
    """Renew ``window``'s pad link (staff of its centre): every earlier link stops at once."""
    staff = actor.staff
    w = Window.objects.select_related("centre").filter(pk=window, is_active=True).first()
    if w is None or staff is None or staff.centre_id != w.centre_id:
        raise NotFound("窗口不存在", code="not_found")
    key, _created = PadKey.objects.select_for_update().get_or_create(window=w)
    key.generation += 1
    key.renewed_at, key.renewed_by = timezone.now(), actor.recorded_user
    key.save()
    audit_record(
        "feedback.pad_link_renew", actor=actor, obj=f"window:{w.pk}", details={"generation": key.generation}
    )
    return w


def pad_visit(window: Window) -> Any:
    """The visit finished most recently today at ``window`` that nobody has rated yet, or ``None``."""
    rated = Rating.objects.filter(ticket__isnull=False).values("ticket_id")
    return visits.provider().last_served_at(window.pk, exclude=rated)


@retry_atomic
def rating_submit_pad(
    *,
    window: Window,
    ticket: Any,
    level: Any,
    indicators: dict[str, Any] | None = None,
    comment: str = "",
    now: dt.datetime | None = None,
) -> Rating:
    """一次一评 on ``window``'s pad: the resident rates the visit just finished there (once)."""
    level = validate_level(level)
    scores = validate_indicators(indicators, RatingChannel.WINDOW)
    if not isinstance(ticket, int):
        raise NotFound("排队号不存在", code="not_found")
    with transaction.atomic():
        t = visits.provider().lock_at_window(window.pk, ticket)
        return rate_visit(t, level=level, scores=scores, comment=comment, now=now or timezone.now())
