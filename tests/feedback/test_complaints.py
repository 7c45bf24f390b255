"""Complaints, suggestions, 民情信息: 收集→报送→交办→办理→反馈→公示, an owner and a deadline each step."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from onewindow.core import signals
from onewindow.core.errors import Conflict, Forbidden, Invalid, NotFound
from onewindow.feedback import selectors, services
from onewindow.feedback.models import Complaint, ComplaintState
from onewindow.notify.models import Notification
from onewindow.org.actors import actor_of

pytestmark = pytest.mark.django_db


def user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def test_full_flow_with_owner_and_deadline_at_every_step(world: Any, head: Any) -> None:
    events: list[str] = []

    def rec(sender: Any, complaint: Complaint, action: str, **kw: Any) -> None:
        events.append(action)

    signals.complaint_event.connect(rec, weak=False)
    try:
        c = services.complaint_submit(
            category="complaint", content="窗口人员态度差", contact="13912345678", centre="C-A"
        )
        assert c.number.startswith("TS") and len(c.check_code) == 6 and c.jurisdiction.code == "152522100000"
        assert c.state == ComplaintState.COLLECTED and c.step_deadline is not None
        services.complaint_act(actor=actor_of(user("clerk")), number=c.number, action="report")
        # assigning needs the centre head (or a supervisor); the assignee must be in the jurisdiction
        with pytest.raises(Forbidden):
            services.complaint_act(
                actor=actor_of(user("clerk")), number=c.number, action="assign", to="clerk"
            )
        with pytest.raises(Invalid):
            services.complaint_act(actor=actor_of(head.user), number=c.number, action="assign", to="outsider")
        c = services.complaint_act(actor=actor_of(head.user), number=c.number, action="assign", to="clerk")
        assert c.owner == user("clerk") and c.state == ComplaintState.ASSIGNED
        services.complaint_act(actor=actor_of(user("clerk")), number=c.number, action="start")
        with pytest.raises(Invalid):
            services.complaint_act(actor=actor_of(user("clerk")), number=c.number, action="answer", note=" ")
        services.complaint_act(
            actor=actor_of(user("clerk")), number=c.number, action="answer", note="已批评教育当事人"
        )
        sent = Notification.objects.get(template="complaint_answered")
        assert sent.recipient == "13912345678" and c.number in sent.body
        with pytest.raises(Invalid):
            services.complaint_act(actor=actor_of(head.user), number=c.number, action="close")
        c = services.complaint_act(
            actor=actor_of(head.user),
            number=c.number,
            action="close",
            public_summary="群众反映窗口服务态度问题，已约谈当事人并整改。联系人13912345678",
        )
    finally:
        signals.complaint_event.disconnect(rec)
    assert c.state == ComplaintState.CLOSED and c.closed_at is not None
    assert events == ["created", "report", "assign", "start", "answer", "close"]
    steps = list(c.steps.order_by("started_at", "pk"))
    assert [s.state for s in steps] == ["collected", "reported", "assigned", "handling", "answered", "closed"]
    assert all(s.deadline for s in steps[:-1]) and all(s.owner_name for s in steps)
    assert all(s.finished_at for s in steps)
    public = selectors.complaint_public()
    assert public[0]["number"] == c.number and "13912345678" not in public[0]["summary"]
    assert "态度差" not in str(public)  # the complainant's own words are not published
    # wrong state → conflict
    with pytest.raises(Conflict):
        services.complaint_act(actor=actor_of(head.user), number=c.number, action="close", public_summary="x")


def test_follow_with_number_and_check(world: Any) -> None:
    c = services.complaint_submit(category="suggestion", content="建议增加周末服务")
    assert c.jurisdiction.code == "152522000000"  # no centre given: the county
    assert services.complaint_follow(c.number, c.check_code) == c
    with pytest.raises(NotFound):
        services.complaint_follow(c.number, "000000" if c.check_code != "000000" else "111111")
    with pytest.raises(NotFound):
        services.complaint_follow("TS0", c.check_code)


def test_empty_content_and_bad_values_save_nothing(world: Any) -> None:
    with pytest.raises(Invalid) as exc:
        services.complaint_submit(category="complaint", content="   ")
    assert exc.value.code == "empty_content" and "content" in exc.value.details
    with pytest.raises(Invalid):
        services.complaint_submit(category="nonsense", content="x")
    with pytest.raises(Invalid):
        services.complaint_submit(category="complaint", content="x", centre="NOPE")
    # a phone / window / box record needs a staff member
    with pytest.raises(Exception):  # noqa: B017 - Unauthenticated or Forbidden
        services.complaint_submit(category="complaint", content="x", source="phone")
    assert not Complaint.objects.exists()


def test_clerk_records_a_phone_complaint_and_scoping(world: Any) -> None:
    c = services.complaint_submit(
        category="opinion", content="嘎查道路需要维修", source="phone", actor=actor_of(user("clerk"))
    )
    assert c.centre.code == "C-A" and c.owner == user("clerk") and c.recorded_by == user("clerk")
    assert [r["c"] for r in selectors.complaint_list(actor=actor_of(user("clerk")))] == [c]
    assert selectors.complaint_list(actor=actor_of(user("outsider"))) == []
    with pytest.raises(NotFound):
        services.complaint_get_for_user(actor_of(user("outsider")), c.number)
    assert [r["c"] for r in selectors.complaint_list(actor=actor_of(user("supervisor")))] == [c]
