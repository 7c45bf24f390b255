from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from onewindow.catalog import services as catalog_services
from onewindow.org.models import Centre, Duty, OpeningHours, Window
from onewindow.portal.selectors import today
from tests.factories import make_item, make_staff
from tests.portal.resident_helpers import set_online


@pytest.fixture(autouse=True)
def fast_password_hasher(settings: Any) -> None:
    """The personas' passwords are hashed on every set-up; the slow production hasher adds nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def online(world: dict[str, Any], settings: Any, tmp_path: Path) -> dict[str, Any]:
    """The shared world with MZ-001 open for online applications; uploads go to a temporary folder."""
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    set_online("MZ-001")
    return world


@pytest.fixture
def portal_world(world: dict[str, Any]) -> dict[str, Any]:
    """The shared world plus what the public pages show: a bundle, a village station, a roster."""
    w = world
    ca: Centre = w["centres"]["a"]
    clerk = w["people"]["clerk"]
    clerk.post = "综合受理岗"
    clerk.public_phone = "0479-5221001"
    # A second clerk at township A: the AB partner, not on duty today.
    partner = make_staff(
        "clerk_b", "综窗乙岗", w["ta"], ["clerk"], centre=ca, post="综合受理B岗", mobile="13900000009"
    )
    clerk.ab_partner = partner
    clerk.save()
    # A hidden staff member: on_board=False never shows on the public board.
    make_staff("hidden", "隐藏人员", w["ta"], ["clerk"], centre=ca, on_board=False)
    Duty.objects.create(staff=clerk, date=today(), shift="full")
    Duty.objects.create(staff=partner, date=today() - dt.timedelta(days=1), shift="full")
    OpeningHours.objects.create(
        centre=ca, session="extended", weekdays="12345", start=dt.time(17, 30), end=dt.time(19, 0)
    )
    OpeningHours.objects.create(
        centre=ca, session="weekend", weekdays="6", start=dt.time(9, 0), end=dt.time(12, 0)
    )
    Window.objects.create(centre=ca, number=2, name="帮办代办", kind="proxy")
    ca.phone, ca.supervision_phone, ca.complaint_phone = "0479-5220000", "0479-5220001", "0479-5220002"
    ca.save()
    # The village station of A1 with its agent (the agent also serves village B1).
    station = Centre.objects.create(
        code="S-A1", name="甲一嘎查便民服务站", jurisdiction=w["va"], address="甲一嘎查党群服务中心"
    )
    agent = w["people"]["agent"]
    agent.public_phone = "0479-5229999"
    agent.mobile = "13700000007"
    agent.save()
    agent.extra_jurisdictions.add(w["vb"])
    # A third item and a bundle sharing materials (居民身份证 and 户口簿 asked once).
    w["items"]["canji"] = make_item(
        "CL-001",
        "残疾人证申领",
        w["department"],
        w["domain"],
        fee="0",
        materials=[
            {"code": "M01", "name": "居民身份证", "original": True, "copies": 1},
            {"code": "M02", "name": "户口簿", "original": True, "copies": 2},
            {
                "code": "M03",
                "name": "二寸免冠照片",
                "original": True,
                "copies": 3,
                "required": False,
                "condition": "首次申领时提交",
            },
        ],
        fields=[
            {"key": "reason", "label": "申请事由", "kind": "text", "required": True},
            {"key": "kind", "label": "残疾类别", "kind": "choice", "choices": ["视力", "听力", "肢体"]},
        ],
    )
    w["bundle"] = catalog_services.bundle_save(
        actor=None,
        code="B-HELP",
        name="困难群众救助一件事",
        item_codes=["MZ-001", "CL-001"],
        life_event="社会救助",
    )
    w["station"] = station
    w["partner"] = partner
    return w
