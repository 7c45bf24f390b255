"""Accepting a submitted case records the real change (已提交 → 已受理), moves ``state_since`` and tells
the applicant — the handler used to set ``case.state`` before the write read it, so the timeline said
"已受理 → 已受理", the clock of the state did not move and the accepted SMS was never sent."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from onewindow.cases.models import Case, CaseEvent, State
from onewindow.notify.models import Notification
from tests.cases.conftest import ALL_MATERIALS
from tests.cases.test_statutory_clocks import api_act, api_submit, clock

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("channel", ["online", "proxy"])
def test_accepting_a_submitted_case_records_submitted_to_accepted(
    world: Any, client: Client, channel: str
) -> None:
    with clock("2026-09-21", hour=9):
        number = api_submit(client, channel=channel)
    submitted_since = Case.objects.get(number=number).state_since
    sms_before = Notification.objects.filter(case_number=number).count()
    with clock("2026-09-22", hour=10):
        r = api_act(client, "clerk", number, action="accept", materials=ALL_MATERIALS)
    assert r.status_code == 200, r.content
    event = CaseEvent.objects.get(case__number=number, action="accept")
    assert (event.state_from, event.state_to) == (State.SUBMITTED, State.ACCEPTED)
    case = Case.objects.get(number=number)
    assert case.state == State.ACCEPTED and case.state_since > submitted_since
    # the applicant (no online account) is told by SMS that the case was accepted
    told = Notification.objects.filter(case_number=number).exclude(template="otp")
    assert told.count() > sms_before and told.filter(template__endswith="accepted").exists()
