"""Excel export and the all-or-nothing import."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from openpyxl import Workbook, load_workbook

from onewindow.catalog.excel import catalog_export, catalog_import
from onewindow.catalog.excel.columns import FIELD_COLUMNS, ITEM_COLUMNS, MATERIAL_COLUMNS
from onewindow.catalog.models import FormField, Item, ItemVersion, Material, VersionStatus
from onewindow.catalog.selectors import version_snapshot
from onewindow.core.actor import system
from onewindow.org.actors import actor_of

URL = "/manage/catalog/"


def counts() -> tuple[int, int, int, int]:
    return (
        Item.objects.count(),
        ItemVersion.objects.count(),
        Material.objects.count(),
        FormField.objects.count(),
    )


def snapshots() -> dict[str, Any]:
    out = {}
    for item in Item.objects.select_related("published"):
        v = item.published or item.latest()
        assert v is not None
        out[item.code] = version_snapshot(v)
    return out


def wipe_catalog() -> None:
    # Bulk deletes bypass the per-row guards, as a fresh database would.
    Item.objects.update(published=None)
    Material.objects.all().delete()
    FormField.objects.all().delete()
    ItemVersion.objects.all().delete()
    Item.objects.all().delete()


def workbook(items: list[list[Any]], materials: list[list[Any]] = (), fields: list[list[Any]] = ()) -> bytes:  # type: ignore[assignment]
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "事项"
    ws.append([c.header for c in ITEM_COLUMNS if c.parse is not None])
    for row in items:
        ws.append(row)
    ws = wb.create_sheet("材料")
    ws.append([c.header for c in MATERIAL_COLUMNS])
    for row in materials:
        ws.append(row)
    ws = wb.create_sheet("表单字段")
    ws.append([c.header for c in FIELD_COLUMNS])
    for row in fields:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def item_row(code: str, name: str, **kw: Any) -> list[Any]:
    values = {
        "事项编码": code,
        "事项名称": name,
        "简称/别名": "",
        "领域代码": "social",
        "办件类型": "承诺件",
        "设定依据": "",
        "实施部门代码": "D-MZ",
        "受理层级": "乡级、县级",
        "决定层级": "县级",
        "法定时限（工作日）": 20,
        "承诺时限（工作日）": 5,
        "收费标准（元）": 0,
        "收费依据": "",
        "受理条件": "",
        "办理流程": "申请\n审核",
        "办理地点": "",
        "办理时间": "",
        "咨询电话": "",
        "投诉电话": "",
        "可网上办理": "否",
        "可帮办代办": "是",
        "到现场次数": 1,
        "办理结果": "",
    }
    values.update(kw)
    return [values[c.header] for c in ITEM_COLUMNS if c.parse is not None]


def test_export_has_three_sheets_with_chinese_headers(world: dict[str, Any]) -> None:
    wb = load_workbook(io.BytesIO(catalog_export()))
    assert wb.sheetnames[:3] == ["事项", "材料", "表单字段"]
    items = list(wb["事项"].iter_rows(values_only=True))
    assert items[0][0] == "事项编码" and "法定时限（工作日）" in items[0]
    assert [r[0] for r in items[1:]] == ["MZ-001", "MZ-002"]
    head = list(items[0])
    dibao = dict(zip(head, items[1], strict=False))
    assert dibao["事项名称"] == "最低生活保障申请"
    assert dibao["受理层级"] == "县级、乡级"
    assert dibao["状态"] == "已发布"
    assert dibao["办理流程"] == "申请\n受理\n审核\n办结"
    materials = list(wb["材料"].iter_rows(values_only=True))
    assert materials[0][:3] == ("事项编码", "材料编码", "材料名称")
    assert len(materials) == 1 + 4
    assert materials[1][:3] == ("MZ-001", "M01", "居民身份证")
    fields = list(wb["表单字段"].iter_rows(values_only=True))
    assert fields[1][:3] == ("MZ-001", "reason", "申请事由")


def test_round_trip_into_an_empty_catalog(world: dict[str, Any]) -> None:
    # Some awkward content: a formula-looking text, multi-line steps, a fee, choices.
    from onewindow.catalog import services

    services.item_create(
        actor=system(),
        code="RS-001",
        name="=SUM(A1)灵活就业登记",
        domain=world["domain"],
        department=world["department"],
        type="immediate",
        accept_levels=["village", "township"],
        decide_level="township",
        legal_days=5,
        promised_days=0,
        fee="12.50",
        steps=["一", "二"],
        consult_phone="0475-0001",
        materials=[
            {
                "code": "A1",
                "name": "申请表",
                "required": False,
                "condition": "本人不能到场时",
                "reusable": False,
            }
        ],
        fields=[
            {"key": "kind", "label": "类型", "kind": "choice", "choices": ["甲", "乙"], "required": True}
        ],
    )
    before = snapshots()
    data = catalog_export()
    wipe_catalog()
    assert counts() == (0, 0, 0, 0)
    result = catalog_import(actor=actor_of(world["people"]["admin"].user), data=data, publish=False)
    assert result.ok, result.errors
    assert sorted(result.created) == ["MZ-001", "MZ-002", "RS-001"]
    after = snapshots()
    assert after == before
    assert all(v.status == VersionStatus.DRAFT for v in ItemVersion.objects.all())


def test_round_trip_with_publish(world: dict[str, Any]) -> None:
    before = snapshots()
    data = catalog_export()
    wipe_catalog()
    result = catalog_import(actor=system(), data=data, publish=True)
    assert result.ok, result.errors
    assert sorted(result.published) == ["MZ-001", "MZ-002"]
    assert snapshots() == before
    assert Item.objects.filter(published__isnull=False).count() == 2


def test_import_of_an_existing_code_makes_a_new_draft(world: dict[str, Any]) -> None:
    data = workbook(
        [item_row("MZ-001", "最低生活保障申请（修订）", **{"承诺时限（工作日）": 3})],
        [["MZ-001", "M01", "居民身份证", "原件", 1, "是", "", "", "是"]],
    )
    result = catalog_import(actor=system(), data=data, publish=False)
    assert result.ok, result.errors
    assert result.new_drafts == ["MZ-001"]
    versions = list(ItemVersion.objects.filter(item__code="MZ-001").order_by("number"))
    assert [(v.number, v.status) for v in versions] == [(1, "published"), (2, "draft")]
    assert versions[1].name == "最低生活保障申请（修订）" and versions[1].promised_days == 3
    assert [m.code for m in versions[1].materials.all()] == ["M01"]
    assert versions[0].promised_days == 10 and versions[0].materials.count() == 2


def test_reimport_of_an_unchanged_export_changes_nothing(world: dict[str, Any]) -> None:
    before = counts()
    result = catalog_import(actor=system(), data=catalog_export(), publish=False)
    assert result.ok
    assert sorted(result.unchanged) == ["MZ-001", "MZ-002"]
    assert counts() == before


def test_bad_rows_change_nothing_and_are_named(world: dict[str, Any]) -> None:
    data = workbook(
        [
            item_row("NEW-1", "新事项一"),
            item_row("NEW-2", "新事项二", **{"承诺时限（工作日）": 30}),  # row 3: promised > legal
            item_row("NEW-3", "新事项三", **{"领域代码": "nope"}),  # row 4: unknown domain
            item_row("NEW-4", "新事项四", **{"实施部门代码": "D-XX"}),  # row 5: unknown department
            item_row("NEW-1", "重复"),  # row 6: duplicate code
            item_row("NEW-6", "", **{"法定时限（工作日）": "二十"}),  # row 7: empty name, bad int
            item_row("MZ-001", "最低生活保障申请", **{"受理层级": "省级"}),  # row 8: bad level
        ],
        [
            ["NEW-1", "M01", "身份证", "原件", 1, "是", "", "", "是"],
            ["GHOST", "M01", "身份证", "原件", 1, "是", "", "", "是"],  # row 3: unknown item
            ["NEW-1", "M02", "证明", "复印件", 1, "否", "", "", "是"],  # row 4: optional without condition
            ["NEW-1", "M01", "身份证", "原件", 1, "是", "", "", "是"],  # row 5: duplicate material
            ["NEW-1", "M03", "证明", "复印件", "两份", "是", "", "", "是"],  # row 6: bad copies
        ],
        [["NEW-1", "Bad Key", "标题", "文本", "否", "", ""]],  # row 2: bad key
    )
    before = counts()
    result = catalog_import(actor=system(), data=data, publish=False)
    assert not result.ok
    assert counts() == before
    assert not Item.objects.filter(code="NEW-1").exists()
    found = {(e.sheet, e.row, e.column) for e in result.errors}
    expected = {
        ("事项", 3, "承诺时限（工作日）"),
        ("事项", 4, "领域代码"),
        ("事项", 5, "实施部门代码"),
        ("事项", 6, "事项编码"),
        ("事项", 7, "事项名称"),
        ("事项", 7, "法定时限（工作日）"),
        ("事项", 8, "受理层级"),
        ("材料", 3, "事项编码"),
        ("材料", 4, "提交条件"),
        ("材料", 5, "材料编码"),
        ("材料", 6, "份数"),
        ("表单字段", 2, "字段名"),
    }
    assert expected <= found, found
    messages = {(e.sheet, e.row): e.message for e in result.errors}
    assert messages[("事项", 3)] == "承诺时限不能超过法定时限"
    assert "nope" in messages[("事项", 4)]
    assert "重复" in messages[("事项", 6)]
    assert messages[("材料", 4)] == "非必需材料需写明提交条件"
    # Nothing outside the listed rows is blamed: row 2 (NEW-1) is fine.
    assert ("事项", 2) not in messages


def test_publish_flag_requires_materials(world: dict[str, Any]) -> None:
    before = counts()
    result = catalog_import(actor=system(), data=workbook([item_row("NEW-1", "新事项")]), publish=True)
    assert not result.ok
    assert result.errors[0].row == 2 and "没有材料" in result.errors[0].message
    assert counts() == before


def test_missing_required_column_is_reported(world: dict[str, Any]) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "事项"
    ws.append(["事项编码", "事项名称"])
    ws.append(["X-1", "某事项"])
    buf = io.BytesIO()
    wb.save(buf)
    result = catalog_import(actor=system(), data=buf.getvalue(), publish=False)
    assert not result.ok
    missing = {e.column for e in result.errors if e.message == "缺少必需的列"}
    assert {"领域代码", "实施部门代码", "法定时限（工作日）"} <= missing


@pytest.mark.parametrize(
    "data",
    [b"", b"code,name\nMZ-9,hello\n", b"%PDF-1.7 not a workbook", b"PK\x03\x04 broken zip"],
)
def test_non_excel_bytes_are_rejected(world: dict[str, Any], data: bytes) -> None:
    before = counts()
    result = catalog_import(actor=system(), data=data, publish=False)
    assert not result.ok
    assert counts() == before
    assert any("Excel" in e.message or "空" in e.message for e in result.errors)


@override_settings(CATALOG_IMPORT_MAX_BYTES=1000)
def test_too_large_is_rejected(world: dict[str, Any]) -> None:
    result = catalog_import(actor=system(), data=catalog_export(), publish=False)
    assert not result.ok and "文件过大" in result.errors[0].message


# --- the pages ----------------------------------------------------------------------------------


def test_export_page_downloads_xlsx(world: dict[str, Any], login: Any) -> None:
    r = login("admin").get(URL + "export/")
    assert r.status_code == 200
    assert "attachment" in r["Content-Disposition"]
    assert load_workbook(io.BytesIO(r.content)).sheetnames[:3] == ["事项", "材料", "表单字段"]
    r = login("admin").get(URL + "export/", {"template": "1"})
    assert len(list(load_workbook(io.BytesIO(r.content))["事项"].iter_rows())) == 1


def test_import_page_reports_bad_rows(world: dict[str, Any], login: Any) -> None:
    client = login("admin")
    assert client.get(URL + "import/").status_code == 200
    data = workbook([item_row("NEW-1", "新事项"), item_row("NEW-2", "坏", **{"承诺时限（工作日）": 99})])
    before = counts()
    upload = SimpleUploadedFile("items.xlsx", data)
    r = client.post(URL + "import/", {"file": upload})
    body = r.content.decode()
    assert r.status_code == 200
    assert "导入失败，没有导入任何内容" in body
    assert "第3行" in body and "承诺时限不能超过法定时限" in body
    assert counts() == before


def test_import_page_imports_and_publishes(world: dict[str, Any], login: Any) -> None:
    client = login("admin")
    data = workbook(
        [item_row("NEW-1", "新事项")],
        [["NEW-1", "M01", "身份证", "原件", 1, "是", "", "", "是"]],
        [["NEW-1", "kind", "类别", "选项", "是", "甲\n乙", ""]],
    )
    r = client.post(URL + "import/", {"file": SimpleUploadedFile("items.xlsx", data), "publish": "on"})
    assert r.status_code == 200
    assert "导入完成" in r.content.decode()
    v = ItemVersion.objects.get(item__code="NEW-1")
    assert v.status == VersionStatus.PUBLISHED and v.created_by == world["people"]["admin"].user
    assert v.accept_levels == ["county", "township"] and v.steps == ["申请", "审核"]
    assert v.fields.get().choices == ["甲", "乙"]


def test_import_page_rejects_non_excel(world: dict[str, Any], login: Any) -> None:
    before = counts()
    r = login("admin").post(URL + "import/", {"file": SimpleUploadedFile("x.xlsx", b"hello, world")})
    assert "不是 Excel" in r.content.decode()
    assert counts() == before


@override_settings(CATALOG_IMPORT_MAX_BYTES=100)
def test_import_page_rejects_large_files(world: dict[str, Any], login: Any) -> None:
    r = login("admin").post(URL + "import/", {"file": SimpleUploadedFile("x.xlsx", b"PK" + b"0" * 500)})
    assert "文件过大" in r.content.decode()
