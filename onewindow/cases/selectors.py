"""Reads of cases, always scoped to the actor's jurisdiction (every function takes the acting
:class:`~onewindow.core.actor.Actor`; a user is resolved with ``org.actors.actor_of``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from onewindow.cases import tally
from onewindow.cases.deadlines import NOTICE_WARN_DAYS, notice_due, received_date
from onewindow.cases.models import CLOCK_STATES, OPEN_STATES, Case, CaseEvent, State, Warning
from onewindow.catalog.models import Item
from onewindow.core.actor import Actor
from onewindow.core.errors import NotFound
from onewindow.core.handout import without_handed_out
from onewindow.core.paging import IdsFirst
from onewindow.core.prepared import PreparedFirst
from onewindow.privacy.masking import mask_address, mask_id_number, mask_name, mask_phone
from onewindow.worktime.calendar import WorkCalendar

YELLOW_DAYS_BEFORE = 1  # 电子监察: yellow from 1 working day before the deadline
QUEUE_STATES = (State.ACCEPTED, State.IN_REVIEW, State.SUSPENDED)
OUTPUT_STATES = (State.APPROVED, State.DENIED, State.READY)


def case_scope(actor: Actor, qs: QuerySet[Case]) -> QuerySet[Case]:
    """Cases accepted at a centre in the actor's jurisdiction, or queued at a department in it.

    A prefix match on the paths copied onto the case (``centre_path``, ``queue_path``: indexed, no
    joins), equal to matching ``centre__jurisdiction__path`` / ``queue_department__jurisdiction__path``.
    """
    roots = actor.scope_roots
    if not roots:
        return qs.none()
    at_centre, queued = _scope_qs(roots)
    return qs.filter(at_centre | queued)


def _scope_qs(roots: Any) -> tuple[Q, Q]:
    """(accepted at a centre in scope, queued at a department in scope) for the scope roots."""
    at_centre, queued = Q(), Q()
    for root in roots:
        at_centre |= Q(centre_path__startswith=root.path)
        queued |= Q(queue_path__startswith=root.path)
    return at_centre, queued


class ScopedPage(IdsFirst):
    """A case list in the actor's scope as the paginators read it (``count()`` and slices): the rows
    and the exact count of ``case_scope(actor, qs)`` newest first, without reading one table row per
    case in scope:

    - ``count()``: on PostgreSQL the sum of the scope's rows of ``CaseTally`` (``cases.tally``; the
      same filters as ``qs``, given as ``tallied``); elsewhere the cases accepted at a centre in scope
      plus those queued in scope but accepted elsewhere, two disjoint counts of the path indexes;
    - a slice (``core.paging.IdsFirst``): the page's ids first (an index-only walk of
      ``case_received_cover`` in list order), then only those rows with their related rows.
    """

    def __init__(self, actor: Actor, qs: QuerySet[Case], tallied: dict[str, Any]) -> None:
        self.actor, self.unscoped, self.tallied = actor, qs.order_by(), tallied
        scoped = case_scope(actor, qs).order_by("-received_at")
        super().__init__(scoped, scoped)

    def count(self) -> int:
        roots = self.actor.scope_roots
        if not roots:
            return 0
        at_centre, queued = _scope_qs(roots)
        if tally.available():
            return tally.count(at_centre, queued, self.tallied)
        return (
            self.unscoped.filter(at_centre).count() + self.unscoped.filter(queued).exclude(at_centre).count()
        )

    def select_related(self, *fields: str) -> ScopedPage:
        self.fetch = self.fetch.select_related(*fields)
        return self


WARNING_ANY = "any"  # the list filter for yellow or red


def case_list(*, actor: Actor, **filters: Any) -> QuerySet[Case]:
    """The cases in the actor's jurisdiction matching ``filters`` (``_case_filtered``), newest first."""
    return case_scope(actor, _case_filtered(**filters)).order_by("-received_at")


