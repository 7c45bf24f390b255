"""proxy's count on the staff home page (``core.desk``): pre-reviews (预审) waiting at the actor's
centre, exactly the 待预审 rows of the pre-review queue page (``proxy:queue``)."""

from __future__ import annotations

from django.urls import reverse

from onewindow.core.actor import Actor
from onewindow.core.desk import DeskCount, register_desk_count
from onewindow.org.models import Role
from onewindow.proxy import selectors

QUEUE_ROLES = {Role.CLERK, Role.CENTRE_HEAD}


def prereviews_pending(actor: Actor) -> DeskCount | None:
    if not actor.has_any_role(QUEUE_ROLES) or actor.staff is None or actor.staff.centre_id is None:
        return None
    return DeskCount(
        key="prereview",
        label="代办预审待处理",
        count=selectors.proxy_request_list(actor=actor, queue=True).count(),
        url=reverse("proxy:queue"),
        hint="嘎查村代办员报送、待本中心预审",
    )


def register() -> None:
    register_desk_count("proxy.prereview", prereviews_pending, order=30)
