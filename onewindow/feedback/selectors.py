"""Reads of the feedback app: staff lists scoped to the jurisdiction, and the public (anonymised) views."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet

from onewindow.core import figures
from onewindow.core.actor import Actor
from onewindow.feedback import services
from onewindow.feedback.models import (
    AppealState,
    Complaint,
    ComplaintState,
    Level,
    Notice,
    Rating,
    Rectification,
    RectState,
)
from onewindow.org import access
from onewindow.org.models import Centre, Role, Staff
from onewindow.worktime.calendar import WorkCalendar


def item_name(item: Any) -> str:
    published = getattr(item, "published", None)
    return published.name if published is not None else item.code


def rating_rates(qs: QuerySet[Rating]) -> dict[str, Any]:
    """Counts per level, 好评/差评 counts and the satisfaction rate, voided excluded: the figures of
    ledger's 指标说明, asked through :mod:`onewindow.core.figures` (满意率 = 好评 ÷ valid ratings;
    default ratings counted)."""
    agg = qs.aggregate(
        n_voided=Count("pk", filter=Q(voided=True)),
        defaults=Count("pk", filter=Q(voided=False, is_default=True)),
        **{f"l{lv}": Count("pk", filter=Q(voided=False, level=lv)) for lv in range(1, 6)},
    )
    counts = {
        **{f"rating_{lv}": agg[f"l{lv}"] for lv in range(1, 6)},
        "ratings_default": agg["defaults"],
        "ratings_voided": agg["n_voided"],
    }
    return {
        "total": figures.compute("ratings", counts),
        "defaults": figures.compute("ratings_default", counts),
        "voided": figures.compute("ratings_voided", counts),
        "satisfied": figures.compute("good", counts),
        "bad": figures.compute("bad", counts),
        "levels": {str(lv): agg[f"l{lv}"] for lv in range(5, 0, -1)},
        "rate": figures.compute("satisfaction_rate", counts),
    }


def rating_summary(*, group_by: str = "centre", centre: str | None = None) -> list[dict[str, Any]]:
    """Published: counts and satisfaction rate per centre or per item (voided ratings excluded)."""
    qs = Rating.objects.filter(voided=False)
    if centre:
        qs = qs.filter(centre__code=centre)
    if group_by == "item":
        keys = qs.filter(item__isnull=False).values_list("item__code", "item__published__name").distinct()
        rows = [
            {"code": code, "name": name or code, **rating_rates(qs.filter(item__code=code))}
            for code, name in sorted(set(keys), key=lambda k: k[0])
        ]
    else:
        keys = qs.values_list("centre__code", "centre__name").distinct()
        rows = [
            {"code": code, "name": name, **rating_rates(qs.filter(centre__code=code))}
            for code, name in sorted(set(keys))
        ]
    return rows


def rating_list(*, actor: Actor) -> QuerySet[Rating]:
    access.require_perm(actor, access.Perm.FEEDBACK_VIEW)
    return access.scope(
        actor, Rating.objects.select_related("centre", "case", "item"), "centre__jurisdiction__path"
    ).order_by("-created_at")


def rectification_list(
    *, actor: Actor, state: str | None = None, appeal_pending: bool = False
) -> list[dict[str, Any]]:
    """The centre head's list: open ones first (red, then yellow), each with its warning.

    ``appeal_pending``: only those whose rating has an appeal waiting for the supervisor (申诉复核).
    """
    access.require_perm(actor, access.Perm.FEEDBACK_VIEW)
    qs = access.scope(
        actor,
        Rectification.objects.select_related("rating", "rating__case", "rating__item", "centre"),
        "centre__jurisdiction__path",
    )
    if state:
        qs = qs.filter(state=state)
    if appeal_pending:
        qs = qs.filter(rating__appeals__state=AppealState.PENDING).distinct()
    today = _today()
    cal = WorkCalendar()
    rows: list[dict[str, Any]] = [
        {"rect": r, "warning": services.rectification_warning(r, today, cal)}
        for r in qs.order_by("deadline", "pk")
    ]
    order = {"red": 0, "yellow": 1, "none": 2}
    rows.sort(key=lambda r: (r["rect"].state in (RectState.CLOSED, RectState.VOIDED), order[r["warning"]]))
    return rows


def _today() -> dt.date:
    return services.local_today()


def rectification_public(*, centre: Centre | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """Closed rectifications, anonymised: no names, numbers, or the rater's own words."""
    qs = Rectification.objects.filter(state=RectState.CLOSED).select_related(
        "rating__item__published", "centre"
    )
    if centre is not None:
        qs = qs.filter(centre=centre)
    return [
        {
            "centre": r.centre.name,
            "item": item_name(r.rating.item) if r.rating.item else "窗口服务",
            "level": str(Level(r.rating.level).label),
            "opened_on": r.opened_on,
            "closed_on": r.closed_at.date() if r.closed_at else None,
            "outcome": r.get_outcome_display(),
            "public_note": r.public_note,
            "on_time": services.rectification_warning(r, _today()) != "red",
            "fix_level": str(Level(r.fix_level).label) if r.fix_level else "",
        }
        for r in qs.order_by("-closed_at")[:limit]
    ]


def complaint_list(*, actor: Actor, state: str | None = None) -> list[dict[str, Any]]:
    access.require_perm(actor, access.Perm.FEEDBACK_VIEW)
    qs = access.scope(actor, Complaint.objects.select_related("centre", "jurisdiction", "owner"))
    if state:
        qs = qs.filter(state=state)
    today = _today()
    return [
        {"c": c, "overdue": services.complaint_overdue(c, today)} for c in qs.order_by("-created_at")[:500]
    ]


def complaint_public(*, centre: Centre | None = None, limit: int = 20) -> list[dict[str, Any]]:
    qs = Complaint.objects.filter(state=ComplaintState.CLOSED).select_related("centre", "jurisdiction")
    if centre is not None:
        qs = qs.filter(centre=centre)
    return [
        {
            "number": c.number,
            "category": c.get_category_display(),
            "where": c.centre.name if c.centre else c.jurisdiction.name,
            "created_on": c.created_at.date(),
            "closed_on": c.closed_at.date() if c.closed_at else None,
            "summary": c.public_summary,
        }
        for c in qs.order_by("-closed_at")[:limit]
    ]


def notices_public(centre: Centre, limit: int = 30) -> QuerySet[Notice]:
    return (
        Notice.objects.filter(centre=centre, withdrawn=False)
        .prefetch_related("attachments")
        .order_by("-posted_at")[:limit]
    )


def area_agents(centre: Centre) -> list[dict[str, str]]:
    """Agents in the centre's jurisdiction subtree: name, public phone and area only."""
    path = centre.jurisdiction.path
    staff = (
        Staff.objects.filter(roles__role=Role.AGENT)
        .filter(Q(jurisdiction__path__startswith=path) | Q(extra_jurisdictions__path__startswith=path))
        .select_related("jurisdiction")
        .prefetch_related("extra_jurisdictions")
        .distinct()
        .order_by("jurisdiction__path", "name")
    )
    rows = []
    for s in staff:
        areas = [s.jurisdiction.name, *[j.name for j in s.extra_jurisdictions.all()]]
        rows.append({"name": s.name, "phone": s.public_phone or "—", "area": "、".join(areas)})
    return rows
