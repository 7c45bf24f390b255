"""The services' transition table covers exactly the workflow's transitions, each row naming its own."""

from __future__ import annotations

from onewindow.cases.services import TABLE
from onewindow.cases.workflow import AUTHORITY, TRANSITIONS


def test_every_transition_has_one_row_and_handler() -> None:
    assert set(TABLE) == set(TRANSITIONS)
    for action, row in TABLE.items():
        assert row.t is TRANSITIONS[action] and callable(row.handler)
    assert set(AUTHORITY) <= set(TRANSITIONS)
