from __future__ import annotations

from typing import Any

import pytest

from onewindow.proxy.models import Entrustment, ProxyRequest, Visit

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent(db: Any) -> None:
    from onewindow.demo.loader import load_demo
    from onewindow.proxy.demo import seed_demo

    load_demo()
    seed_demo()
    assert Entrustment.objects.filter(agent__username="agent").count() == 1
    states = sorted(ProxyRequest.objects.filter(agent__username="agent").values_list("state", flat=True))
    assert states == ["draft", "returned", "submitted"]
    returned = ProxyRequest.objects.get(state="returned")
    assert returned.notice["missing"]
    assert Visit.objects.count() == 1
