"""Ratings, complaints and proxy requests in the rollups (receivers of the other apps' signals)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import Sum

from onewindow.core import signals
from onewindow.feedback.models import Complaint, Rating
from onewindow.ledger import fold, rollup, selectors
from onewindow.ledger.models import Fact
from tests.cases.conftest import act, intake, user
from tests.ledger.conftest import TZ

pytestmark = pytest.mark.django_db


def total(field: str) -> int:
    fold.fold()
    return int(Fact.objects.aggregate(s=Sum(field))["s"] or 0)


def _rating(case: Any, level: int, channel: str, **kw: Any) -> Rating:
    r = Rating.objects.create(
        case=case,
        centre=case.centre,
        item_id=case.item_id,
        level=level,
        channel=channel,
        created_at=kw.pop("created_at", dt.datetime(2026, 9, 10, 10, tzinfo=TZ)),
        **kw,
    )
    signals.rating_changed.send(sender=Rating, rating=r, action="defaulted" if r.is_default else "created")
    return r


def test_ratings_levels_default_void_and_rates(ledger_world: dict[str, Any], clock: Any) -> None:
    clock.set_day(dt.date(2026, 9, 1))
    case = intake()
    act("reviewer", case, "approve")
    _rating(case, 5, "online")
    _rating(case, 4, "sms")
    bad = _rating(case, 1, "window")
    _rating(case, 3, "default", is_default=True)
    assert (total("rating_5"), total("rating_4"), total("rating_3"), total("rating_1")) == (1, 1, 1, 1)
    assert total("ratings_default") == 1
    t = selectors.totals(Fact.objects.all())
    # 满意率 = 好评 (levels 3–5, the default 基本满意 included) ÷ valid ratings
    assert t["ratings"] == 4 and t["good"] == 3 and t["bad"] == 1
    assert t["satisfaction_rate"] == 0.75 and t["good_rate"] == 0.75
    # appeal voids the bad rating: it leaves every rate
    bad.voided = True
    bad.save()
    signals.rating_changed.send(sender=Rating, rating=bad, action="voided")
    fold.fold()
    t = selectors.totals(Fact.objects.all())
    assert t["ratings"] == 3 and t["rating_1"] == 0 and t["ratings_voided"] == 1
    assert t["satisfaction_rate"] == 1.0 and t["bad"] == 0
    row = Fact.objects.get(rating_5=1)
    assert (
        row.clerk_id == user("clerk").pk and row.item_id == case.item_id and row.day == dt.date(2026, 9, 10)
    )
    fold.fold()  # the events, then the fold: the incremental rollups
    before = rollup.snapshot()
    rollup.rebuild()
    assert rollup.snapshot() == before


def test_default_ratings_through_the_feedback_service(ledger_world: dict[str, Any], clock: Any) -> None:
    from onewindow.feedback.services import rating_apply_defaults

    clock.set_day(dt.date(2026, 9, 1))
    case = intake()
    act("reviewer", case, "approve")
    act("reviewer", case, "ready")
    act("clerk", case, "deliver", to="window", signed_by="巴特尔")
    assert rating_apply_defaults(now=dt.datetime(2026, 9, 20, 10, tzinfo=TZ)) == 1
    assert total("rating_3") == 1 and total("ratings_default") == 1
    fold.fold()  # the events, then the fold: the incremental rollups
    before = rollup.snapshot()
    rollup.rebuild()
    assert rollup.snapshot() == before


def _complaint(n: int, ledger_world: dict[str, Any], created: dt.datetime) -> Complaint:
    c = Complaint.objects.create(
        number=f"TS{n:06d}",
        check_code="1234",
        category="complaint",
        source="online",
        content="排队太久",
        centre=ledger_world["centres"]["a"],
        jurisdiction=ledger_world["ta"],
        step_deadline=created.date(),
        created_at=created,
    )
    signals.complaint_event.send(sender=Complaint, complaint=c, action="created")
    return c


def test_complaints_received_closed_and_late(ledger_world: dict[str, Any], settings: Any) -> None:
    settings.LEDGER_COMPLAINT_DAYS = 15
    on_time = _complaint(1, ledger_world, dt.datetime(2026, 9, 1, 9, tzinfo=TZ))
    late = _complaint(2, ledger_world, dt.datetime(2026, 9, 1, 9, tzinfo=TZ))
    _complaint(3, ledger_world, dt.datetime(2026, 9, 2, 9, tzinfo=TZ))
    for c, closed in (
        (on_time, dt.datetime(2026, 9, 10, 9, tzinfo=TZ)),
        (late, dt.datetime(2026, 9, 30, 9, tzinfo=TZ)),
    ):
        c.state, c.closed_at = "closed", closed
        c.save()
        signals.complaint_event.send(sender=Complaint, complaint=c, action="closed")
    assert total("complaints_received") == 3
    assert total("complaints_closed") == 2
    assert total("complaints_late") == 1  # 9-1 → 9-30: 21 working days > 15
    assert Fact.objects.get(complaints_late=1).day == dt.date(2026, 9, 30)
    assert (
        Fact.objects.filter(complaints_received__gt=0).get(day=dt.date(2026, 9, 1)).complaints_received == 2
    )
    fold.fold()  # the events, then the fold: the incremental rollups
    before = rollup.snapshot()
    rollup.rebuild()
    assert rollup.snapshot() == before


def test_proxy_requests_per_agent_and_village(ledger_world: dict[str, Any]) -> None:
    from django.test import Client

    from tests.conftest import otp_verify_session
    from tests.proxy.conftest import Api, entrust
    from tests.proxy.test_api import intake as proxy_intake

    c = Client()
    c.force_login(user("agent"))
    otp_verify_session(c, user("agent"))
    agent = Api(c)
    ent = entrust(agent).json()
    assert proxy_intake(agent, ent["id"]).status_code == 201
    assert total("proxy_requests") == 1
    row = Fact.objects.get(proxy_requests=1)
    assert row.agent_id == user("agent").pk and row.jurisdiction_id == ledger_world["va"].pk
    rows = selectors.grouped(Fact.objects.all(), "agent")
    assert rows[0]["label"] == "代办员甲一" and rows[0]["proxy_requests"] == 1
    fold.fold()  # the events, then the fold: the incremental rollups
    before = rollup.snapshot()
    rollup.rebuild()
    assert rollup.snapshot() == before
