"""The guide page renders its fields from ``GuideForm.SECTIONS``: every guide element stands in exactly
one fieldset (a field left out of the sections would silently vanish from the page)."""

from __future__ import annotations

from collections import Counter

from onewindow.catalog.forms import GuideForm, ItemCreateForm
from onewindow.catalog.models import GUIDE_ELEMENTS


def test_every_guide_element_is_in_exactly_one_section() -> None:
    placed = Counter(name for _legend, names in GuideForm.SECTIONS for name in names)
    assert set(placed) == set(GUIDE_ELEMENTS) | {"code"}
    assert max(placed.values()) == 1


def test_a_new_item_form_shows_its_code_first_and_an_edit_form_does_not() -> None:
    new = ItemCreateForm().sections()
    assert new[0][1][0].name == "code"
    edit = GuideForm().sections()
    assert edit[0][1][0].name == "name"
    assert sum(len(fields) for _legend, fields in edit) == len(GUIDE_ELEMENTS)
