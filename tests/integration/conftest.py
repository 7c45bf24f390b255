from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import get_user_model

from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.org.actors import actor_of


@pytest.fixture(autouse=True)
def _webhooks_to_local_receivers(settings: Any) -> None:
    """These tests deliver to receivers on 127.0.0.1: allowed only with WEBHOOK_ALLOW_PRIVATE."""
    settings.WEBHOOK_ALLOW_PRIVATE = True


@pytest.fixture
def today() -> Iterator[Any]:
    with mock.patch("onewindow.cases.services.local_today", return_value=dt.date(2026, 9, 29)) as m:
        yield m


def user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def intake(**kw: Any) -> Case:
    args: dict[str, Any] = {
        "actor": user("clerk"),
        "item": "MZ-001",
        "centre": "C-A",
        "applicant": {
            "kind": "person",
            "name": "巴特尔",
            "id_number": "11010519491231002X",
            "phone": "13912345678",
            "address": "甲镇一嘎查3组",
        },
        "materials": [{"code": "M01", "provided": True}, {"code": "M02", "provided": True}],
        "form": {"reason": "家庭困难"},
    }
    args.update(kw)
    args["actor"] = actor_of(args["actor"])  # a test may name the user who takes it in
    return case_services.case_intake(**args)
