from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.factories import make_staff

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def ledger_world(world: dict[str, Any], settings: Any) -> dict[str, Any]:
    settings.QUEUE_ENFORCE_HOURS = False
    head = make_staff("head", "甲镇中心主任", world["ta"], ["centre_head"], centre=world["centres"]["a"])
    chief = make_staff("chief", "乙苏木中心主任", world["tb"], ["centre_head"], centre=world["centres"]["b"])
    return {**world, "head": head, "chief": chief}
