"""The demo county 阿巴嘎旗 (锡林郭勒盟) as data: three JSON files under ``onewindow/demo/fixtures/``.

- ``demo_places.json``: the county, its townships and villages, centres' hours, windows, departments,
  service domains;
- ``demo_people.json``: the demo password, staff personas, village agents, residents;
- ``demo_catalog.json``: service items with their guides, and 一件事 bundles.

Each file opens with an ``_about`` text describing its fields. :func:`demo_data` reads them once and
expands the shorthand of the catalogue (shared materials named by key, defaults of materials and form
fields, ``$place`` texts), so the loader sees complete item specs. The layout follows the real banner
(3 towns, 4 sums); names, codes, people, phones and ID numbers are fictitious.

Read by :mod:`onewindow.demo.loader` (``onewindow demo``) and the apps' seeds in this package.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# (number, name, kind, domains) of a window; (session, weekdays, start, end) of opening hours.
WindowSpec = list[Any]
HoursSpec = list[str]


@dataclass(frozen=True)
class DemoData:
    demo_password: str
    complaint_hotline: str
    county: dict[str, Any]
    townships: list[dict[str, Any]]
    normal_hours: list[HoursSpec]
    extra_hours: dict[str, list[HoursSpec]]
    county_windows: list[WindowSpec]
    township_windows: list[WindowSpec]
    township_extra_windows: dict[str, list[WindowSpec]]
    village_windows: list[WindowSpec]
    county_departments: list[list[str]]
    township_departments: list[list[str]]
    domains: list[list[str]]
    county_staff: list[dict[str, Any]]
    township_staff: dict[str, list[dict[str, Any]]]
    agent_names: list[str]
    agent_posts: list[str]
    agent_extra: dict[str, list[str]]
    residents: list[dict[str, Any]]
    place_county: str
    place_township: str
    place_both: str
    item_defaults: dict[str, Any]
    items: list[dict[str, Any]]
    bundles: list[dict[str, Any]]


def _read(name: str) -> dict[str, Any]:
    with (FIXTURES / f"{name}.json").open(encoding="utf-8") as fh:
        raw: dict[str, Any] = json.load(fh)
    raw.pop("_about", None)
    return raw


def _expand_items(catalog: dict[str, Any]) -> list[dict[str, Any]]:
    """Complete each item's materials, fields and place from the catalogue's shorthand."""
    shared = catalog["shared_materials"]
    material_defaults, field_defaults = catalog["material_defaults"], catalog["field_defaults"]
    items = []
    for spec in catalog["items"]:
        item = dict(spec)
        item["materials"] = [
            {"name": "", **material_defaults, **(shared[m] if isinstance(m, str) else m)}
            for m in spec["materials"]
        ]
        item["fields"] = [
            {"key": "", "label": "", **field_defaults, **fld, "choices": list(fld.get("choices", []))}
            for fld in spec["fields"]
        ]
        place = item.get("place")
        if isinstance(place, str) and place.startswith("$"):
            item["place"] = catalog["places"][place[1:]]
        items.append(item)
    return items


@cache
def demo_data() -> DemoData:
    """The demo county, read once from the fixtures."""
    places, people, catalog = _read("demo_places"), _read("demo_people"), _read("demo_catalog")
    return DemoData(
        **places,
        **people,
        **catalog["places"],
        item_defaults=catalog["item_defaults"],
        items=_expand_items(catalog),
        bundles=catalog["bundles"],
    )
