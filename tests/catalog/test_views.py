"""Management pages: permissions, create with validation, versions, publish, retire."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from onewindow.catalog.models import FormField, Item, ItemVersion, Material, VersionStatus
from onewindow.core.actor import system

URL = "/manage/catalog/"


def guide_post(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": "MZ-010",
        "name": "临时救助申请",
        "aliases": "临时救助",
        "domain": "",
        "type": "promised",
        "basis": "《社会救助暂行办法》",
        "department": "",
        "accept_levels": ["township", "county"],
        "decide_level": "county",
        "legal_days": "20",
        "promised_days": "7",
        "fee": "0",
        "fee_basis": "",
        "conditions": "遭遇突发困难的家庭",
        "steps": "申请\n受理\n审核\n\n办结",
        "place": "各苏木乡镇便民服务中心",
        "hours": "工作日 8:30-17:30",
        "consult_phone": "0475-1234567",
        "complaint_phone": "12345",
        "online": "on",
        "proxy_allowed": "on",
        "max_visits": "1",
        "result": "救助金发放",
        "change_note": "",
        "m-TOTAL_FORMS": "2",
        "m-INITIAL_FORMS": "0",
        "m-MIN_NUM_FORMS": "0",
        "m-MAX_NUM_FORMS": "1000",
        "m-0-code": "M01",
        "m-0-name": "居民身份证",
        "m-0-original": "on",
        "m-0-copies": "1",
        "m-0-required": "on",
        "m-0-reusable": "on",
        "m-1-code": "M02",
        "m-1-name": "困难情况说明",
        "m-1-copies": "1",
        "m-1-condition": "",
        "m-1-reusable": "on",
        "f-TOTAL_FORMS": "1",
        "f-INITIAL_FORMS": "0",
        "f-MIN_NUM_FORMS": "0",
        "f-MAX_NUM_FORMS": "1000",
        "f-0-key": "kind",
        "f-0-label": "困难类型",
        "f-0-kind": "choice",
        "f-0-required": "on",
        "f-0-choices": "急难型\n支出型\n",
        "f-0-help_text": "",
    }
    data.update(overrides)
    return data


def _world_post(world: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return guide_post(domain=str(world["domain"].pk), department=str(world["department"].pk), **overrides)


# --- permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        URL,
        URL + "new/",
        URL + "items/MZ-001/",
        URL + "export/",
        URL + "import/",
        URL + "items/MZ-001/v1/edit/",
    ],
)
def test_anonymous_is_redirected_to_login(world: dict[str, Any], client: Client, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 302
    assert r["Location"].startswith("/accounts/login/")


def test_clerk_can_view_but_not_create_or_publish(world: dict[str, Any], login: Any) -> None:
    client = login("clerk")
    assert client.get(URL).status_code == 200
    r = client.get(URL + "items/MZ-001/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "最低生活保障申请" in body
    assert "新建版本" not in body and "停用</button>" not in body
    r = client.get(URL + "new/")
    assert r.status_code == 403
    assert "无权" in r.content.decode()
    before = Item.objects.count()
    assert client.post(URL + "new/", _world_post(world)).status_code == 403
    assert Item.objects.count() == before
    assert client.post(URL + "items/MZ-001/new-version/").status_code == 403
    assert client.post(URL + "items/MZ-001/retire/").status_code == 403
    assert client.get(URL + "export/").status_code == 403
    assert client.get(URL + "import/").status_code == 403
    assert ItemVersion.objects.filter(item__code="MZ-001").count() == 1


def test_clerk_cannot_publish_a_draft(world: dict[str, Any], login: Any) -> None:
    from onewindow.catalog import services

    draft = services.item_version_new_draft(actor=system(), item=world["items"]["dibao"].item)
    r = login("clerk").post(URL + f"items/MZ-001/v{draft.number}/publish/")
    assert r.status_code == 403
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_agent_without_catalog_permission_gets_403(world: dict[str, Any], login: Any) -> None:
    assert login("agent").get(URL).status_code == 403


def test_supervisor_may_export_but_not_import(world: dict[str, Any], login: Any) -> None:
    client = login("supervisor")
    r = client.get(URL + "export/")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(URL + "import/").status_code == 403


# --- list ---------------------------------------------------------------------------------------


def test_manage_list_shows_latest_version_and_filters(world: dict[str, Any], login: Any) -> None:
    from onewindow.catalog import services

    services.item_version_new_draft(actor=system(), item=world["items"]["gaoling"].item)
    client = login("admin")
    body = client.get(URL).content.decode()
    assert "MZ-001" in body and "MZ-002" in body and "第2版" in body
    body = client.get(URL, {"status": "draft"}).content.decode()
    assert "MZ-002" in body and "MZ-001" not in body
    body = client.get(URL, {"status": "published"}).content.decode()
    assert "MZ-001" in body and "MZ-002" not in body
    body = client.get(URL, {"domain": "nope"}).content.decode()
    assert "没有符合条件的事项" in body
    # htmx: only the results fragment.
    r = client.get(URL, {"q": "dibao"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    assert r.status_code == 200
    assert "<html" not in r.content.decode() and "MZ-001" in r.content.decode()


# --- create -------------------------------------------------------------------------------------


def test_admin_creates_an_item_with_materials_and_fields(world: dict[str, Any], login: Any) -> None:
    client = login("admin")
    assert client.get(URL + "new/").status_code == 200
    post = _world_post(world, **{"m-1-condition": "", "m-1-required": "on"})
    r = client.post(URL + "new/", post)
    assert r.status_code == 302, r.content.decode()
    v = ItemVersion.objects.get(item__code="MZ-010")
    assert v.status == VersionStatus.DRAFT and v.number == 1
    assert v.steps == ["申请", "受理", "审核", "办结"]
    assert v.accept_levels == ["county", "township"]
    assert v.online and v.proxy_allowed and v.consult_phone == "0475-1234567"
    assert v.created_by == world["people"]["admin"].user
    assert [(m.code, m.original) for m in v.materials.all()] == [("M01", True), ("M02", False)]
    f = v.fields.get()
    assert f.kind == "choice" and f.choices == ["急难型", "支出型"]


def test_promised_over_legal_is_rejected_and_nothing_saved(world: dict[str, Any], login: Any) -> None:
    client = login("admin")
    counts = (Item.objects.count(), ItemVersion.objects.count(), Material.objects.count())
    r = client.post(URL + "new/", _world_post(world, promised_days="30", legal_days="20"))
    assert r.status_code == 200
    body = r.content.decode()
    assert "承诺时限不能超过法定时限" in body
    assert (Item.objects.count(), ItemVersion.objects.count(), Material.objects.count()) == counts


def test_optional_material_needs_a_condition(world: dict[str, Any], login: Any) -> None:
    client = login("admin")
    before = Item.objects.count()
    # m-1 is not required and has no condition.
    r = client.post(URL + "new/", _world_post(world))
    assert r.status_code == 200
    assert "非必需材料需写明提交条件" in r.content.decode()
    assert Item.objects.count() == before


def test_create_rejects_bad_rows_in_chinese(world: dict[str, Any], login: Any) -> None:
    client = login("admin")
    post = _world_post(
        world,
        code="MZ-001",
        accept_levels=[],
        **{"m-1-code": "M01", "m-1-required": "on", "f-0-choices": ""},
    )
    body = client.post(URL + "new/", post).content.decode()
    assert "事项编码 MZ-001 已存在" in body
    assert "材料编码 M01 重复" in body
    assert "选项类字段至少需要一个选项" in body
    assert "没有保存任何内容" in body
    assert ItemVersion.objects.filter(item__code="MZ-001").count() == 1


def test_immediate_item_must_promise_zero_days(world: dict[str, Any], login: Any) -> None:
    post = _world_post(world, type="immediate", promised_days="3", **{"m-1-required": "on"})
    body = login("admin").post(URL + "new/", post).content.decode()
    assert "即办件的承诺时限应为0" in body
    assert not Item.objects.filter(code="MZ-010").exists()


# --- detail, edit, publish, retire ----------------------------------------------------------------


def _edit_post(version: ItemVersion, **overrides: Any) -> dict[str, Any]:
    data = guide_post(
        domain=str(version.domain_id),
        department=str(version.department_id),
        name=version.name,
        aliases=version.aliases,
        legal_days=str(version.legal_days),
        promised_days=str(version.promised_days),
        **{
            "m-1-required": "on",
            "f-0-kind": "text",
            "f-0-choices": "",
            "f-0-key": "reason",
            "f-0-label": "申请事由",
        },
    )
    data.pop("code")
    data.update(overrides)
    return data


def test_published_version_is_read_only_on_the_page(world: dict[str, Any], login: Any) -> None:
    client = login("admin")
    body = client.get(URL + "items/MZ-001/").content.decode()
    assert "新建版本" in body
    assert "/v1/edit/" not in body
    assert "只读" in body
    # Even typing the URL does not give a form for a published version.
    r = client.get(URL + "items/MZ-001/v1/edit/")
    assert r.status_code == 409
    assert "已发布或已停用的版本不能修改" in r.content.decode()


def test_forged_post_to_edit_a_published_version_is_refused(world: dict[str, Any], login: Any) -> None:
    v = world["items"]["dibao"]
    r = login("admin").post(
        URL + "items/MZ-001/v1/edit/", _edit_post(v, name="伪造的修改", promised_days="1")
    )
    assert r.status_code == 409
    assert "已发布或已停用的版本不能修改，请新建版本后再编辑" in r.content.decode()
    v.refresh_from_db()
    assert v.name == "最低生活保障申请" and v.promised_days == 10


def test_new_version_edit_publish_and_diff(world: dict[str, Any], login: Any) -> None:
    client = login("admin")
    r = client.post(URL + "items/MZ-001/new-version/", {"change_note": "缩短承诺时限"})
    assert r.status_code == 302 and r["Location"].endswith("/items/MZ-001/v2/edit/")
    draft = ItemVersion.objects.get(item__code="MZ-001", number=2)
    assert draft.change_note == "缩短承诺时限"
    form = client.get(r["Location"])
    assert form.status_code == 200 and "居民身份证" in form.content.decode()
    r = client.post(
        URL + "items/MZ-001/v2/edit/",
        _edit_post(draft, promised_days="5", **{"m-1-name": "收入证明", "m-1-code": "M03"}),
    )
    assert r.status_code == 302, r.content.decode()
    draft.refresh_from_db()
    assert draft.promised_days == 5
    assert [m.code for m in draft.materials.all()] == ["M01", "M03"]
    body = client.get(URL + "items/MZ-001/").content.decode()
    assert "与第1版相比的变化" in body
    assert "承诺办结时限（工作日）" in body and "收入证明" in body
    assert "发布第2版" in body
    r = client.post(URL + "items/MZ-001/v2/publish/")
    assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    assert ItemVersion.objects.get(item__code="MZ-001", number=1).status == VersionStatus.RETIRED
    # Publishing it again is a conflict, with a clear message.
    r = client.post(URL + "items/MZ-001/v2/publish/")
    assert r.status_code == 409
    assert "只有草稿可以发布" in r.content.decode()


def test_publish_without_materials_shows_a_message(world: dict[str, Any], login: Any) -> None:
    from onewindow.catalog import services

    draft = services.item_version_new_draft(actor=system(), item=world["items"]["gaoling"].item)
    services.version_set_children(version=draft, materials=[], fields=[])
    client = login("admin")
    r = client.post(URL + f"items/MZ-002/v{draft.number}/publish/", follow=True)
    assert "发布前至少需要一项申请材料" in r.content.decode()
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_retire(world: dict[str, Any], login: Any) -> None:
    client = login("admin")
    r = client.post(URL + "items/MZ-002/retire/")
    assert r.status_code == 302
    item = Item.objects.get(code="MZ-002")
    assert item.published is None
    assert item.versions.get().status == VersionStatus.RETIRED
    assert client.post(URL + "items/MZ-002/retire/").status_code == 409


def test_unknown_item_is_404(world: dict[str, Any], login: Any) -> None:
    assert login("admin").get(URL + "items/NOPE/").status_code == 404


def test_edit_keeps_form_field_choices(world: dict[str, Any], login: Any) -> None:
    client = login("admin")
    client.post(URL + "new/", _world_post(world, **{"m-1-required": "on"}))
    r = client.get(URL + "items/MZ-010/v1/edit/")
    assert "急难型\n支出型" in r.content.decode()
    assert FormField.objects.get(version__item__code="MZ-010").choices == ["急难型", "支出型"]
