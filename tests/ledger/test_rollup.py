from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onewindow.cases.workflow import TRANSITIONS
from onewindow.core.errors import DomainError
from onewindow.ledger import fold, rollup
from onewindow.ledger.models import Contribution, Fact
from onewindow.org.actors import actor_of
from onewindow.queueing import services as queue
from onewindow.queueing.models import Ticket
from tests.cases.conftest import ALL_MATERIALS, act, intake, user

pytestmark = pytest.mark.django_db


def total(field: str, **flt: Any) -> int:
    fold.fold()
    return int(Fact.objects.filter(**flt).aggregate(s=Sum(field))["s"] or 0)


def test_case_measures_on_time_late_and_working_days(ledger_world: dict[str, Any], clock: Any) -> None:
    clock.set_day(dt.date(2026, 9, 1))  # Tuesday; MZ-001 promised 10 working days
    on_time = intake()
    late = intake(
        applicant={
            "kind": "person",
            "name": "乌云",
            "id_number": "11010519491231002X",
            "phone": "13912345678",
        }
    )
    assert on_time.deadline == dt.date(2026, 9, 15)
    clock.set_day(dt.date(2026, 9, 8))
    act("reviewer", on_time, "approve")
    clock.set_day(dt.date(2026, 9, 16))
    act("reviewer", late, "deny", reason="不符合条件", basis="《最低生活保障审核确认办法》第十条")
    assert total("received") == 2
    assert total("accepted") == 2
    assert total("approved") == 1 and total("denied") == 1
    assert total("on_time") == 1 and total("late") == 1
    # 5 working days (9-2 … 9-8) + 11 working days (9-2 … 9-16)
    assert total("workdays_sum") == 5 + 11
    sept8 = Fact.objects.get(day=dt.date(2026, 9, 8))
    assert sept8.approved == 1 and sept8.on_time == 1
    assert sept8.clerk_id == user("clerk").pk and sept8.centre_id == ledger_world["centres"]["a"].pk
    assert sept8.jpath == ledger_world["ta"].path and sept8.month == "2026-09"


def test_corrections_rejections_proxy_and_delivery(ledger_world: dict[str, Any], clock: Any) -> None:
    clock.set_day(dt.date(2026, 9, 1))
    c1 = intake(materials=[{"code": "M01", "provided": True}])  # correction notice at intake
    act("clerk", c1, "supplement", materials=ALL_MATERIALS)
    c2 = intake(channel="proxy")
    act("clerk", c2, "reject", reason="不属于受理范围", note="《条例》第3条")
    c3 = intake(channel="online")
    act("clerk", c3, "withdraw")
    act("reviewer", c1, "approve")
    act("reviewer", c1, "ready")
    act("clerk", c1, "deliver", to="window", signed_by="巴特尔")
    assert total("received") == 3
    assert total("proxy_received") == 1
    assert total("corrections") == 1
    assert total("accepted") == 1
    assert total("not_accepted") == 1
    assert total("withdrawn") == 1
    assert total("delivered") == 1
    assert total("approved") == 1 and total("on_time") == 1


def test_failed_transition_leaves_rollups_untouched(ledger_world: dict[str, Any], clock: Any) -> None:
    case = intake()
    fold.fold()  # the events, then the fold: the incremental rollups
    before = rollup.snapshot()
    with pytest.raises(DomainError):
        act("reviewer", case, "deny")  # reason required
    with pytest.raises(DomainError):
        act("clerk", case, "deliver", to="window", signed_by="x")  # invalid transition
    fold.fold()
    assert rollup.snapshot() == before


