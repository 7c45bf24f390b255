"""Reads of the organisation: staff, centres, the duty roster, residents.

Every list here takes the acting :class:`~onewindow.core.actor.Actor` and is scoped to its
jurisdiction (:func:`onewindow.org.access.scope`); single objects outside it raise :class:`NotFound`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from onewindow.core.actor import Actor
from onewindow.core.errors import NotFound
from onewindow.org.access import scope, scope_roots
from onewindow.org.models import Centre, Duty, Jurisdiction, OpeningHours, Resident, Session, Shift, Staff
from onewindow.privacy.crypto import blind_index

WEEKDAY_LABELS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def _staff_qs(day: dt.date | None = None) -> QuerySet[Staff]:
    day = day or timezone.localdate()
    return Staff.objects.select_related(
        "jurisdiction", "centre", "department", "ab_partner", "user"
    ).prefetch_related("roles", Prefetch("duties", queryset=Duty.objects.filter(date=day)))


def staff_list(*, actor: Actor, q: str | None = None, centre: Centre | None = None) -> QuerySet[Staff]:
    """Staff in the actor's jurisdiction; ``on_duty(today)`` works without extra queries."""
    qs = scope(actor, _staff_qs()).order_by("jurisdiction__path", "name")
    term = (q or "").strip()
    if term:
        qs = qs.filter(Q(name__icontains=term) | Q(post__icontains=term))
    if centre is not None:
        qs = qs.filter(centre=centre)
    return qs


def staff_get(*, actor: Actor, pk: int) -> Staff:
    obj = scope(actor, _staff_qs()).filter(pk=pk).first()
    if obj is None:
        raise NotFound("未找到该工作人员", code="unknown_staff")
    return obj


def centre_list(*, actor: Actor) -> QuerySet[Centre]:
    return scope(actor, Centre.objects.filter(is_active=True).select_related("jurisdiction")).order_by(
        "jurisdiction__path", "code"
    )


def centre_get(*, actor: Actor, pk: int) -> Centre:
    obj = centre_list(actor=actor).filter(pk=pk).first()
    if obj is None:
        raise NotFound("未找到该服务中心", code="unknown_centre")
    return obj


def jurisdiction_choices(*, actor: Actor) -> QuerySet[Jurisdiction]:
    """The jurisdictions the actor may register residents in (their subtrees), in tree order."""
    roots = scope_roots(actor)
    if not roots:
        return Jurisdiction.objects.none()
    q = Q()
    for root in roots:
        q |= Q(path__startswith=root.path)
    return Jurisdiction.objects.filter(q).order_by("path")


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


@dataclass
class RosterDay:
    date: dt.date
    label: str
    is_today: bool


@dataclass
class RosterRow:
    staff: Staff
    cells: list[list[Duty]] = field(default_factory=list)


@dataclass
class RosterWeek:
    centre: Centre
    start: dt.date
    days: list[RosterDay]
    rows: list[RosterRow]

    @property
    def prev_week(self) -> dt.date:
        return self.start - dt.timedelta(days=7)

    @property
    def next_week(self) -> dt.date:
        return self.start + dt.timedelta(days=7)

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=6)


_SHIFT_ORDER = {s.value: i for i, s in enumerate(Shift)}


def roster_week(*, actor: Actor, centre: Centre, day: dt.date) -> RosterWeek:
    """The duty roster of ``centre`` for the week (Monday–Sunday) containing ``day``."""
    centre = centre_get(actor=actor, pk=centre.pk)
    start = week_start(day)
    end = start + dt.timedelta(days=6)
    today = timezone.localdate()
    days = [
        RosterDay(
            date=start + dt.timedelta(days=i),
            label=WEEKDAY_LABELS[i],
            is_today=start + dt.timedelta(days=i) == today,
        )
        for i in range(7)
    ]
    duties = (
        Duty.objects.filter(date__range=(start, end), staff__centre=centre)
        .select_related("staff", "window")
        .order_by("date", "staff__name")
    )
    by_staff: dict[int, dict[dt.date, list[Duty]]] = {}
    for d in duties:
        by_staff.setdefault(d.staff_id, {}).setdefault(d.date, []).append(d)
    rows = []
    for s in Staff.objects.filter(centre=centre).order_by("name"):
        cells: list[list[Duty]] = []
        for rd in days:
            entries = by_staff.get(s.pk, {}).get(rd.date, [])
            cells.append(sorted(entries, key=lambda d: _SHIFT_ORDER.get(d.shift, 99)))
        rows.append(RosterRow(staff=s, cells=cells))
    return RosterWeek(centre=centre, start=start, days=days, rows=rows)


def duty_get(*, actor: Actor, pk: int) -> Duty:
    obj = (
        scope(
            actor, Duty.objects.select_related("staff", "staff__centre"), "staff__centre__jurisdiction__path"
        )
        .filter(pk=pk)
        .first()
    )
    if obj is None:
        raise NotFound("未找到该值班安排", code="unknown_duty")
    return obj


def _resident_qs() -> QuerySet[Resident]:
    return Resident.objects.select_related("jurisdiction", "created_by")


def resident_list(*, actor: Actor, q: str | None = None) -> QuerySet[Resident]:
    """Residents in the actor's jurisdiction. ``q`` matches the name, or a whole ID number / credit
    code exactly (through the blind index; encrypted columns cannot be searched)."""
    qs = scope(actor, _resident_qs()).order_by("jurisdiction__path", "name")
    term = (q or "").strip()
    if term:
        qs = qs.filter(Q(name__icontains=term) | Q(id_index=blind_index(term)))
    return qs


def resident_get(*, actor: Actor, pk: int) -> Resident:
    obj = scope(actor, _resident_qs()).filter(pk=pk).first()
    if obj is None:
        raise NotFound("未找到该办事群众", code="unknown_resident")
    return obj


def resident_lookup(*, actor: Actor, number: str) -> Resident | None:
    """Exact look-up by ID number or credit code, within the actor's jurisdiction."""
    number = (number or "").strip()
    if not number:
        return None
    return scope(actor, _resident_qs()).filter(id_index=blind_index(number)).first()


@dataclass
class HoursGroup:
    session: str
    label: str
    rows: list[OpeningHours]


def opening_hours(centre: Centre) -> list[HoursGroup]:
    """The centre's opening hours by session, in the order 正常 / 延时 / 错时 / 周末 (empty ones left out)."""
    rows = list(centre.hours.all())
    groups = [(session, [h for h in rows if h.session == session]) for session in Session]
    return [HoursGroup(session=str(s), label=str(s.label), rows=mine) for s, mine in groups if mine]