def case_list_page(*, actor: Actor, **filters: Any) -> ScopedPage:
    """``case_list`` (same filters, rows and order) for a paginator: counted from the tally, sliced
    by index."""
    tallied: dict[str, Any] = {k: filters[k] for k in ("state", "channel") if filters.get(k)}
    if filters.get("item"):
        tallied["item_id__in"] = Item.objects.filter(code=filters["item"]).values("pk")
    if filters.get("warning") == WARNING_ANY:
        tallied["warning__in"] = (Warning.YELLOW, Warning.RED)
    elif filters.get("warning"):
        tallied["warning"] = filters["warning"]
    if filters.get("supplemented"):
        raise ValueError("supplemented is not tallied: use case_list")
    return ScopedPage(actor, _case_filtered(**filters), tallied)


def _case_filtered(
    *,
    state: str | None = None,
    item: str | None = None,
    warning: str | None = None,
    channel: str | None = None,
    supplemented: bool = False,
) -> QuerySet[Case]:
    """Every case matching the list filters, in any jurisdiction (``case_list`` scopes it).
    ``warning="any"``: yellow or red; ``supplemented``: waiting for correction, and the resident has
    handed the materials in online since the notice (the window has to check them)."""
    qs = Case.objects.select_related("item_version", "centre", "queue_department", "applicant", "assignee")
    if state:
        qs = qs.filter(state=state)
    if item:
        qs = qs.filter(item__code=item)
    if warning == WARNING_ANY:
        qs = qs.filter(warning__in=(Warning.YELLOW, Warning.RED))
    elif warning:
        qs = qs.filter(warning=warning)
    if channel:
        qs = qs.filter(channel=channel)
    if supplemented:
        qs = (
            qs.filter(state=State.CORRECTION_NEEDED)
            .annotate(last_action=last_action())
            .filter(last_action=SUPPLEMENT_ACTION)
        )
    return qs


SUPPLEMENT_ACTION = "resident_supplement"


