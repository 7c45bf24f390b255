"""What every case write shares: who is acting, the case they may reach, and the timeline entry.

``today()`` reads ``onewindow.cases.services.local_today`` (the clock's ``local_today``, re-exported by
the package) at call time, so a test that pins that one name pins "today" for every case write.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from onewindow.cases import services
from onewindow.cases.models import Case, CaseEvent, Channel
from onewindow.cases.selectors import case_scope
from onewindow.core import signals
from onewindow.core.actor import Actor
from onewindow.core.clock import now as clock_now
from onewindow.core.errors import Forbidden, NotFound, Unauthenticated
from onewindow.org.models import Resident, Role, Staff, Window

RESIDENT_ROLE = "resident"  # the role recorded on events a resident causes online (not a staff role)
# 不予受理 and 不予许可 are told in writing with their legal basis (行政许可法 art. 32, 38).
BASIS_REQUIRED = frozenset({"reject", "deny"})
CASE_RELATED = ("item_version", "centre__jurisdiction", "queue_department__jurisdiction", "applicant")


def today() -> dt.date:
    """Today's local date (``services.local_today``, looked up at call time)."""
    return services.local_today()


def staff_context(actor: Actor) -> tuple[Staff, list[str]]:
    """The acting staff record and its roles; 401 for nobody, 403 without a staff profile."""
    staff = actor.staff
    if staff is None:
        if not actor.is_authenticated:
            raise Unauthenticated()
        raise Forbidden("该账号未关联工作人员信息", code="no_staff_profile")
    return staff, staff.role_list


def is_self_service(actor: Actor, channel: str) -> bool:
    """An online application by a logged-in user without a staff profile (a portal resident)."""
    return channel == Channel.ONLINE and actor.is_authenticated and actor.staff is None


def self_service_resident(actor: Actor) -> Resident:
    """The real-name record bound to a resident's portal account (``portal.ResidentAccount``,
    reverse one-to-one ``resident_account``); refused without an account or a real-name binding."""
    account = getattr(actor.user, "resident_account", None)
    if account is None:
        raise Forbidden("该账号未关联工作人员信息", code="no_staff_profile")
    resident = getattr(account, "resident", None)
    if resident is None:
        raise Forbidden("请先完成实名认证（绑定居民身份证号）再网上申请", code="real_name_required")
    return resident  # type: ignore[no-any-return]


def acting_role_of(roles: list[str], allowed: frozenset[str] | set[str]) -> str:
    for r in roles:
        if r in allowed:
            return r
    return roles[0] if roles else ""


def append_event(
    case: Case,
    *,
    actor: Actor | None,
    staff: Staff | None,
    role: str,
    action: str,
    state_from: str,
    state_to: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    window: Window | None = None,
    at: dt.datetime | None = None,
) -> CaseEvent:
    """Append one entry to the case's hash-chained timeline and tell the listeners
    (``signals.case_event_recorded``), in the caller's transaction."""
    head = case.timeline_head
    if head is None:
        last = CaseEvent.objects.filter(case=case).order_by("-seq").values("seq", "hash").first()
        head = (last["seq"], last["hash"]) if last else (0, "")
    event = CaseEvent(
        case=case,
        seq=head[0] + 1,
        at=at or clock_now(),
        actor=actor.recorded_user if actor is not None else None,
        actor_name=staff.name if staff else "",
        role=role,
        centre=staff.centre if staff and staff.centre_id else case.centre,
        window=window,
        action=action,
        state_from=state_from,
        state_to=state_to,
        note=note,
        data=data or {},
        prev_hash=head[1],
    )
    event.hash = event.compute_hash()
    event.save()
    if case.timeline_head is not None:  # a case created in this transaction: the next entry chains here
        case.timeline_head = (event.seq, event.hash)
    signals.case_event_recorded.send(sender=Case, case=case, event=event)
    return event


def case_get_for_user(actor: Actor, number: str, *, for_update: bool = False) -> Case:
    """The case if it is in the actor's jurisdiction; otherwise 404 (existence does not leak)."""
    qs = case_scope(actor, Case.objects.all()).select_related(*CASE_RELATED)
    case = qs.filter(number=number).first()
    if case is None:
        case = _case_of_own_proxy_request(actor, number)
    if case is None:
        raise NotFound(f"办件 {number} 不存在", code="not_found")
    return case


def _case_of_own_proxy_request(actor: Actor, number: str) -> Case | None:
    """The one exception to jurisdiction scoping, for the proxy service (代为取件、送达):

    a user with the ``agent`` role reaches a case that was created from a proxy request of THEIR OWN
    (``ProxyRequest.agent == user``, through the reverse relation ``proxy_requests`` that the proxy app
    declares on Case), although the accepting centre (township/county) lies outside the agent's
    village. No other case of that centre becomes visible, and the TRANSITIONS table still decides what
    the agent may do (among agent actions only ``deliver``).
    """
    if not actor.has_role(Role.AGENT):
        return None
    return (
        Case.objects.select_related(*CASE_RELATED)
        .filter(number=number, proxy_requests__agent=actor.user)
        .first()
    )
