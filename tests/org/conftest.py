from __future__ import annotations

from typing import Any

import pytest

from onewindow.org.models import Resident, ResidentKind, Staff
from onewindow.privacy.identifiers import id_check_digit
from tests.factories import make_staff


def id_number(first17: str) -> str:
    """A valid 居民身份证号 from its first 17 digits."""
    return first17 + id_check_digit(first17)


@pytest.fixture
def head(world: dict[str, Any]) -> Staff:
    """The centre head of township A's centre."""
    return make_staff(
        "head", "主任甲", world["ta"], ["centre_head"], centre=world["centres"]["a"], mobile="13900000009"
    )


@pytest.fixture
def residents(world: dict[str, Any]) -> dict[str, Resident]:
    """One resident in each of township A, village A1, township B, village B1."""
    rows = {}
    for i, key in enumerate(("ta", "va", "tb", "vb"), start=1):
        rows[key] = Resident.objects.create(
            kind=ResidentKind.PERSON,
            name=f"居民{key.upper()}",
            id_number=id_number(f"15252219800101{i:02d}1"),
            phone=f"1370000000{i}",
            address=f"测试旗{key}路{i}号院",
            jurisdiction=world[key],
        )
    return rows
