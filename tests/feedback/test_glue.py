"""What ties feedback to the rest: the supervisor's 申诉复核 list, the agent's follow-up rating."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from onewindow.feedback import services
from onewindow.org.actors import actor_of
from tests.feedback.conftest import delivered_case

pytestmark = pytest.mark.django_db
CHECK = "002X"


def test_appeal_filter_lists_only_ratings_with_a_pending_appeal(
    world: Any, today: Any, head: Any, login: Any
) -> None:
    appealed = delivered_case()
    other = delivered_case()
    r1 = services.rating_submit(number=appealed.number, check=CHECK, level=1, comment="太慢")
    services.rating_submit(number=other.number, check=CHECK, level=2, comment="太慢")
    services.rating_appeal(actor=actor_of(head.user), rating=r1.pk, reason="评价人非申请人")
    client = login("supervisor")
    url = reverse("feedback:rectifications")
    html = client.get(url, {"appeal": "pending"}).content.decode()
    assert "<h1>申诉复核</h1>" in html
    assert appealed.number in html and other.number not in html
    everything = client.get(url).content.decode()
    assert "<h1>差评整改</h1>" in everything
    assert appealed.number in everything and other.number in everything
