"""PostgreSQL logs the ledger's timeline entries by a trigger (``ledger.casetrigger``): the one
installed by migration ledger 0003 must count exactly ``rollup.COUNTED_ACTIONS`` and the first entry."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection

from onewindow.ledger import casetrigger, rollup
from onewindow.ledger.models import LedgerEvent
from tests.cases.conftest import act, intake

pytestmark = pytest.mark.django_db


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_the_installed_trigger_logs_the_counted_actions() -> None:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = %s AND NOT tgisinternal",
            [casetrigger.TRIGGER],
        )
        (definition,) = cur.fetchone()
    assert "AFTER INSERT ON public.cases_caseevent" in definition
    installed = set(re.findall(r"'([a-z_]+)'::", definition))
    # a change of COUNTED_ACTIONS needs a migration that installs casetrigger.FUNCTION_SQL again
    assert installed == set(rollup.COUNTED_ACTIONS)


def test_an_intake_and_a_counted_action_are_logged_once_an_uncounted_one_not(
    ledger_world: dict[str, Any],
) -> None:
    case = intake()
    act("reviewer", case, "assign")
    act("reviewer", case, "approve")
    events = list(case.events.order_by("seq").values_list("pk", "action"))
    logged = sorted(LedgerEvent.objects.filter(kind="case").values_list("object_id", flat=True))
    assert logged == [pk for pk, action in events if action in rollup.COUNTED_ACTIONS or pk == events[0][0]]
    assert len(logged) == 2
