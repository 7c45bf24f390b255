"""好差评: rating, rectification to closure (and red when late), default ratings, appeal, bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import get_user_model

from onewindow.core import signals
from onewindow.core.errors import Conflict, Forbidden, Invalid, NotFound
from onewindow.feedback import selectors, services
from onewindow.feedback.models import Rating, RatingChannel, Rectification, RectState
from onewindow.notify.models import Notification
from onewindow.org.actors import actor_of
from onewindow.queueing.models import Ticket, TicketState
from tests.cases.conftest import act, intake
from tests.feedback.conftest import RATED_AT, delivered_case, set_delivered_at

pytestmark = pytest.mark.django_db
CHECK = "002X"  # last 4 of the applicant's ID number (tests.cases.conftest.GOOD_ID)


def user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def __call__(self, sender: Any, **kw: Any) -> None:
        self.calls.append((kw["action"], kw.get("rating") or kw.get("complaint")))


@pytest.fixture
def rating_signals() -> Any:
    rec = Recorder()
    signals.rating_changed.connect(rec, weak=False)
    yield rec
    signals.rating_changed.disconnect(rec)


def test_good_rating_is_real_name_and_opens_no_rectification(
    world: Any, today: Any, rating_signals: Any
) -> None:
    case = delivered_case()
    r = services.rating_submit(
        number=case.number, check=CHECK, level=5, comment="很快", indicators={"overall": 5, "efficiency": 4}
    )
    assert r.real_name and not r.is_default and r.centre.code == "C-A" and r.item_id == case.item_id
    assert r.channel == RatingChannel.ONLINE and r.indicators == {"overall": 5, "efficiency": 4}
    assert r.staff_user == user("clerk")
    assert not Rectification.objects.exists()
    assert rating_signals.calls == [("created", r)]
    # the phone's last 4 digits are a valid check as well, on another channel
    r2 = services.rating_submit(number=case.number, check="5678", level=4, channel="sms")
    assert r2.channel == "sms"


def test_bad_rating_drives_rectification_to_closure_within_deadline(
    world: Any, today: Any, head: Any, rating_signals: Any
) -> None:
    case = delivered_case()
    r = services.rating_submit(number=case.number, check=CHECK, level=2, comment="等了很久", now=RATED_AT)
    rect = Rectification.objects.get(rating=r)
    assert rect.state == RectState.CALLBACK and rect.centre.code == "C-A"
    inbox = Notification.objects.get(template="rating_bad")
    assert inbox.user == head.user and inbox.channel == "inbox" and "2026-10-26" in inbox.body
    # 15 working days on the official calendar: National Day off, Sat 10-10 worked
    assert rect.opened_on == dt.date(2026, 9, 29) and rect.deadline == dt.date(2026, 10, 26)
    assert services.rectification_warning(rect, dt.date(2026, 10, 9)) == "none"
    assert services.rectification_warning(rect, dt.date(2026, 10, 23)) == "yellow"

    # rectify before calling back: refused, nothing changes
    with pytest.raises(Conflict) as exc:
        services.rectification_close(
            actor=actor_of(head.user), pk=rect.pk, outcome="rectified", note="x", public_note="x"
        )
    assert exc.value.code == "callback_first"
    # the outsider (township B) cannot see it at all
    with pytest.raises(NotFound):
        services.rectification_callback(actor=actor_of(user("outsider")), pk=rect.pk, note="x")

    services.rectification_callback(actor=actor_of(head.user), pk=rect.pk, note="已电话回访，情况属实")
    closed_at = dt.datetime(2026, 10, 20, 15, 0, tzinfo=dt.UTC)
    rect = services.rectification_close(
        actor=actor_of(head.user),
        pk=rect.pk,
        outcome="rectified",
        note="增设周六延时窗口",
        public_note="已增设延时服务窗口，群众电话13912345678已回访",
        now=closed_at,
    )
    assert rect.state == RectState.CLOSED and rect.outcome == "rectified"
    assert "13912345678" not in rect.public_note and "139****5678" in rect.public_note
    assert services.rectification_warning(rect, dt.date(2026, 12, 1)) == "none"  # closed in time
    assert [a for a, _ in rating_signals.calls] == ["created", "callback", "rectified"]

    # the rater scores the fix, once
    rect = services.rectification_rate_fix(number=case.number, check=CHECK, level=4)
    assert rect.fix_level == 4
    with pytest.raises(Conflict):
        services.rectification_rate_fix(number=case.number, check=CHECK, level=5)

    public = selectors.rectification_public()
    assert public[0]["outcome"] == "已整改" and public[0]["on_time"] is True
    assert "巴特尔" not in str(public) and case.number not in str(public)


def test_rectification_turns_red_when_late(world: Any, today: Any, head: Any) -> None:
    case = delivered_case()
    r = services.rating_submit(number=case.number, check=CHECK, level=1, comment="太慢", now=RATED_AT)
    rect = r.rectification
    assert services.rectification_warning(rect, dt.date(2026, 10, 26)) == "yellow"
    assert services.rectification_warning(rect, dt.date(2026, 10, 27)) == "red"
    with mock.patch("onewindow.feedback.services.local_today", return_value=dt.date(2026, 10, 27)):
        rows = selectors.rectification_list(actor=actor_of(head.user))
    assert rows[0]["rect"] == rect and rows[0]["warning"] == "red"
    # closing late keeps it red in the record
    services.rectification_callback(actor=actor_of(head.user), pk=rect.pk, note="已回访")
    rect = services.rectification_close(
        actor=actor_of(head.user),
        pk=rect.pk,
        outcome="explained",
        note="申请不符合法定条件，已解释",
        public_note="已向群众解释政策依据",
        now=dt.datetime(2026, 10, 28, 3, 0, tzinfo=dt.UTC),
    )
    assert services.rectification_warning(rect, dt.date(2026, 10, 28)) == "red"
    assert selectors.rectification_public()[0]["on_time"] is False


def test_default_ratings_are_idempotent(world: Any, today: Any, rating_signals: Any) -> None:
    old = delivered_case()
    recent = delivered_case()
    rated = delivered_case()
    open_case = intake()
    now = dt.datetime(2026, 10, 20, 2, 0, tzinfo=dt.UTC)
    set_delivered_at(old, now - dt.timedelta(days=7, minutes=1))
    set_delivered_at(recent, now - dt.timedelta(days=6, hours=23))
    set_delivered_at(rated, now - dt.timedelta(days=30))
    services.rating_submit(number=rated.number, check=CHECK, level=4)

    assert services.rating_apply_defaults(now=now) == 1
    assert services.rating_apply_defaults(now=now) == 0  # idempotent
    d = Rating.objects.get(is_default=True)
    assert d.case == old and d.level == 3 and d.channel == RatingChannel.DEFAULT and not d.real_name
    assert not Rating.objects.filter(case__in=[recent, open_case], is_default=True).exists()
    assert ("defaulted", d) in rating_signals.calls

    # the configured period applies; the periodic task runs the same function
    with mock.patch("onewindow.feedback.services.ratings.default_days", return_value=6):
        assert services.rating_apply_defaults(now=now) == 1
    # a late real rating supersedes the default (which leaves every rate)
    services.rating_submit(number=old.number, check=CHECK, level=5)
    d.refresh_from_db()
    assert d.voided
    assert selectors.rating_rates(Rating.objects.filter(case=old))["total"] == 1


def test_appeal_voids_rating_and_rate_changes(world: Any, today: Any, head: Any, rating_signals: Any) -> None:
    good = delivered_case()
    bad = delivered_case()
    services.rating_submit(number=good.number, check=CHECK, level=5)
    r = services.rating_submit(number=bad.number, check=CHECK, level=1, comment="恶意评价")
    before = selectors.rating_summary()[0]
    assert before["code"] == "C-A" and before["total"] == 2 and before["rate"] == 0.5 and before["bad"] == 1

    # only the handling unit's head appeals; only a supervisor decides
    with pytest.raises(Forbidden):
        services.rating_appeal(actor=actor_of(user("clerk")), rating=r.pk, reason="x")
    with pytest.raises(Invalid):
        services.rating_appeal(actor=actor_of(head.user), rating=r.pk, reason="  ")
    appeal = services.rating_appeal(
        actor=actor_of(head.user), rating=r.pk, reason="评价人非申请人，系恶意评价"
    )
    with pytest.raises(Conflict):
        services.rating_appeal(actor=actor_of(head.user), rating=r.pk, reason="再次申诉")
    with pytest.raises(Forbidden):
        services.rating_appeal_decide(actor=actor_of(head.user), appeal=appeal.pk, decision="void", note="x")
    appeal = services.rating_appeal_decide(
        actor=actor_of(user("supervisor")), appeal=appeal.pk, decision="void", note="经核实为误评，予以作废"
    )
    assert appeal.state == "voided" and appeal.decided_by == user("supervisor")
    r.refresh_from_db()
    assert r.voided and r.void_reason == "经核实为误评，予以作废"
    assert Rectification.objects.get(rating=r).state == RectState.VOIDED
    after = selectors.rating_summary()[0]
    assert after["total"] == 1 and after["rate"] == 1.0 and after["bad"] == 0
    assert ("voided", r) in rating_signals.calls


def test_appeal_kept_changes_nothing(world: Any, today: Any, head: Any) -> None:
    case = delivered_case()
    r = services.rating_submit(number=case.number, check=CHECK, level=2, comment="太慢")
    a = services.rating_appeal(actor=actor_of(head.user), rating=r.pk, reason="不同意")
    services.rating_appeal_decide(
        actor=actor_of(user("supervisor")), appeal=a.pk, decision="keep", note="评价属实，维持"
    )
    r.refresh_from_db()
    assert not r.voided and selectors.rating_summary()[0]["bad"] == 1


@pytest.mark.parametrize("level", [0, 6, -1, "5", True, None])
def test_out_of_range_level_saves_nothing(world: Any, today: Any, level: Any) -> None:
    case = delivered_case()
    with pytest.raises(Invalid) as exc:
        services.rating_submit(number=case.number, check=CHECK, level=level)
    assert exc.value.code == "invalid_level" and "level" in exc.value.details
    assert not Rating.objects.exists()


def test_twice_on_one_channel_wrong_check_and_open_case(world: Any, today: Any) -> None:
    case = delivered_case()
    services.rating_submit(number=case.number, check=CHECK, level=3)
    with pytest.raises(Conflict) as exc:
        services.rating_submit(number=case.number, check=CHECK, level=1, comment="太慢")
    assert exc.value.code == "already_rated"
    with pytest.raises(NotFound):
        services.rating_submit(number=case.number, check="9999", level=4, channel="sms")
    with pytest.raises(NotFound):
        services.rating_submit(number="nope", check=CHECK, level=4, channel="sms")
    open_case = intake()
    with pytest.raises(Conflict) as exc:
        services.rating_submit(number=open_case.number, check=CHECK, level=4)
    assert exc.value.code == "not_ratable"
    with pytest.raises(Invalid) as exc:
        services.rating_submit(number=case.number, check=CHECK, level=4, channel="sms", indicators={"x": 3})
    assert exc.value.code == "invalid_indicators"
    assert Rating.objects.count() == 1 and not Rectification.objects.exists()


def test_not_accepted_case_can_be_rated(world: Any, today: Any) -> None:
    case = intake(materials=[{"code": "M01", "provided": True}, {"code": "M02", "provided": False}])
    case = act("clerk", case, "reject", reason="不符合申请条件", basis="《行政许可法》第三十二条")
    r = services.rating_submit(number=case.number, check=CHECK, level=4)
    assert r.case == case


def test_window_pad_rates_the_ticket_just_served(world: Any, today: Any, settings: Any) -> None:
    from onewindow.feedback.services import pad
    from onewindow.org.models import Window
    from onewindow.queueing import services as q

    settings.QUEUE_ENFORCE_HOURS = False
    case = delivered_case()
    clerk = user("clerk")
    window = world["centres"]["a"].windows.get(number=1)
    other = Window.objects.create(centre=window.centre, number=2, name="综合受理二", kind="comprehensive")
    q.ticket_issue(centre="C-A", category="comprehensive")
    t = q.ticket_call_next(actor=actor_of(clerk), window=window.pk)
    q.ticket_act(actor=actor_of(clerk), ticket=t.pk, action="serve")
    assert pad.pad_visit(window) is None  # still serving
    q.ticket_act(actor=actor_of(clerk), ticket=t.pk, action="finish", case_number=case.number)
    assert Ticket.objects.get(pk=t.pk).state == TicketState.DONE
    assert pad.pad_visit(window).pk == t.pk and pad.pad_visit(other) is None
    r = pad.rating_submit_pad(
        window=window, ticket=t.pk, level=2, indicators={"attitude": 2}, comment="等候时间太长"
    )
    assert r.case == case and r.centre.code == "C-A" and r.channel == "window" and r.staff_user == clerk
    assert Rectification.objects.filter(rating=r).exists()
    assert pad.pad_visit(window) is None
    with pytest.raises(Conflict):
        pad.rating_submit_pad(window=window, ticket=t.pk, level=5)
    with pytest.raises(NotFound):  # another window's pad rates only its own visits
        pad.rating_submit_pad(window=other, ticket=t.pk, level=5)
    with pytest.raises(Invalid):  # an online indicator on the offline pad
        pad.rating_submit_pad(window=window, ticket=t.pk, level=5, indicators={"operability": 5})
