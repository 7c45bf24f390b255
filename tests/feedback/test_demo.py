from __future__ import annotations

from typing import Any

import pytest

from onewindow.feedback.demo import seed_demo
from onewindow.feedback.models import Complaint, ComplaintState, Notice, Rating, Rectification
from tests.factories import make_staff
from tests.feedback.conftest import delivered_case

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent(world: Any, today: Any) -> None:
    seed_demo()  # without the demo's centre head: nothing to do, no error
    assert not Notice.objects.exists()
    make_staff("head", "阿拉坦仓", world["ta"], ["centre_head"], centre=world["centres"]["a"])
    delivered_case()
    delivered_case()
    seed_demo()
    seed_demo()
    assert Notice.objects.filter(centre__code="C-A").count() == 3
    assert sorted(Complaint.objects.values_list("state", flat=True)) == [
        ComplaintState.ASSIGNED,
        ComplaintState.CLOSED,
    ]
    assert sorted(Rating.objects.values_list("level", flat=True)) == [2, 5]
    assert Rectification.objects.count() == 1