def last_action() -> Subquery:
    """The action of the outer case's latest timeline entry (the resident's supplement when nothing
    happened since; the portal's case page uses the same rule)."""
    return Subquery(CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-seq").values("action")[:1])


def warning_for(case: Case, today: dt.date, cal: WorkCalendar | None = None) -> str:
    """none / yellow (≤ 1 working day left) / red (past the deadline), for cases on the clock."""
    if case.state not in CLOCK_STATES or case.deadline is None:
        return Warning.NONE
    if today > case.deadline:
        return Warning.RED
    cal = cal or WorkCalendar()
    if cal.workdays_between(today, case.deadline) <= YELLOW_DAYS_BEFORE:
        return Warning.YELLOW
    return Warning.NONE


def notice_warning_for(case: Case, today: dt.date, cal: WorkCalendar | None = None) -> str:
    """For a submitted case waiting for the window check (行政许可法 art. 32, 5 working days from
    receipt): yellow from the 3rd working day, red once the period has passed (→ deemed accepted)."""
    if case.state != State.SUBMITTED:
        return Warning.NONE
    cal = cal or WorkCalendar()
    if today > notice_due(case, cal):
        return Warning.RED
    elapsed = cal.workdays_between(received_date(case), today)
    if elapsed >= NOTICE_WARN_DAYS:
        return Warning.YELLOW
    return Warning.NONE


def step_limit(state: str) -> int | None:
    limits: dict[str, int] = settings.CASE_STEP_LIMIT_DAYS
    return limits.get(state)


def step_overdue_days(case: Case, today: dt.date, cal: WorkCalendar | None = None) -> int:
    """Working days the case has spent in its current step beyond that step's own limit (0: within)."""
    limit = step_limit(case.state)
    if limit is None or case.state_since is None:
        return 0
    since = timezone.localtime(case.state_since).date()
    spent = (cal or WorkCalendar()).workdays_between(since, today)
    return max(0, spent - limit)


def chain_verify(case: Case) -> list[str]:
    """Problems in the case's timeline hash chain (empty: intact)."""
    problems: list[str] = []
    prev = ""
    expected_seq = 1
    for ev in CaseEvent.objects.filter(case=case).order_by("seq"):
        if ev.seq != expected_seq:
            problems.append(f"第{expected_seq}条记录缺失")
            expected_seq = ev.seq
        if ev.prev_hash != prev:
            problems.append(f"第{ev.seq}条记录的前序哈希不连续")
        if ev.compute_hash() != ev.hash:
            problems.append(f"第{ev.seq}条记录内容被改动")
        prev = ev.hash
        expected_seq += 1
    return problems


# --- helpers shared by the pages and the API -----------------------------------------------------

PROGRESS_NOT_FOUND = "未找到该办件，请核对办件编号和校验码"


def case_handled_by(actor: Actor, case: Case) -> bool:
    """Whether ``actor`` handles ``case`` (own centre, own department's queue, or assignee):
    only they see the applicant's personal data in full."""
    staff = actor.staff
    if staff is None:
        return False
    return bool(
        (staff.centre_id and staff.centre_id == case.centre_id)
        or (staff.department_id and staff.department_id == case.queue_department_id)
        or case.assignee_id == actor.user_id
    )


# the public progress look-up: its statement compiled once per thread (onewindow.core.prepared)
_case_by_number: PreparedFirst[Case] = PreparedFirst(
    lambda number: (
        Case.objects.select_related("applicant", "item_version", "centre")
        .filter(number=number)
        .order_by("pk")
    ),
    1,
)


def progress_lookup(number: str, check: str) -> Case:
    """The case if ``check`` is the last 4 characters of the ID number or phone of the case's
    applicant as given at intake (the snapshot on the case).

    A wrong check and an unknown number raise the same ``NotFound`` (existence does not leak).
    """
    check = (check or "").strip().upper()
    case = _case_by_number((number or "").strip())
    if case is None or len(check) != 4:
        raise NotFound(PROGRESS_NOT_FOUND, code="not_found")
    # the case's own applicant snapshot, never the shared resident record (which others may update)
    if check not in {(case.applicant_id_number or "")[-4:].upper(), (case.applicant_phone or "")[-4:]}:
        raise NotFound(PROGRESS_NOT_FOUND, code="not_found")
    return case


def case_queue(*, actor: Actor) -> QuerySet[Case]:
    """The back-office queue: accepted / in review / suspended cases of the actor's department
    (a centre head or supervisor without a department sees every department in the jurisdiction)."""
    qs = case_list(actor=actor).filter(state__in=QUEUE_STATES)
    staff = actor.staff
    if staff is not None and staff.department_id:
        qs = qs.filter(queue_department_id=staff.department_id)
    return qs.order_by("deadline", "received_at")


def case_output_list(*, actor: Actor) -> QuerySet[Case]:
    """The unified output window: decided cases to put out (approved/denied) and results to hand over
    (without those already collected, e.g. by the village agent: ``core.handout``)."""
    qs = case_list(actor=actor).filter(state__in=OUTPUT_STATES)
    return without_handed_out(qs).order_by("decided_at", "received_at")


def case_warning_board(*, actor: Actor, today: dt.date) -> list[dict[str, Any]]:
    """Cases on the clock in the jurisdiction that are yellow (≤ 1 working day left) or red (overdue),
    red first, with the working days overdue."""
    cal = WorkCalendar()
    # A yellow case's deadline is at most one working day away: three weeks covers any holiday.
    horizon = today + dt.timedelta(days=21)
    rows: list[dict[str, Any]] = []
    qs = case_list(actor=actor).filter(state__in=CLOCK_STATES, deadline__isnull=False, deadline__lte=horizon)
    for case in qs.order_by("deadline", "received_at"):
        level = warning_for(case, today, cal)
        if level == Warning.NONE:
            continue
        overdue = cal.workdays_between(case.deadline, today) if level == Warning.RED else 0  # type: ignore[arg-type]
        rows.append({"case": case, "warning": level, "days_overdue": overdue})
    rows.sort(key=lambda r: (r["warning"] != Warning.RED, r["case"].deadline))
    return rows


def case_notice_board(*, actor: Actor, today: dt.date) -> list[dict[str, Any]]:
    """行政许可法 art. 32 on the supervisor board: applications waiting for the window check from the
    3rd working day after receipt (yellow), and open cases accepted by law because no notice came in
    5 working days (red, 逾期未告知视为受理), red first."""
    cal = WorkCalendar()
    rows: list[dict[str, Any]] = []
    base = case_list(actor=actor).select_related("item_version", "centre", "queue_department")
    for case in base.filter(deemed_accepted=True, state__in=OPEN_STATES).order_by("received_at"):
        rows.append(
            {
                "case": case,
                "warning": Warning.RED,
                "received": received_date(case),
                "due": notice_due(case, cal),
            }
        )
    for case in base.filter(state=State.SUBMITTED).order_by("received_at"):
        level = notice_warning_for(case, today, cal)
        if level != Warning.NONE:
            rows.append(
                {
                    "case": case,
                    "warning": level,
                    "received": received_date(case),
                    "due": notice_due(case, cal),
                }
            )
    rows.sort(key=lambda r: r["warning"] != Warning.RED)
    return rows


def case_step_overdue_list(*, actor: Actor, today: dt.date) -> list[dict[str, Any]]:
    """Cases in the jurisdiction that stay in a step longer than that step's own limit
    (``CASE_STEP_LIMIT_DAYS``), most overdue first."""
    cal = WorkCalendar()
    limited = [s for s in State.values if step_limit(s) is not None]
    rows: list[dict[str, Any]] = []
    for case in case_list(actor=actor).filter(state__in=limited, state_since__isnull=False):
        over = step_overdue_days(case, today, cal)
        if over > 0:
            rows.append({"case": case, "days_over": over, "limit": step_limit(case.state)})
    rows.sort(key=lambda r: -r["days_over"])
    return rows


APPLICANT_FIELDS = {"name": "姓名/名称", "phone": "联系电话", "address": "地址"}


def applicant_differences(case: Case) -> list[str]:
    """The fields in which the case's applicant (as given at intake) differs from the resident record
    (shown to the clerk as 与档案不一致; the record itself is not changed by an intake)."""
    r = case.applicant
    given = {"name": case.applicant_name, "phone": case.applicant_phone, "address": case.applicant_address}
    return [f for f in APPLICANT_FIELDS if given[f] and (getattr(r, f) or "") != given[f]]


def applicant_display(case: Case, full: bool) -> dict[str, Any]:
    """The applicant for display: in full only for those handling the case (log that view),
    otherwise masked (an enterprise's name and credit code are public registry data)."""
    # The case's own snapshot (as given at intake, or as corrected on this case), not the resident record.
    kind, name, number = case.applicant_kind, case.applicant_name or "", case.applicant_id_number or ""
    phone, address = case.applicant_phone or "", case.applicant_address or ""
    if full:
        return {"kind": kind, "name": name, "id_number": number, "phone": phone, "address": address,
                "masked": False, "differs": applicant_differences(case)}  # fmt: skip
    person = kind == "person"
    return {
        "kind": kind,
        "name": mask_name(name) if person else name,
        "id_number": mask_id_number(number) if person else number,
        "phone": mask_phone(phone),
        "address": mask_address(address),
        "masked": True,
        "differs": [],
    }


NOTICE_ACTIONS = ("request_correction", "correction_override")


def supplemented_online(case: Case) -> set[str]:
    """The codes of the materials the applicant handed in online (``resident_supplement``) since the
    latest one-time notice: received, still to be checked at the window."""
    if case.state != State.CORRECTION_NEEDED:
        return set()
    last_notice = (
        case.events.filter(action__in=NOTICE_ACTIONS).order_by("-seq").values_list("seq", flat=True).first()
    )
    events = case.events.filter(action="resident_supplement")
    if last_notice is not None:
        events = events.filter(seq__gt=last_notice)
    codes: set[str] = set()
    for data in events.values_list("data", flat=True):
        for m in (data or {}).get("materials", []) if isinstance(data, dict) else []:
            if isinstance(m, dict) and m.get("code"):
                codes.add(str(m["code"]))
    return codes
