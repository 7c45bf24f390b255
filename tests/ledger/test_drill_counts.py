"""The cases behind a case figure at scale (issue #18): the list's count is the rollup figure while the
rollups are complete and a count of the rows otherwise; the rows are the figure's either way."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from onewindow.cases.models import CaseEvent
from onewindow.catalog.models import Item
from onewindow.ledger import drill
from onewindow.ledger.models import LedgerEvent
from onewindow.org.actors import actor_of
from onewindow.org.models import Centre, Jurisdiction
from tests.cases.conftest import intake, user
from tests.ledger.conftest import TZ
from tests.ledger.test_drill import PERIOD, data, listed  # noqa: F401  (``data``: the fixture)

pytestmark = pytest.mark.django_db

FROM, TO = dt.date.fromisoformat(PERIOD["from"]), dt.date.fromisoformat(PERIOD["to"])


def scopes(figure: str) -> list[drill.Scope]:
    """The scopes a dashboard links to: the county, a township, its own level, a centre, an item."""
    county = Jurisdiction.objects.get(code="152522000000")
    town = Jurisdiction.objects.get(code="152522100000")
    item = Item.objects.get(code="MZ-001")
    domain = item.versions.first().domain.code  # type: ignore[union-attr]
    return [
        drill.Scope(figure, county, FROM, TO),
        drill.Scope(figure, county, FROM, TO, domain=domain),
        drill.Scope(figure, town, FROM, TO),
        drill.Scope(figure, town, FROM, TO, exact=True),
        drill.Scope(figure, county, FROM, TO, centre=Centre.objects.get(code="C-A")),
        drill.Scope(figure, county, FROM, TO, item=item.code),
        drill.Scope(figure, county, dt.date(2026, 9, 2), TO),  # no case received in it
    ]


def test_the_rollup_figure_counts_what_the_rows_list(data: dict[str, Any]) -> None:  # noqa: F811
    for figure in drill.FIGURE_MEASURES:
        for s in scopes(figure):
            n = drill.figure_count(s)
            assert n is not None, figure
            assert n == drill.rows(s).count() == len(drill.pages(s)[0:1000]), (figure, s)
    assert drill.figure_count(drill.Scope("overdue", scopes("received")[0].j, FROM, TO)) is None


def test_with_events_not_folded_the_rows_are_counted(
    data: dict[str, Any],  # noqa: F811
    login: Any,
    settings: Any,
) -> None:
    settings.LEDGER_FOLD_ON_READ = 0  # reads never fold
    new = intake()  # received on 2026-10-31, in the period
    first = CaseEvent.objects.get(case=new, seq=1)
    if not LedgerEvent.objects.exists():  # folded already: log it again (never folded in this test)
        LedgerEvent.objects.create(kind="case", object_id=first.pk)
    s = scopes("received")[0]
    assert drill.figure_count(s) is None
    assert drill.count(s) == drill.rows(s).count() == 6
    c = login("supervisor")
    page = c.get("/ledger/cases/", {**PERIOD, "figure": "received"}).content.decode()
    assert "共 6 件" in page and new.number in page


def test_a_proxy_case_is_received_when_the_agent_submitted_it(
    ledger_world: dict[str, Any], clock: Any, login: Any
) -> None:
    """The first entry of a proxy case is the agent's submission, before the window's receipt: the
    case is August's (its first entry) although ``received_at`` is in September."""
    submitted = dt.datetime(2026, 8, 31, 16, tzinfo=TZ)
    clock.set_day(dt.date(2026, 9, 1))
    case = intake(channel="proxy", submitted_by=(actor_of(user("agent")), submitted))
    assert case.received_at > submitted
    clock.set_day(dt.date(2026, 9, 30))
    c = login("supervisor")
    county = Jurisdiction.objects.get(code="152522000000")
    for first, last, expect in (("2026-08-01", "2026-08-31", 1), ("2026-09-01", "2026-09-30", 0)):
        for figure in ("received", "proxy"):
            s = drill.Scope(figure, county, dt.date.fromisoformat(first), dt.date.fromisoformat(last))
            assert drill.rows(s).count() == drill.figure_count(s) == expect, (first, figure)
            assert listed(c, f"/ledger/cases/?from={first}&to={last}&figure={figure}") == expect
