from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import get_user_model

from onewindow.cases import services
from onewindow.cases.models import Case
from onewindow.org.actors import actor_of
from onewindow.org.models import Department

GOOD_ID = "11010519491231002X"


def applicant(**kw: Any) -> dict[str, Any]:
    data = {
        "kind": "person",
        "name": "巴特尔",
        "id_number": GOOD_ID,
        "phone": "13912345678",
        "address": "甲镇一嘎查3组",
    }
    data.update(kw)
    return data


ALL_MATERIALS = [{"code": "M01", "provided": True}, {"code": "M02", "provided": True}]


def workbench_data(**kw: Any) -> dict[str, str]:
    """The workbench form (/cases/new/) for the application of :func:`intake`; ``None`` drops a field."""
    data = {
        "item": "MZ-001",
        "outcome": "intake",
        "a-kind": "person",
        "a-name": "巴特尔",
        "a-id_number": GOOD_ID,
        "a-phone": "13912345678",
        "a-address": "甲镇一嘎查3组",
        "f-reason": "家庭困难",
        "m-M01-provided": "1",
        "m-M02-provided": "1",
        "confirmed": "1",  # as after the confirmation step (tests/cases/test_acts.py tests it on its own)
    }
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def township_dept(world: dict[str, Any]) -> Department:
    return Department.objects.create(
        code="D-A-MZ", name="甲镇社会事务办", short_name="民政", jurisdiction=world["ta"]
    )


@pytest.fixture
def today() -> Any:
    """Pin the service's calendar day (acceptance and deadline arithmetic) to Tue 2026-09-29."""
    with mock.patch("onewindow.cases.services.local_today", return_value=dt.date(2026, 9, 29)) as m:
        yield m


def user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def intake_body(**kw: Any) -> dict[str, Any]:
    """The body of ``POST /api/v1/cases`` for the application of :func:`intake`, at the window."""
    data: dict[str, Any] = {
        "item": "MZ-001",
        "channel": "window",
        "centre": "C-A",
        "applicant": applicant(),
        "materials": ALL_MATERIALS,
        "form": {"reason": "家庭困难"},
    }
    data.update(kw)
    return data


def intake(**kw: Any) -> Case:
    args: dict[str, Any] = {
        "actor": actor_of(user("clerk")),
        "item": "MZ-001",
        "centre": "C-A",
        "applicant": applicant(),
        "materials": ALL_MATERIALS,
        "form": {"reason": "家庭困难"},
    }
    args.update(kw)
    args["actor"] = actor_of(args["actor"])  # a test may name the user who takes it in
    return services.case_intake(**args)


def act(username: str, case: Case, action: str, **kw: Any) -> Case:
    return services.case_transition(actor=actor_of(user(username)), number=case.number, action=action, **kw)
