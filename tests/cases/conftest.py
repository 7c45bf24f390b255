from __future__ import annotations

from typing import Any

import pytest

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


@pytest.fixture
def township_dept(world: dict[str, Any]) -> Department:
    return Department.objects.create(
        code="D-A-MZ", name="甲镇社会事务办", short_name="民政", jurisdiction=world["ta"]
    )
