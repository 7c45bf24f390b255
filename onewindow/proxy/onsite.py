"""On-site service (上门服务) for special groups, and the public list of village agents.

Residents flagged elderly / disabled / sick (:class:`ResidentFlags`) can have a visit booked by their
agent or a clerk; a visit's outcome is a proxy request like any other (``onsite=True``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from onewindow.core.actor import Actor
from onewindow.core.errors import Conflict, Forbidden, Invalid
from onewindow.core.locking import retry_atomic
from onewindow.org import access
from onewindow.org.models import Jurisdiction, Level, Role, Staff
from onewindow.org.selectors import resident_get
from onewindow.proxy.models import ProxyRequest, ResidentFlags, Visit, VisitState
from onewindow.proxy.services.common import WINDOW_ROLES, one_in_scope, staff_required
from onewindow.proxy.services.entrustments import agent_and_village
from onewindow.proxy.services.requests import proxy_request_create


@transaction.atomic
def resident_flags_set(
    *, actor: Actor, resident: int, elderly: bool, disabled: bool, sick: bool, note: str = ""
) -> ResidentFlags:
    staff_required(actor)
    if not actor.has_any_role({Role.AGENT, *WINDOW_ROLES}):
        raise Forbidden("您的岗位不能标记上门服务对象", code="forbidden")
    res = resident_get(actor=actor, pk=resident)
    flags, _created = ResidentFlags.objects.update_or_create(
        resident=res,
        defaults={
            "elderly": elderly,
            "disabled": disabled,
            "sick": sick,
            "note": note.strip()[:200],
            "updated_by": actor.user,
        },
    )
    return flags


def visit_scope(actor: Actor) -> QuerySet[Visit]:
    access.require_perm(actor, access.Perm.PROXY_VIEW)
    return access.scope(
        actor, Visit.objects.select_related("resident", "village", "agent__staff", "request"), "village__path"
    )


def visit_get(*, actor: Actor, pk: int) -> Visit:
    return one_in_scope(visit_scope(actor), pk, "上门服务预约不存在")


@retry_atomic
def visit_book(
    *,
    actor: Actor,
    resident: int,
    start: dt.datetime,
    minutes: int = 60,
    purpose: str = "",
    agent: str | None = None,
) -> Visit:
    staff = staff_required(actor)
    agent_user, village = agent_and_village(actor, staff, agent)
    res = resident_get(actor=actor, pk=resident)
    flags = ResidentFlags.objects.filter(resident=res).first()
    if flags is None or not flags.eligible:
        raise Invalid(
            "上门服务面向高龄、残疾、重病群众，请先标记该群众",
            code="not_eligible",
            details={"resident": [str(resident)]},
        )
    if timezone.is_naive(start):
        start = timezone.make_aware(start)
    if start <= timezone.now():
        raise Invalid("上门时间应晚于现在", code="invalid", details={"start": ["应为将来的时间"]})
    if not 15 <= minutes <= 480:
        raise Invalid("时长应在15到480分钟之间", code="invalid", details={"minutes": ["15–480"]})
    end = start + dt.timedelta(minutes=minutes)
    clash = (
        Visit.objects.select_for_update(of=("self",))
        .filter(agent=agent_user, state=VisitState.BOOKED, start__lt=end, end__gt=start)
        .exists()
    )
    if clash:
        raise Conflict(
            "该代办员此时段已有上门预约", code="slot_taken", details={"start": [start.isoformat()]}
        )
    return Visit.objects.create(
        resident=res,
        village=village,
        agent=agent_user,
        booked_by=actor.user,
        start=start,
        end=end,
        purpose=purpose.strip()[:200],
    )


@retry_atomic
def visit_cancel(*, actor: Actor, pk: int, reason: str) -> Visit:
    staff_required(actor)
    v = Visit.objects.select_for_update(of=("self",)).get(pk=visit_get(actor=actor, pk=pk).pk)
    if v.state != VisitState.BOOKED:
        raise Conflict("该预约已完成或已取消", code="invalid_transition")
    if (
        v.agent_id != actor.user_id
        and v.booked_by_id != actor.user_id
        and not actor.has_any_role(WINDOW_ROLES)
    ):
        raise Forbidden("只能取消本人的预约", code="forbidden")
    v.state = VisitState.CANCELLED
    v.outcome = f"取消：{reason.strip()[:200]}"
    v.save(update_fields=["state", "outcome"])
    return v


@retry_atomic
def visit_complete(
    *,
    actor: Actor,
    pk: int,
    outcome: str,
    request: dict[str, Any] | None = None,
    request_pk: int | None = None,
) -> Visit:
    """Record the visit's outcome; a proxy request is created from ``request`` (or an existing one of the
    same agent and resident, ``request_pk``, is linked) and marked on-site."""
    staff_required(actor)
    v = Visit.objects.select_for_update(of=("self",)).get(pk=visit_get(actor=actor, pk=pk).pk)
    if v.agent_id != actor.user_id:
        raise Forbidden("只有上门的代办员可以登记结果", code="forbidden")
    if v.state != VisitState.BOOKED:
        raise Conflict("该预约已完成或已取消", code="invalid_transition")
    if not outcome.strip():
        raise Invalid("请填写上门结果", code="invalid", details={"outcome": ["必填"]})
    req: ProxyRequest | None = None
    if request:
        req = proxy_request_create(
            actor=actor,
            entrustment=int(request["entrustment"]),
            item=str(request["item"]),
            materials=list(request.get("materials") or []),
            form=dict(request.get("form") or {}),
            onsite=True,
        )
    elif request_pk is not None:
        req = ProxyRequest.objects.filter(pk=request_pk, agent=actor.user, resident=v.resident).first()
        if req is None:
            raise Invalid("代办申请不存在", code="unknown_request", details={"request": [str(request_pk)]})
        ProxyRequest.objects.filter(pk=req.pk).update(onsite=True)
    if req is not None and req.resident_id != v.resident_id:
        raise Invalid(
            "代办申请的委托人与上门对象不一致", code="invalid", details={"request": ["委托人不一致"]}
        )
    v.state = VisitState.DONE
    v.outcome = outcome.strip()[:2000]
    v.request = req
    v.save(update_fields=["state", "outcome", "request"])
    return v


def public_agents(village: str | None = None) -> list[dict[str, Any]]:
    """Each village's agents for the public board: name, photo, phone, area. No residents' data."""
    qs = (
        Staff.objects.filter(roles__role=Role.AGENT, on_board=True, user__is_active=True)
        .select_related("jurisdiction__parent")
        .prefetch_related("extra_jurisdictions")
        .order_by("jurisdiction__path", "name")
        .distinct()
    )
    if village:
        qs = qs.filter(jurisdiction__code=village)
    out = []
    for s in qs:
        areas: list[Jurisdiction] = [s.jurisdiction, *s.extra_jurisdictions.all()]
        out.append(
            {
                "name": s.name,
                "photo": s.photo.url if s.photo else None,
                "phone": s.public_phone,
                "post": s.post,
                "village": s.jurisdiction.code,
                "area": "、".join(j.name for j in areas),
                "township": s.jurisdiction.parent.name
                if s.jurisdiction.parent and s.jurisdiction.level == Level.VILLAGE
                else "",
            }
        )
    return out
