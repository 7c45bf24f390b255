"""The case counts of the staff home page ("what is waiting for me", ``core.desk``).

Each count is the number of rows of the list it links to, for the same actor: the same selector with
the same filters, so a click shows exactly what was counted.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from onewindow.cases import selectors
from onewindow.cases.models import Channel, State
from onewindow.cases.views.common import OUTPUT_ROLES, WINDOW_ROLES
from onewindow.core.actor import Actor
from onewindow.core.desk import DeskCount, register_desk_count
from onewindow.org.models import Role

# who opens the case list with the warning filter (the system administrator sees no cases: 三员分立)
WARNING_ROLES = {Role.CLERK, Role.CENTRE_HEAD, Role.REVIEWER, Role.SUPERVISOR}


def _list_url(**params: str) -> str:
    return f"{reverse('cases:list')}?{urlencode(params)}"


def online_to_check(actor: Actor) -> DeskCount | None:
    if not actor.has_any_role(WINDOW_ROLES):
        return None
    n = selectors.case_list(actor=actor, state=State.SUBMITTED, channel=Channel.ONLINE).count()
    return DeskCount(
        key="online",
        label="网上申请待审核",
        count=n,
        url=_list_url(state=State.SUBMITTED, channel=Channel.ONLINE),
        hint="群众在网上提交、待窗口核验材料并受理",
    )


def supplements_received(actor: Actor) -> DeskCount | None:
    if not actor.has_any_role(WINDOW_ROLES):
        return None
    n = selectors.case_list(actor=actor, supplemented=True).count()
    return DeskCount(
        key="supplements",
        label="补正材料已提交",
        count=n,
        url=_list_url(state=State.CORRECTION_NEEDED, supplemented="1"),
        hint="群众已在网上提交补正材料，请核验后受理",
        alert=True,
    )


def results_to_hand_out(actor: Actor) -> DeskCount | None:
    if not actor.has_any_role(OUTPUT_ROLES):
        return None
    return DeskCount(
        key="output",
        label="待出件/待取件",
        count=selectors.case_output_list(actor=actor).count(),
        url=reverse("cases:output"),
        hint="已办结待统一出件，或结果待送达签收",
    )


def warnings(actor: Actor) -> DeskCount | None:
    if not actor.has_any_role(WARNING_ROLES):
        return None
    n = selectors.case_list(actor=actor, warning=selectors.WARNING_ANY).count()
    return DeskCount(
        key="warnings",
        label="预警提醒",
        count=n,
        url=_list_url(warning=selectors.WARNING_ANY),
        hint="临近办结期限（黄牌）或已超期（红牌）的办件",
        alert=True,
    )


def register() -> None:
    register_desk_count("cases.online", online_to_check, order=10)
    register_desk_count("cases.supplements", supplements_received, order=20)
    register_desk_count("cases.output", results_to_hand_out, order=40)
    register_desk_count("cases.warnings", warnings, order=50)
