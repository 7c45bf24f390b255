"""The proxy request as part of the one product: its case links back to it, and the follow-up (回访)
rates the agent's service in 好差评 (channel ``visit``), counted like any other rating."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from onewindow.core import signals
from onewindow.feedback.models import Rating, RatingChannel, Rectification
from tests.proxy.conftest import entrust
from tests.proxy.test_api import intake


def handed_over(as_user: Any) -> tuple[int, str]:
    agent, clerk, reviewer = as_user("agent"), as_user("clerk"), as_user("reviewer")
    pk = intake(
        agent,
        entrust(agent).json()["id"],
        materials=[
            {"code": "M01", "provided": True, "paper_held": True},
            {"code": "M02", "provided": True, "paper_held": True},
        ],
    ).json()["id"]
    assert agent.action(pk, "submit").json()["state"] == "submitted"
    number = clerk.action(pk, "prereview_pass").json()["case"]
    assert number
    reviewer.post(f"/cases/{number}/actions", {"action": "approve"})
    reviewer.post(f"/cases/{number}/actions", {"action": "ready"})
    agent.action(pk, "collect_result")
    assert agent.action(pk, "hand_over", signed_by="巴特尔").json()["state"] == "handed_over"
    return int(pk), str(number)


def test_case_detail_links_its_proxy_request_and_labels_proxy_steps(
    proxy_world: dict[str, Any], as_user: Any, login: Any
) -> None:
    pk, number = handed_over(as_user)
    html = login("clerk").get(reverse("cases:detail", args=[number])).content.decode()
    assert f'href="{reverse("proxy:detail", args=[pk])}"' in html
    assert "代办员报送（帮办代办）" in html and "代办预审通过并受理" in html
    assert "送达（代办员代为取件）" in html
    # the system admin has no proxy view: no link (and no case page either)
    assert (
        reverse("proxy:detail", args=[pk])
        not in login("admin").get(reverse("cases:detail", args=[number])).content.decode()
    )


def test_follow_up_satisfaction_rates_the_agent(proxy_world: dict[str, Any], as_user: Any) -> None:
    seen: list[tuple[str, str]] = []

    def listener(sender: Any, rating: Any, action: str, **kw: Any) -> None:
        seen.append((rating.channel, action))

    signals.rating_changed.connect(listener)
    try:
        pk, number = handed_over(as_user)
        r = as_user("agent").action(
            pk, "follow_up", method="visit", outcome="已领到低保金，满意", satisfied=True
        )
        assert r.status_code == 200, r.content
    finally:
        signals.rating_changed.disconnect(listener)
    rating = Rating.objects.get(case__number=number, channel=RatingChannel.VISIT)
    assert rating.agent is not None and rating.agent.username == "agent"
    assert rating.level == 4 and not rating.is_default and not rating.voided
    assert rating.centre.code == "C-A" and rating.comment == "已领到低保金，满意"
    assert seen == [("visit", "created")]
    assert not Rectification.objects.exists()


def test_dissatisfied_follow_up_is_a_bad_rating_to_rectify(proxy_world: dict[str, Any], as_user: Any) -> None:
    pk, number = handed_over(as_user)
    as_user("clerk").action(pk, "follow_up", method="call", outcome="送达太晚", satisfied=False)
    rating = Rating.objects.get(case__number=number, channel=RatingChannel.VISIT)
    assert rating.level == 2 and rating.is_bad and rating.agent.username == "agent"
    assert Rectification.objects.filter(rating=rating, centre__code="C-A").count() == 1


def test_follow_up_without_an_answer_rates_nothing(proxy_world: dict[str, Any], as_user: Any) -> None:
    pk, _number = handed_over(as_user)
    r = as_user("agent").action(pk, "follow_up", method="call", outcome="电话未接通，已留言")
    assert r.status_code == 200 and r.json()["state"] == "closed"
    assert not Rating.objects.exists()
