"""The resident's application form uses the phone's own keyboards: a date picker for dates, the numeric
keypad for numbers, the phone keypad for phone numbers (Django form widgets built from the item's
typed fields)."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.catalog.models import ItemVersion, VersionStatus
from onewindow.portal.forms import ApplicationForm
from tests.portal.resident_helpers import ID_A, PHONE_A, apply_data, resident_client, set_online

pytestmark = pytest.mark.django_db

FIELDS = [
    {"key": "reason", "label": "申请事由", "kind": "text", "required": True},
    {"key": "birth", "label": "出生日期", "kind": "date", "required": True},
    {"key": "members", "label": "家庭人口", "kind": "number"},
    {"key": "income", "label": "月收入（元）", "kind": "number"},
    {"key": "contact_phone", "label": "联系电话", "kind": "text"},
    {"key": "kind", "label": "类别", "kind": "choice", "choices": ["甲", "乙"]},
]


@pytest.fixture
def typed_item(world: dict[str, Any]) -> ItemVersion:
    from tests.factories import make_item

    make_item("MZ-009", "临时救助申请", world["department"], world["domain"], fields=FIELDS)
    set_online("MZ-009")
    return ItemVersion.objects.get(item__code="MZ-009", status=VersionStatus.PUBLISHED)


def test_widgets_follow_the_field_kinds(typed_item: ItemVersion) -> None:
    form = ApplicationForm(typed_item)
    html = {name: str(form[name]) for name in form.fields}
    assert (
        'type="date"' in html["birth"] and 'name="f-birth"' in html["birth"] and "required" in html["birth"]
    )
    assert 'inputmode="numeric"' in html["members"]
    assert 'inputmode="decimal"' in html["income"]
    assert 'type="tel"' in html["contact_phone"] and 'autocomplete="tel"' in html["contact_phone"]
    assert html["kind"].startswith("<select") and "请选择" in html["kind"]
    assert html["reason"].startswith("<textarea")
    # an error marks its field for screen readers
    form = ApplicationForm(typed_item, errors={"form.birth": ["请填写「出生日期」"]})
    assert 'aria-invalid="true"' in str(form["birth"]) and "aria-invalid" not in str(form["members"])


def test_the_apply_page_renders_the_widgets_and_keeps_values_after_an_error(typed_item: ItemVersion) -> None:
    c, _account = resident_client(PHONE_A, "巴特尔", ID_A)
    html = c.get("/apply/MZ-009/").content.decode()
    assert 'type="date" name="f-birth"' in html and 'inputmode="numeric"' in html and 'type="tel"' in html
    r = c.post(
        "/apply/MZ-009/", apply_data(**{"f-birth": "", "f-members": "三", "f-contact_phone": "13900001111"})
    )
    html = r.content.decode()
    assert r.status_code == 422
    assert "请填写「出生日期」" in html and "「家庭人口」应为数字" in html
    assert 'value="三"' in html and 'value="13900001111"' in html
    assert 'id="err-f-birth"' in html
    r = c.post(
        "/apply/MZ-009/", apply_data(**{"f-birth": "1960-03-12", "f-members": "3", "f-income": "1520.5"})
    )
    assert r.status_code == 302
