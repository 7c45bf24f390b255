"""一件事: the merged material list asks each material once."""

from __future__ import annotations

from typing import Any

from onewindow.catalog import selectors, services
from onewindow.core.actor import system
from tests.factories import make_item


def test_bundle_merges_materials_once(world: dict[str, Any]) -> None:
    make_item(
        "MZ-003",
        "残疾人两项补贴申请",
        world["department"],
        world["domain"],
        materials=[
            {"code": "M01", "name": "居民身份证", "original": False, "copies": 2},
            {"code": "M02", "name": "残疾人证", "original": True, "copies": 1},
            {"code": "M03", "name": "户口簿", "required": False, "condition": "户籍不在本地时"},
        ],
    )
    bundle = services.bundle_save(
        actor=system(), code="B-1", name="困难群众救助一件事", item_codes=["MZ-001", "MZ-002", "MZ-003"]
    )
    merged = selectors.bundle_materials(bundle)
    names = [m.name for m in merged]
    assert sorted(names) == sorted(set(names))
    assert set(names) == {"居民身份证", "户口簿", "残疾人证"}
    idcard = next(m for m in merged if m.name == "居民身份证")
    assert idcard.original is True  # an original if any item needs it
    assert idcard.copies == 2  # the largest number of copies
    assert len(idcard.items) == 3
    hukou = next(m for m in merged if m.name == "户口簿")
    assert hukou.required is True  # required by MZ-001 even though optional for MZ-003
    fields = selectors.bundle_fields(bundle)
    assert [f.key for f in fields] == ["reason"]
