"""The ledger's sources come from the registry its sibling rooms fill in (core.ledger_contrib)."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest

from onewindow.core import ledger_contrib
from onewindow.core.errors import NotFound
from onewindow.feedback.models import Complaint, Rating
from onewindow.ledger import drill, rollup
from onewindow.org.models import Jurisdiction
from onewindow.proxy.models import ProxyRequest
from onewindow.queueing.models import Ticket


def test_sibling_rooms_register_their_sources() -> None:
    assert ledger_contrib.model("ticket") is Ticket
    assert ledger_contrib.model("rating") is Rating
    assert ledger_contrib.model("complaint") is Complaint
    assert ledger_contrib.model("proxy") is ProxyRequest
    assert set(rollup.CONTRIBUTORS) <= set(ledger_contrib.kinds())


@pytest.mark.django_db
def test_an_unregistered_source_contributes_nothing() -> None:
    with mock.patch.dict(ledger_contrib._models, clear=True):
        assert rollup._source_models() == {}
        scope = drill.Scope(
            "ratings", Jurisdiction(code="x", path="x/"), dt.date(2026, 9, 1), dt.date(2026, 9, 2)
        )
        with pytest.raises(NotFound):
            drill.rows(scope)
    assert set(rollup._source_models()) == {"ticket", "rating", "complaint", "proxy"}
