"""Public reads for the portal: centres, their public staff board, where an item is handled.

Only public data leaves this module: the staff board is built from explicit public fields
(:class:`BoardEntry`), never from the ``Staff`` row itself, so a template cannot reach a private
field such as ``mobile``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from onewindow.catalog.models import ItemVersion
from onewindow.core.errors import NotFound
from onewindow.org.models import (
    LEVEL_ORDER,
    Centre,
    Duty,
    Jurisdiction,
    Level,
    OpeningHours,
    Role,
    Staff,
    Window,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def today() -> dt.date:
    """Today's date in China (duty rosters are kept in local dates)."""
    return timezone.localdate(timezone=SHANGHAI)


def _centres() -> QuerySet[Centre]:
    return Centre.objects.filter(is_active=True).select_related("jurisdiction", "jurisdiction__parent")


def item_places(version: ItemVersion) -> list[Centre]:
    """Centres that accept the item: its accepting levels within the department's county."""
    county = version.department.jurisdiction.county()
    qs = _centres().filter(
        jurisdiction__path__startswith=county.path, jurisdiction__level__in=list(version.accept_levels or [])
    )
    return sorted(qs, key=lambda c: (_level_rank(c.jurisdiction.level), c.jurisdiction.path, c.code))


def _tree_key(centre: Centre, place: Jurisdiction) -> tuple[int, int]:
    """(minus the depth shared with ``place``, tree distance): the same village first, then the same
    township (its centre before its other villages), then the county, then elsewhere."""
    mine = [p for p in place.path.split("/") if p]
    theirs = [p for p in centre.jurisdiction.path.split("/") if p]
    common = 0
    for a, b in zip(mine, theirs, strict=False):
        if a != b:
            break
        common += 1
    return (-common, len(mine) + len(theirs) - 2 * common)


def nearest_first(centres: list[Centre], place: Jurisdiction | None) -> list[Centre]:
    """``centres`` with the ones nearest to ``place`` in the jurisdiction tree first (stable otherwise)."""
    if place is None:
        return list(centres)
    return sorted(centres, key=lambda c: _tree_key(c, place))


def local_centres(place: Jurisdiction | None) -> list[Centre]:
    """The centres serving ``place``: its own (village station), then its township's, then the county's."""
    if place is None:
        return []
    codes = [p for p in place.path.split("/") if p]
    return nearest_first(list(_centres().filter(jurisdiction__code__in=codes)), place)


def _level_rank(level: str) -> int:
    return LEVEL_ORDER.index(Level(level)) if level in Level.values else len(LEVEL_ORDER)


@dataclass
class CentreGroup:
    level: str
    label: str
    centres: list[Centre]


def centre_groups() -> list[CentreGroup]:
    """All active centres grouped by level (county, township, village)."""
    centres = list(_centres().prefetch_related("hours").order_by("jurisdiction__path", "code"))
    groups: list[CentreGroup] = []
    for level in LEVEL_ORDER:
        rows = [c for c in centres if c.jurisdiction.level == level]
        if rows:
            groups.append(CentreGroup(level=str(level), label=str(level.label), centres=rows))
    return groups


def centre_get(code: str) -> Centre:
    centre = (
        _centres()
        .prefetch_related(
            Prefetch("hours", queryset=OpeningHours.objects.order_by("weekdays", "start")),
            Prefetch("windows", queryset=Window.objects.filter(is_active=True).order_by("number")),
        )
        .filter(code=code)
        .first()
    )
    if centre is None:
        raise NotFound(f"服务中心 {code} 不存在", code="unknown_centre")
    return centre


@dataclass
class BoardEntry:
    """One card of the public staff board: public fields only."""

    name: str
    initial: str
    photo_url: str
    post: str
    roles: list[str]
    public_phone: str
    department: str
    ab_partner: str
    ab_partner_post: str
    on_duty_today: bool
    duty_shifts: list[str] = field(default_factory=list)
    villages: list[str] = field(default_factory=list)


def _board_staff() -> QuerySet[Staff]:
    return (
        Staff.objects.filter(on_board=True, user__is_active=True)
        .select_related("jurisdiction", "department", "ab_partner")
        .prefetch_related("roles", "extra_jurisdictions")
        .order_by("name", "pk")
    )


def _entry(staff: Staff, duties: dict[int, list[Duty]], *, with_villages: bool = False) -> BoardEntry:
    mine = duties.get(staff.pk, [])
    partner = staff.ab_partner
    villages: list[str] = []
    if with_villages:
        served = [staff.jurisdiction, *staff.extra_jurisdictions.all()]
        villages = [j.name for j in sorted(served, key=lambda j: j.path)]
    return BoardEntry(
        name=staff.name,
        initial=staff.name[:1] or "?",
        photo_url=staff.photo.url if staff.photo else "",
        post=staff.post,
        roles=[str(Role(r).label) for r in staff.role_list if r in Role.values],
        public_phone=staff.public_phone,
        department=staff.department.short_name if staff.department else "",
        ab_partner=partner.name if partner else "",
        ab_partner_post=partner.post if partner else "",
        on_duty_today=bool(mine),
        duty_shifts=[d.get_shift_display() for d in mine],
        villages=villages,
    )


def _duties_for(staff_ids: list[int], day: dt.date) -> dict[int, list[Duty]]:
    out: dict[int, list[Duty]] = {}
    for d in Duty.objects.filter(staff_id__in=staff_ids, date=day).order_by("shift"):
        out.setdefault(d.staff_id, []).append(d)
    return out


def centre_board(centre: Centre, day: dt.date | None = None) -> list[BoardEntry]:
    """The public staff board of a centre: every ``on_board`` staff member working there."""
    day = day or today()
    staff = list(_board_staff().filter(centre=centre))
    duties = _duties_for([s.pk for s in staff], day)
    entries = [_entry(s, duties) for s in staff]
    # On duty first, then by name: the board answers "who is here today".
    return sorted(entries, key=lambda e: (not e.on_duty_today, e.name))


def centre_agents(centre: Centre, day: dt.date | None = None) -> list[BoardEntry]:
    """Village agents serving the centre's area (village stations list them with their villages)."""
    day = day or today()
    path = centre.jurisdiction.path
    staff = list(
        _board_staff()
        .filter(roles__role=Role.AGENT)
        .filter(Q(jurisdiction__path__startswith=path) | Q(extra_jurisdictions__path__startswith=path))
        .exclude(centre=centre)
        .distinct()
    )
    duties = _duties_for([s.pk for s in staff], day)
    return [_entry(s, duties, with_villages=True) for s in staff]


def serving_centre(jurisdiction: Jurisdiction) -> Centre | None:
    """The centre of a place, or else the nearest one above it (a village without a station → township)."""
    node: Jurisdiction | None = jurisdiction
    while node is not None:
        centre = _centres().filter(jurisdiction=node).order_by("code").first()
        if centre is not None:
            return centre
        node = node.parent
    return None


def child_centres(centre: Centre) -> list[Centre]:
    """Centres one level below (a township centre lists its village stations)."""
    return list(
        _centres().filter(jurisdiction__parent=centre.jurisdiction).order_by("jurisdiction__path", "code")
    )