def test_tickets_issued_served_and_waiting(ledger_world: dict[str, Any], clock: Any) -> None:
    w1 = ledger_world["centres"]["a"].windows.get(number=1)
    clock.now = clock.now.replace(hour=9, minute=0)
    t1 = queue.ticket_issue(centre="C-A", category="comprehensive")
    queue.ticket_issue(centre="C-A", category="comprehensive")
    clock.now = clock.now.replace(hour=9, minute=25)
    called = queue.ticket_call_next(actor=actor_of(user("clerk")), window=w1.pk)
    assert called.pk == t1.pk
    queue.ticket_act(actor=actor_of(user("clerk")), ticket=t1.pk, action="serve")
    clock.now = clock.now.replace(hour=9, minute=40)
    queue.ticket_act(actor=actor_of(user("clerk")), ticket=t1.pk, action="finish")
    assert total("tickets_issued") == 2
    assert total("tickets_served") == 1
    assert total("wait_minutes") == 25
    served = Fact.objects.get(tickets_served=1)
    assert served.window_id == w1.pk and served.clerk_id == user("clerk").pk
    assert Contribution.objects.filter(kind="ticket").count() == 2
    fold.fold()  # the events, then the fold: the incremental rollups
    before = rollup.snapshot()
    rollup.rebuild()
    assert rollup.snapshot() == before


def test_rebuild_command_with_range(ledger_world: dict[str, Any], clock: Any) -> None:
    clock.set_day(dt.date(2026, 9, 1))
    case = intake()
    clock.set_day(dt.date(2026, 9, 3))
    act("reviewer", case, "approve")
    fold.fold()  # the events, then the fold: the incremental rollups
    before = rollup.snapshot()
    Fact.objects.filter(day=dt.date(2026, 9, 3)).update(approved=99)
    call_command("ledger", "rebuild", "--from", "2026-09-02", "--to", "2026-09-30")
    assert rollup.snapshot() == before
    Fact.objects.all().delete()
    call_command("ledger", "rebuild")
    assert rollup.snapshot() == before


# --- incremental == rebuilt after random sequences ------------------------------------------------

PEOPLE = ["巴特尔", "乌云", "其其格", "那顺", "萨仁"]


def id_number(seq: int) -> str:
    body = f"15252219800101{seq % 1000:03d}"
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * k for c, k in zip(body, w, strict=True)) % 11]


IDS = [id_number(i) for i in range(1, 6)]
ACTIONS = [
    ("clerk", "accept", {}),
    ("clerk", "request_correction", {"materials": [{"code": "M01", "provided": True}]}),
    ("clerk", "supplement", {"materials": ALL_MATERIALS}),
    ("clerk", "reject", {"reason": "不符合受理条件", "note": "依据第5条"}),
    ("reviewer", "assign", {}),
    ("reviewer", "approve", {}),
    ("reviewer", "deny", {"reason": "条件不符", "basis": "《最低生活保障审核确认办法》第十条"}),
    ("reviewer", "suspend", {"reason": "专家评审"}),
    ("reviewer", "resume", {}),
    ("head", "extend", {"days": 2, "reason": "情况复杂"}),
    ("reviewer", "ready", {}),
    ("clerk", "deliver", {"to": "window", "signed_by": "本人"}),
    ("clerk", "withdraw", {}),
]
# progress is more likely than giving up: the forward steps appear twice
ACTIONS += [
    a for a in ACTIONS if a[1] in {"accept", "supplement", "assign", "approve", "deny", "ready", "deliver"}
]

walk = st.lists(st.tuples(st.integers(0, 4), st.integers(0, len(ACTIONS) - 1)), max_size=8)
step = st.one_of(
    st.tuples(
        st.just("case"),
        st.integers(0, 3),  # days to advance before the intake
        st.sampled_from(["window", "online", "proxy"]),
        st.sampled_from(["MZ-001", "MZ-002"]),
        st.booleans(),  # materials complete
        walk,  # then a random walk through the allowed actions, each some days later
    ),
    st.tuples(
        st.just("ticket"), st.integers(0, 1), st.sampled_from(["issue", "call", "serve", "finish", "skip"])
    ),
)


