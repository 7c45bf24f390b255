"""Entrustments (委托): the resident authorises a village agent for named items until a date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from onewindow.catalog.models import Item
from onewindow.core.actor import Actor
from onewindow.core.clock import local_today
from onewindow.core.errors import Conflict, Forbidden, Invalid, NotFound
from onewindow.core.locking import retry_atomic
from onewindow.org import access
from onewindow.org.models import Jurisdiction, Level, Resident, ResidentKind, Role, Staff
from onewindow.org.selectors import resident_get
from onewindow.privacy import identifiers
from onewindow.privacy.crypto import blind_index
from onewindow.proxy.models import ConfirmationKind, Entrustment
from onewindow.proxy.services.common import (
    WINDOW_ROLES,
    attachment_for,
    one_in_scope,
    proxy_item,
    required_reason,
    staff_required,
)


def _may_attach(actor: Actor, resident: Resident, *, name: str, phone: str) -> bool:
    """An existing resident found by ID number may be attached when in the actor's jurisdiction, or
    when the actor already knows the person: the same name and phone as on record."""
    if resident.jurisdiction_id is not None and access.in_scope(actor, resident.jurisdiction):
        return True
    return resident.name == name and (resident.phone or "") == phone


def _resident_from(actor: Actor, data: dict[str, Any], village: Jurisdiction) -> Resident:
    if data.get("id"):
        return resident_get(actor=actor, pk=int(data["id"]))
    kind = data.get("kind") or ResidentKind.PERSON
    errors: dict[str, list[str]] = {}
    name = (data.get("name") or "").strip()
    if kind not in ResidentKind.values:
        errors["resident.kind"] = ["应为 person 或 enterprise"]
    if not name:
        errors["resident.name"] = ["请填写委托人姓名"]
    if errors:
        raise Invalid.of_fields(errors)
    if kind == ResidentKind.PERSON:
        number = identifiers.validate_id_number(data.get("id_number") or "")
    else:
        number = identifiers.validate_credit_code(data.get("credit_code") or data.get("id_number") or "")
    phone = identifiers.validate_mobile(data.get("phone") or "")
    resident = (
        Resident.objects.select_for_update(of=("self",))
        .filter(id_index=blind_index(number))
        .order_by("pk")
        .first()
    )
    if resident is not None and not _may_attach(actor, resident, name=name, phone=phone):
        # A person outside the actor's jurisdiction, described with another name or phone: the same
        # answer as a resident id outside the jurisdiction (resident_get), nothing of the stored person
        # (name, phone) and no access to them. (A second record with that number cannot exist.)
        raise NotFound("未找到该办事群众", code="unknown_resident")
    if resident is None:
        resident = Resident.objects.create(
            kind=kind,
            name=name,
            id_number=number,
            phone=phone,
            address=(data.get("address") or "").strip()[:200],
            jurisdiction=village,
            created_by=actor.user,
        )
    return resident


def agent_and_village(actor: Actor, staff: Staff, agent_username: str | None) -> tuple[Any, Jurisdiction]:
    """The agent (a user) and village of an entrustment or visit: the acting agent themself, or the agent
    named by a window clerk (in the clerk's jurisdiction)."""
    if actor.has_role(Role.AGENT) and not agent_username:
        if staff.jurisdiction.level != Level.VILLAGE:
            raise Forbidden("代办员须属于嘎查村", code="forbidden")
        return actor.user, staff.jurisdiction
    if not actor.has_any_role(WINDOW_ROLES) and not actor.has_role(Role.AGENT):
        raise Forbidden("您的岗位不能登记代办委托", code="forbidden")
    agent_staff = (
        access.scope(actor, Staff.objects.select_related("user", "jurisdiction"))
        .filter(user__username=agent_username or "", roles__role=Role.AGENT)
        .first()
    )
    if agent_staff is None:
        raise Invalid(
            "代办员不存在或不在您的辖区", code="unknown_agent", details={"agent": [str(agent_username)]}
        )
    return agent_staff.user, agent_staff.jurisdiction


def _entrustment_errors(
    *, valid_until: dt.date, items: list[str], confirmation_kind: str, confirmation_file: str | None
) -> None:
    today = local_today()
    errors: dict[str, list[str]] = {}
    if valid_until < today:
        errors["valid_until"] = ["有效期不能早于今天"]
    elif valid_until > today + dt.timedelta(days=366 * 3):
        errors["valid_until"] = ["有效期最长三年"]
    if not items:
        errors["items"] = ["请选择委托事项"]
    if confirmation_kind not in ConfirmationKind.values:
        errors["confirmation_kind"] = [f"应为 {'/'.join(ConfirmationKind.values)}"]
    if not confirmation_file:
        errors["confirmation_file"] = ["请上传群众的确认（签名、指印或纸质委托书扫描件）"]
    if errors:
        code = "confirmation_required" if "confirmation_file" in errors else "invalid"
        raise Invalid.of_fields(errors, code=code)


@retry_atomic
def entrustment_create(
    *,
    actor: Actor,
    resident: dict[str, Any],
    items: list[str],
    valid_until: dt.date,
    confirmation_file: str | None,
    confirmation_kind: str = ConfirmationKind.SIGNATURE,
    agent: str | None = None,
) -> Entrustment:
    """The resident authorises an agent for named (proxy-allowed) items until ``valid_until``."""
    staff = staff_required(actor)
    agent_user, village = agent_and_village(actor, staff, agent)
    _entrustment_errors(
        valid_until=valid_until,
        items=items,
        confirmation_kind=confirmation_kind,
        confirmation_file=confirmation_file,
    )
    item_objs = [proxy_item(code)[0] for code in dict.fromkeys(items)]
    att = attachment_for(actor, str(confirmation_file), "confirmation_file")
    resident_obj = _resident_from(actor, resident, village)
    ent = Entrustment.objects.create(
        resident=resident_obj,
        agent=agent_user,
        village=village,
        valid_until=valid_until,
        confirmation_kind=confirmation_kind,
        confirmation=att.file,
        created_by=actor.user,
    )
    ent.items.set(item_objs)
    att.material_code = "__entrustment__"
    att.save(update_fields=["material_code"])
    return ent


def entrustment_scope(actor: Actor) -> QuerySet[Entrustment]:
    access.require_perm(actor, access.Perm.PROXY_VIEW)
    return access.scope(
        actor, Entrustment.objects.select_related("resident", "agent__staff", "village"), "village__path"
    )


def entrustment_get(*, actor: Actor, pk: int) -> Entrustment:
    return one_in_scope(entrustment_scope(actor), pk, "委托不存在")


@retry_atomic
def entrustment_revoke(*, actor: Actor, pk: int, reason: str) -> Entrustment:
    staff_required(actor)
    ent = entrustment_get(actor=actor, pk=pk)
    if not actor.has_any_role(WINDOW_ROLES):
        # the resident withdraws through the agent or at a window; back office and supervisors do not
        if not actor.has_role(Role.AGENT):
            raise Forbidden("您的岗位不能撤销代办委托", code="forbidden")
        if ent.agent_id != actor.user_id:
            raise Forbidden("只能撤销本人受托的委托", code="forbidden")
    if ent.revoked_at is not None:
        raise Conflict("委托已撤销", code="already_revoked")
    ent.revoke_reason = required_reason(reason, "reason", "请填写撤销原因")
    ent.revoked_at = timezone.now()
    ent.save(update_fields=["revoked_at", "revoke_reason"])
    return ent


def check_entrustment(ent: Entrustment, *, actor: Actor, item: Item) -> None:
    """``entrustment_invalid`` unless ``ent`` is valid today for ``item`` and the acting agent."""
    problem = ent.problem(today=local_today(), item=item, agent=actor.user)
    if problem:
        raise Conflict(
            f"不在有效委托范围内：{problem}",
            code="entrustment_invalid",
            details={"entrustment": [problem]},
        )
