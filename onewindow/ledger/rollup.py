"""Rollups: the event → measures mapping and the rebuild.

The same functions (``case_events``/``case_event_facts``, ``ticket_contribution``,
``rating_contribution``, ``complaint_contribution``, ``proxy_contribution``) feed both the fold of the
event log (``fold.py``, in the worker) and :func:`rebuild`, so the two cannot disagree.

Attribution (documented for the dashboards):
- case measures: day of the timeline event (local date), the case's centre (its jurisdiction),
  window, item, domain (of the item version the case was accepted under), and ``clerk`` = the staff
  member who recorded the case (actor of timeline entry #1);
- decided = approve/deny; on time = decision day ≤ ``Case.deadline`` (working-day deadline incl.
  extensions and suspensions); working days taken = working days after the acceptance day up to the
  decision day, minus the suspended working days;
- tickets: issued on the ticket's day; served (finished) with waiting minutes = start of service −
  (last) issue time, attributed to the serving window and the calling clerk;
- ratings: day of the rating, level counters (voided ratings count only in ``ratings_voided``);
- complaints: received on the creation day, closed/late on the closing day (late: after the
  complaint's ``deadline`` when it has one, else more than ``LEDGER_COMPLAINT_DAYS`` working days);
- proxy requests: one per request on its creation day, in the request's village, for its agent.

The mutable sources (tickets, ratings, complaints, proxy requests) are the models their own apps
register in :mod:`onewindow.core.ledger_contrib`; the ledger reads their rows by attribute and imports
none of those apps.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.utils import timezone

from onewindow.cases.models import CaseEvent
from onewindow.core import ledger_contrib
from onewindow.core.errors import Invalid
from onewindow.core.locking import run_with_retry
from onewindow.ledger import log
from onewindow.ledger.models import MEASURE_NAMES, CoarseFact, Contribution, Fact, LedgerEvent, MonthFact
from onewindow.worktime.calendar import WorkCalendar

Measures = dict[str, int]


@dataclass(frozen=True)
class Dims:
    day: dt.date
    jurisdiction_id: int | None = None
    jpath: str = ""
    centre_id: int | None = None
    window_id: int | None = None
    clerk_id: int | None = None
    agent_id: int | None = None
    item_id: int | None = None
    domain_id: int | None = None

    @property
    def key(self) -> str:
        parts = [
            self.day.isoformat(),
            self.jurisdiction_id,
            self.centre_id,
            self.window_id,
            self.clerk_id,
            self.agent_id,
            self.item_id,
            self.domain_id,
        ]
        return "|".join("" if p is None else str(p) for p in parts)

    def coarse_key(self, grain: str = "day") -> str:
        day = self.day if grain == "day" else self.day.replace(day=1)
        parts = [grain, day.isoformat(), self.jurisdiction_id, self.centre_id, self.domain_id]
        return "|".join("" if p is None else str(p) for p in parts)

    def coarse_fields(self, grain: str = "day") -> dict[str, Any]:
        return {
            "grain": grain,
            "day": self.day if grain == "day" else self.day.replace(day=1),
            "month": self.day.strftime("%Y-%m"),
            "jurisdiction_id": self.jurisdiction_id,
            "jpath": self.jpath,
            "centre_id": self.centre_id,
            "domain_id": self.domain_id,
        }

    def fields(self) -> dict[str, Any]:
        d = asdict(self)
        d["month"] = self.day.strftime("%Y-%m")
        return d

    @classmethod
    def from_key_fields(cls, data: dict[str, Any]) -> Dims:
        data = dict(data)
        data.pop("month", None)
        data["day"] = dt.date.fromisoformat(data["day"]) if isinstance(data["day"], str) else data["day"]
        return cls(**data)


def local_day(value: dt.datetime | dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            return timezone.localtime(value).date()
        return value.date()
    return value


class _Calendar:
    """Working days; falls back to Mon–Fri when a year's holiday table is not loaded, so a missing
    calendar never breaks the event that triggered the rollup."""

    def __init__(self) -> None:
        self.cal = WorkCalendar()

    def between(self, start: dt.date, end: dt.date) -> int:
        try:
            return self.cal.workdays_between(start, end)
        except Invalid:
            days = 0
            d = start
            while d < end:
                d += dt.timedelta(days=1)
                days += d.weekday() < 5
            return days


# --- case timeline -------------------------------------------------------------------------------


DECISIONS = {"approve": "approved", "deny": "denied"}


def case_dims(case: Any, day: dt.date, clerk_id: int | None, jpaths: dict[int, str]) -> Dims:
    jid = case.centre.jurisdiction_id
    if jid not in jpaths:
        jpaths[jid] = case.centre.jurisdiction.path
    return Dims(
        day=day,
        jurisdiction_id=jid,
        jpath=jpaths[jid],
        centre_id=case.centre_id,
        window_id=case.window_id,
        clerk_id=clerk_id,
        item_id=case.item_id,
        domain_id=case.item_version.domain_id,
    )


def case_event_measures(case: Any, event: Any, cal: _Calendar) -> Measures:
    m: Measures = {}
    action = event.action
    if event.seq == 1:
        m["received"] = 1
        if case.channel == "proxy":
            m["proxy_received"] = 1
    if action in {"accept", "supplement", "deemed_accept"} and event.state_to == "accepted":
        m["accepted"] = 1
    elif action in {"request_correction", "correction_override"}:
        m["corrections"] = 1
    elif action == "reject":
        m["not_accepted"] = 1
    elif action in DECISIONS and event.state_to == DECISIONS[action]:
        m[DECISIONS[action]] = 1
        day = local_day(event.at)
        if case.deadline is None or day <= case.deadline:
            m["on_time"] = 1
        else:
            m["late"] = 1
        if case.accept_date is not None:
            m["workdays_sum"] = max(0, cal.between(case.accept_date, day) - case.paused_days)
    elif action == "deliver":
        m["delivered"] = 1
    elif action == "withdraw":
        m["withdrawn"] = 1
    return m


# Actions that can change a measure (besides the first entry, the intake): the receivers log only
# these timeline entries.
COUNTED_ACTIONS = frozenset(
    {"accept", "supplement", "deemed_accept", "request_correction", "correction_override", "reject"}
    | set(DECISIONS)
    | {"deliver", "withdraw"}
)


def _first_actor(case: Any) -> int | None:
    row = CaseEvent.objects.filter(case_id=case.pk, seq=1).values_list("actor_id", flat=True).first()
    return row


# --- mutable sources -----------------------------------------------------------------------------

Contrib = dict[str, dict[str, Any]]  # key -> {"dims": {...}, "m": {measure: n}}


def _add(out: Contrib, dims: Dims, m: Measures) -> None:
    m = {k: v for k, v in m.items() if v}
    if not m:
        return
    entry = out.setdefault(dims.key, {"dims": _dims_json(dims), "m": {}})
    for k, v in m.items():
        entry["m"][k] = entry["m"].get(k, 0) + v


def _dims_json(dims: Dims) -> dict[str, Any]:
    d = asdict(dims)
    d["day"] = dims.day.isoformat()
    return d


def _centre_dims(centre: Any, day: dt.date, **kw: Any) -> Dims:
    j = centre.jurisdiction
    return Dims(day=day, jurisdiction_id=j.pk, jpath=j.path, centre_id=centre.pk, **kw)


def ticket_contribution(ticket: Any) -> Contrib:
    out: Contrib = {}
    _add(out, _centre_dims(ticket.centre, ticket.day), {"tickets_issued": 1})
    if ticket.state == "done":
        start = ticket.serve_started_at or ticket.called_at or ticket.finished_at
        wait = max(0, int((start - ticket.issued_at).total_seconds() // 60)) if start else 0
        dims = _centre_dims(
            ticket.centre, ticket.day, window_id=ticket.window_id, clerk_id=ticket.called_by_id
        )
        _add(out, dims, {"tickets_served": 1, "wait_minutes": wait})
    return out


def _case_bits(case: Any) -> dict[str, Any]:
    if case is None:
        return {}
    return {"item_id": case.item_id, "domain_id": case.item_version.domain_id, "clerk_id": _first_actor(case)}


def rating_contribution(rating: Any) -> Contrib:
    out: Contrib = {}
    case = rating.case if rating.case_id else None
    bits = _case_bits(case) or {"item_id": getattr(rating, "item_id", None)}
    dims = _centre_dims(rating.centre, local_day(rating.created_at), agent_id=rating.agent_id, **bits)
    if rating.voided:
        _add(out, dims, {"ratings_voided": 1})
    elif 1 <= int(rating.level) <= 5:
        _add(out, dims, {f"rating_{int(rating.level)}": 1, "ratings_default": int(bool(rating.is_default))})
    return out


def complaint_is_late(complaint: Any, cal: _Calendar) -> bool:
    closed = local_day(complaint.closed_at)
    deadline = getattr(complaint, "deadline", None)
    if deadline:
        return closed > local_day(deadline)
    limit = int(settings.LEDGER_COMPLAINT_DAYS)
    return cal.between(local_day(complaint.created_at), closed) > limit


def complaint_contribution(complaint: Any, cal: _Calendar | None = None) -> Contrib:
    out: Contrib = {}
    j = complaint.jurisdiction
    base = {"jurisdiction_id": j.pk, "jpath": j.path, "centre_id": complaint.centre_id}
    _add(out, Dims(day=local_day(complaint.created_at), **base), {"complaints_received": 1})
    if complaint.closed_at:
        late = complaint_is_late(complaint, cal or _Calendar())
        _add(
            out,
            Dims(day=local_day(complaint.closed_at), **base),
            {"complaints_closed": 1, "complaints_late": int(late)},
        )
    return out


def proxy_contribution(request: Any) -> Contrib:
    out: Contrib = {}
    v = request.village
    dims = Dims(
        day=local_day(request.created_at),
        jurisdiction_id=v.pk,
        jpath=v.path,
        agent_id=request.agent_id,
        item_id=request.item_id,
    )
    _add(out, dims, {"proxy_requests": 1})
    return out


CONTRIBUTORS: dict[str, Callable[[Any], Contrib]] = {
    "ticket": ticket_contribution,
    "rating": rating_contribution,
    "complaint": complaint_contribution,
    "proxy": proxy_contribution,
}


# --- what the fold adds ----------------------------------------------------------------------------


GRAINS = ("day", "month")


def contribution_diff(old: Contrib, new: Contrib) -> Iterator[tuple[Dims, Measures]]:
    """The difference ``new − old`` of two contributions, per fact key (in key order)."""
    for key in sorted(set(old) | set(new)):
        o = old.get(key, {}).get("m", {})
        n = new.get(key, {}).get("m", {})
        diff = {m: n.get(m, 0) - o.get(m, 0) for m in set(o) | set(n)}
        if any(diff.values()):
            yield Dims.from_key_fields((new.get(key) or old[key])["dims"]), diff


# --- rebuild -------------------------------------------------------------------------------------


def _source_models() -> dict[str, Any]:
    """The mutable source models registered by their apps (``core.ledger_contrib``), in the order of
    :data:`CONTRIBUTORS`; a source whose table is not migrated yet has recorded nothing: skipped."""
    tables = set(connection.introspection.table_names())
    found: dict[str, Any] = {}
    for kind in CONTRIBUTORS:
        model = ledger_contrib.model(kind)
        if model is not None and model._meta.db_table in tables:
            found[kind] = model
    return found


_SELECT = {
    "ticket": ["centre__jurisdiction"],
    "rating": ["centre__jurisdiction", "case__item_version"],
    "complaint": ["jurisdiction"],
    "proxy": ["village"],
}


def case_events() -> QuerySet[CaseEvent]:
    """Timeline entries with what their measures need (the case, its item version and centre, and
    ``first_actor``: who recorded the case) — read alike by the fold and the rebuild."""
    first = CaseEvent.objects.filter(case_id=OuterRef("case_id"), seq=1).values("actor_id")[:1]
    return CaseEvent.objects.select_related("case__item_version", "case__centre__jurisdiction").annotate(
        first_actor=Subquery(first)
    )


def case_event_facts(events: Iterable[Any], cal: _Calendar) -> Iterator[tuple[Dims, Measures]]:
    jpaths: dict[int, str] = {}
    for ev in events:
        m = case_event_measures(ev.case, ev, cal)
        if m:
            yield case_dims(ev.case, local_day(ev.at), ev.first_actor, jpaths), m


def _case_event_rows(date_from: dt.date | None, date_to: dt.date | None) -> Iterator[tuple[Dims, Measures]]:
    qs = case_events().order_by("case_id", "seq")
    if date_from:
        qs = qs.filter(at__gte=_start_of(date_from))
    if date_to:
        qs = qs.filter(at__lt=_start_of(date_to + dt.timedelta(days=1)))
    yield from case_event_facts(qs.iterator(chunk_size=2000), _Calendar())


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def compute(
    date_from: dt.date | None = None, date_to: dt.date | None = None
) -> tuple[dict[str, tuple[Dims, Measures]], dict[str, dict[int, Contrib]]]:
    """Everything from the sources: (facts by key, contributions by kind and object id)."""
    facts: dict[str, tuple[Dims, Measures]] = {}

    def add(dims: Dims, m: Measures) -> None:
        if (date_from and dims.day < date_from) or (date_to and dims.day > date_to):
            return
        entry = facts.setdefault(dims.key, (dims, defaultdict(int)))
        for k, v in m.items():
            entry[1][k] += v

    for dims, m in _case_event_rows(date_from, date_to):
        add(dims, m)
    contributions: dict[str, dict[int, Contrib]] = {}
    cal = _Calendar()
    for kind, model in _source_models().items():
        contributions[kind] = {}
        qs = model.objects.select_related(*_SELECT[kind]).order_by("pk")
        for obj in qs.iterator(chunk_size=2000):
            c = complaint_contribution(obj, cal) if kind == "complaint" else CONTRIBUTORS[kind](obj)
            contributions[kind][obj.pk] = c
            for entry in c.values():
                add(Dims.from_key_fields(entry["dims"]), entry["m"])
    return facts, contributions


def rebuild(date_from: dt.date | None = None, date_to: dt.date | None = None) -> int:
    """Recompute the facts (of the day range, or all) and every contribution snapshot, under the
    fold's watermark lock (no fold runs meanwhile). The timeline entries still waiting in the event
    log whose measures this rebuild counted are dropped from the log; the waiting contribution events
    stay (folding them again adds current − snapshot = nothing new)."""
    return int(run_with_retry(lambda: _rebuild(date_from, date_to), name="ledger.rebuild"))


def _rebuild(date_from: dt.date | None, date_to: dt.date | None) -> int:
    log.freeze_for_rebuild()
    mark = log.lock_mark()
    started = timezone.now()
    facts, contributions = compute(date_from, date_to)
    coarse: dict[str, tuple[Dims, str, dict[str, int]]] = {}
    for dims, m in facts.values():
        for grain in GRAINS:
            entry = coarse.setdefault(dims.coarse_key(grain), (dims, grain, defaultdict(int)))
            for k, v in m.items():
                entry[2][k] += v
    for model in (Fact, CoarseFact):
        old = model.objects.all()
        if date_from:
            old = old.filter(day__gte=date_from)
        if date_to:
            old = old.filter(day__lte=date_to)
        old.delete()
    if date_from or date_to:
        # month rows of the months the range only partly covers are recomputed from the day rows
        _refresh_partial_months(date_from, date_to, coarse)
    Fact.objects.bulk_create(
        (
            Fact(key=key, **dims.fields(), **{k: v for k, v in m.items() if k in MEASURE_NAMES})
            for key, (dims, m) in facts.items()
            if any(m.values())
        ),
        batch_size=1000,
    )
    CoarseFact.objects.bulk_create(
        (
            CoarseFact(
                key=key, **dims.coarse_fields(grain), **{k: v for k, v in m.items() if k in MEASURE_NAMES}
            )
            for key, (dims, grain, m) in coarse.items()
            if any(m.values())
        ),
        batch_size=1000,
    )
    _refresh_month_facts(date_from, date_to)
    Contribution.objects.all().delete()
    Contribution.objects.bulk_create(
        (
            Contribution(kind=k, object_id=pk, data=c)
            for k, rows in contributions.items()
            for pk, c in rows.items()
        ),
        batch_size=1000,
    )
    _drop_counted_case_events(date_from, date_to)
    if mark is not None and not (date_from or date_to):
        mark.as_of = started
        mark.save(update_fields=["as_of"])
    return len(facts)


FINE_DIMS = [
    "jurisdiction_id",
    "jpath",
    "centre_id",
    "window_id",
    "clerk_id",
    "agent_id",
    "item_id",
    "domain_id",
]


def _refresh_month_facts(date_from: dt.date | None, date_to: dt.date | None) -> None:
    """``MonthFact`` of the months the range touches (all: every month), summed from the day rows."""
    old, src = MonthFact.objects.all(), Fact.objects.all()
    if date_from:
        old = old.filter(day__gte=date_from.replace(day=1))
        src = src.filter(day__gte=date_from.replace(day=1))
    if date_to:
        nxt = (date_to.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        old = old.filter(day__lt=nxt)
        src = src.filter(day__lt=nxt)
    old.delete()
    rows = src.order_by().values("month", *FINE_DIMS).annotate(**{m: Sum(m) for m in MEASURE_NAMES})

    def month_fact(r: dict[str, Any]) -> MonthFact:
        dims = Dims(day=dt.date.fromisoformat(r.pop("month") + "-01"), **{k: r.pop(k) for k in FINE_DIMS})
        return MonthFact(key=dims.key, **dims.fields(), **{k: int(v or 0) for k, v in r.items()})

    MonthFact.objects.bulk_create((month_fact(r) for r in rows.iterator(chunk_size=2000)), batch_size=1000)


def _drop_counted_case_events(date_from: dt.date | None, date_to: dt.date | None) -> None:
    """The waiting timeline events the rebuild just counted (those of its range) leave the log."""
    pending = LedgerEvent.objects.filter(kind="case")
    if date_from or date_to:
        inside = CaseEvent.objects.filter(pk__in=pending.values("object_id"))
        if date_from:
            inside = inside.filter(at__gte=_start_of(date_from))
        if date_to:
            inside = inside.filter(at__lt=_start_of(date_to + dt.timedelta(days=1)))
        pending = pending.filter(object_id__in=list(inside.values_list("pk", flat=True)))
    pending.delete()


def _refresh_partial_months(
    date_from: dt.date | None, date_to: dt.date | None, coarse: dict[str, tuple[Dims, str, dict[str, int]]]
) -> None:
    """A ranged rebuild replaced the day rows of [from, to]; the month rows of the edge months also
    hold days outside the range: recompute them from the day rows outside the range plus ``coarse``."""
    edges = {d.replace(day=1) for d in (date_from, date_to) if d is not None}
    for month in edges:
        nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        CoarseFact.objects.filter(grain="month", day=month).delete()
        # the day rows inside the range are deleted already: what remains of the month is outside it
        outside = CoarseFact.objects.filter(grain="day", day__gte=month, day__lt=nxt)
        for row in outside:
            dims = Dims(
                day=row.day,
                jurisdiction_id=row.jurisdiction_id,
                jpath=row.jpath,
                centre_id=row.centre_id,
                domain_id=row.domain_id,
            )
            entry = coarse.setdefault(dims.coarse_key("month"), (dims, "month", defaultdict(int)))
            for k in MEASURE_NAMES:
                entry[2][k] += getattr(row, k)


def snapshot() -> dict[str, dict[str, int]]:
    """The non-zero measures of every fine, fine-month and coarse fact row, by key (to compare
    incremental rollups — events, then the fold — with rebuilt ones)."""
    out: dict[str, dict[str, int]] = {}
    for prefix, model in (("", Fact), ("month:", MonthFact), ("coarse:", CoarseFact)):
        for f in model.objects.all():
            m = {k: getattr(f, k) for k in MEASURE_NAMES if getattr(f, k)}
            if m:
                out[prefix + f.key] = m
    return out