def _walk(case: Any, moves: list[tuple[int, int]], day: dt.date, clock: Any) -> dt.date:
    for days, idx in moves:
        case.refresh_from_db()
        valid = [a for a in ACTIONS if case.state in TRANSITIONS[a[1]].sources]
        if not valid:
            break
        day += dt.timedelta(days=days)
        clock.set_day(day, hour=9 + idx % 8)
        username, action, kw = valid[idx % len(valid)]
        with contextlib.suppress(DomainError):
            act(username, case, action, **kw)
    return day


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=12))
def test_incremental_equals_rebuild(ledger_world: dict[str, Any], clock: Any, steps: list[Any]) -> None:
    """Random case lives (intake, corrections, transitions, decisions on random days) and queue
    tickets: the rollups kept by the receivers equal a full recomputation. (The database is shared
    by the examples of one run, so later examples build on earlier ones.)"""
    w1 = ledger_world["centres"]["a"].windows.get(number=1)
    day = dt.date(2026, 9, 1)
    for n, s in enumerate(steps):
        day += dt.timedelta(days=s[1])
        clock.set_day(day, hour=9 + n % 7)
        try:
            if s[0] == "case":
                _, _, channel, item, complete, moves = s
                case = intake(
                    channel=channel,
                    item=item,
                    applicant={
                        "kind": "person",
                        "name": PEOPLE[n % len(PEOPLE)],
                        "id_number": IDS[n % len(IDS)],
                        "phone": "13912345678",
                    },
                    materials=ALL_MATERIALS if complete else [{"code": "M01", "provided": True}],
                )
                day = _walk(case, moves, day, clock)
            else:
                op = s[2]
                if op == "issue":
                    queue.ticket_issue(centre="C-A", category="comprehensive")
                elif op == "call":
                    queue.ticket_call_next(actor=actor_of(user("clerk")), window=w1.pk)
                else:
                    t = Ticket.objects.filter(state__in=["called", "serving"]).order_by("pk").first()
                    if t is not None:
                        queue.ticket_act(actor=actor_of(user("clerk")), ticket=t.pk, action=op)
        except DomainError:
            pass
    fold.fold()  # incremental = the logged events, then the fold
    incremental = rollup.snapshot()
    rollup.rebuild()
    assert rollup.snapshot() == incremental


def test_coarse_month_and_day_rows_sum_like_the_fine_facts(ledger_world: dict[str, Any], clock: Any) -> None:
    from onewindow.ledger import selectors

    day = dt.date(2026, 8, 10)
    cases = []
    while day < dt.date(2026, 10, 25):
        clock.set_day(day)
        cases.append(intake(channel="proxy" if day.day % 3 == 0 else "window"))
        if cases[-1].state == "submitted":
            act("clerk", cases[-1], "accept")
        if len(cases) > 3:
            act(
                "reviewer",
                cases[-4],
                "approve" if day.day % 2 else "deny",
                reason="不符合",
                basis="《最低生活保障审核确认办法》第十条",
            )
        day += dt.timedelta(days=4)
    county = ledger_world["county"]
    fold.fold()
    periods = [
        (dt.date(2026, 8, 15), dt.date(2026, 10, 20)),
        (dt.date(2026, 9, 1), dt.date(2026, 9, 30)),
        (dt.date(2026, 8, 1), dt.date(2026, 10, 31)),
        (dt.date(2026, 8, 31), dt.date(2026, 9, 1)),
        (dt.date(2026, 9, 5), dt.date(2026, 9, 5)),
    ]
    for a, b in periods:
        fine = selectors.totals(selectors.facts(county, a, b, fine=True))
        assert fine == selectors.totals(selectors.facts(county, a, b)), (a, b)
        assert fine == selectors.totals(selectors.facts(county, a, b, daily=True)), (a, b)
    whole = selectors.facts(county, dt.date(2026, 8, 1), dt.date(2026, 10, 31))
    assert set(whole.values_list("grain", flat=True)) == {"month"}  # whole months: month rows only
    assert selectors.totals(whole)["received"] == len(cases)
    months = {r["key"]: r["received"] for r in selectors.grouped(whole, "month")}
    assert sum(months.values()) == len(cases) and set(months) == {"2026-08", "2026-09", "2026-10"}
