"""Residents (办事群众): registration with identifier validation, masking, lookup, logged full view."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from onewindow.core.errors import Forbidden, Invalid
from onewindow.org import selectors, services
from onewindow.org.actors import actor_of
from onewindow.org.models import Resident, ResidentKind
from onewindow.privacy.crypto import blind_index
from onewindow.privacy.models import PersonalDataAccess

pytestmark = pytest.mark.django_db

GOOD_ID = "11010519491231002X"
CREDIT = "91350100M000100Y43"


def _post(client: Any, world: dict[str, Any], **overrides: Any) -> Any:
    data = {
        "kind": "person",
        "name": "王小明",
        "id_number": GOOD_ID,
        "phone": "13912345678",
        "address": "甲镇幸福路8号",
        "jurisdiction": world["va"].pk,
    }
    data.update(overrides)
    return client.post(reverse("org:resident_create"), data)


def test_clerk_registers_a_person(world: dict[str, Any], login: Any) -> None:
    client = login("clerk")
    assert client.get(reverse("org:resident_create")).status_code == 200
    resp = _post(client, world, id_number=GOOD_ID.lower())
    r = Resident.objects.get()
    assert resp.status_code == 302
    assert resp["Location"] == reverse("org:resident_detail", args=[r.pk])
    assert r.id_number == GOOD_ID  # lower-case x normalised
    assert r.id_index == blind_index(GOOD_ID)
    assert r.phone == "13912345678"
    assert r.jurisdiction == world["va"]
    assert r.created_by == world["people"]["clerk"].user
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, phone, address FROM org_resident WHERE id = %s", [r.pk])
        raw = " ".join(cur.fetchone())
    assert GOOD_ID not in raw and "13912345678" not in raw and "幸福路" not in raw


def test_registers_an_enterprise(world: dict[str, Any], login: Any) -> None:
    resp = _post(login("agent"), world, kind="enterprise", name="甲一嘎查牧业合作社", id_number=CREDIT)
    assert resp.status_code == 302
    r = Resident.objects.get()
    assert r.kind == ResidentKind.ENTERPRISE
    assert r.id_number == CREDIT
    assert r.masked_name == "甲一嘎查牧业合作社"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id_number", "110105194912310021", "身份证号校验位错误，请核对号码"),
        ("id_number", "11010519490230002X", "身份证号中的出生日期不是有效日期"),
        ("id_number", "1101051949123100", "身份证号应为18位，当前为16位"),
        ("id_number", "", "请填写居民身份证号"),
        ("phone", "2391234567", "手机号码应为以1开头的11位数字"),
        ("name", "", "请填写姓名或单位名称"),
    ],
)
def test_bad_input_shows_chinese_error_and_saves_nothing(
    world: dict[str, Any], login: Any, field: str, value: str, message: str
) -> None:
    resp = _post(login("clerk"), world, **{field: value})
    assert resp.status_code == 200
    body = resp.content.decode()
    assert message in body
    assert f"id_{field}_errors" in body  # shown next to the right field
    assert Resident.objects.count() == 0


def test_bad_credit_code_for_enterprise(world: dict[str, Any], login: Any) -> None:
    resp = _post(login("clerk"), world, kind="enterprise", id_number="91350100M000100Y44")
    assert resp.status_code == 200
    assert "统一社会信用代码校验位错误" in resp.content.decode()
    assert Resident.objects.count() == 0


def test_duplicate_id_is_detected(world: dict[str, Any], login: Any) -> None:
    client = login("clerk")
    assert _post(client, world).status_code == 302
    resp = _post(client, world, name="王小明二", id_number=GOOD_ID.lower())
    assert resp.status_code == 200
    assert "该证件号码已登记" in resp.content.decode()
    assert Resident.objects.count() == 1


def test_duplicate_detected_across_jurisdictions(world: dict[str, Any]) -> None:
    clerk = world["people"]["clerk"].user
    outsider = world["people"]["outsider"].user
    kw = {"kind": "person", "name": "王小明", "id_number": GOOD_ID, "phone": "13912345678"}
    services.resident_create(actor=actor_of(clerk), jurisdiction=world["va"], **kw)
    with pytest.raises(Invalid) as exc:
        services.resident_create(actor=actor_of(outsider), jurisdiction=world["vb"], **kw)
    assert exc.value.code == "duplicate_resident"
    assert exc.value.details == {"id_number": ["该证件号码已登记"]}


def test_jurisdiction_outside_scope_is_refused(world: dict[str, Any], login: Any) -> None:
    resp = _post(login("clerk"), world, jurisdiction=world["vb"].pk)
    assert resp.status_code == 200
    assert "所选区域不在您的管辖范围内" in resp.content.decode()
    assert Resident.objects.count() == 0
    with pytest.raises(Invalid) as exc:
        services.resident_create(
            actor=actor_of(world["people"]["clerk"].user),
            kind="person",
            name="王小明",
            id_number=GOOD_ID,
            phone="13912345678",
            jurisdiction=world["vb"],
        )
    assert "jurisdiction" in exc.value.details


def test_service_reports_every_error_at_once(world: dict[str, Any]) -> None:
    with pytest.raises(Invalid) as exc:
        services.resident_create(
            actor=actor_of(world["people"]["clerk"].user),
            kind="person",
            name=" ",
            id_number="110105194912310021",
            phone="123",
            jurisdiction=world["va"],
        )
    assert set(exc.value.details) == {"name", "id_number", "phone"}
    assert exc.value.code == "invalid"  # the first error (name) is a plain field error
    assert Resident.objects.count() == 0


def test_service_error_code_is_identifier_code(world: dict[str, Any]) -> None:
    with pytest.raises(Invalid) as exc:
        services.resident_create(
            actor=actor_of(world["people"]["clerk"].user),
            kind="person",
            name="王小明",
            id_number="110105194912310021",
            phone="13912345678",
            jurisdiction=world["va"],
        )
    assert exc.value.code == "invalid_id_number"


def test_reviewer_and_supervisor_cannot_register(world: dict[str, Any], login: Any) -> None:
    assert login("reviewer").get(reverse("org:resident_create")).status_code == 403
    with pytest.raises(Forbidden):
        services.resident_create(
            actor=actor_of(world["people"]["supervisor"].user),
            kind="person",
            name="王小明",
            id_number=GOOD_ID,
            phone="13912345678",
            jurisdiction=world["va"],
        )


def test_list_and_detail_are_masked(
    world: dict[str, Any], residents: dict[str, Resident], login: Any
) -> None:
    r = residents["va"]
    client = login("clerk")
    for url in (reverse("org:resident_list"), reverse("org:resident_detail", args=[r.pk])):
        body = client.get(url).content.decode()
        assert r.id_number not in body
        assert r.phone not in body
        assert r.name not in body
        assert r.masked_id_number in body
        assert r.id_number[:4] + "**********" + r.id_number[-4:] in body
    assert "居*" in body and "137****0002" in body


def test_list_search_by_full_id_number(
    world: dict[str, Any], residents: dict[str, Resident], login: Any
) -> None:
    r = residents["va"]
    rows = selectors.resident_list(actor=actor_of(world["people"]["clerk"].user), q=r.id_number.lower())
    assert list(rows) == [r]


def test_full_view_of_resident_is_logged(
    world: dict[str, Any], residents: dict[str, Resident], head: Any, login: Any
) -> None:
    r = residents["va"]
    resp = login("head").post(reverse("org:resident_reveal", args=[r.pk]), {"purpose": "核对低保申请"})
    assert resp.status_code == 200
    body = resp.content.decode()
    assert r.id_number in body and r.phone in body and r.name in body
    log = PersonalDataAccess.objects.get()
    assert (log.actor, log.object_type, log.object_id) == (head.user, "Resident", str(r.pk))
    assert log.fields == "name,id_number,phone,address"
    assert log.ip == "127.0.0.1"


def test_clerk_cannot_reveal_resident(
    world: dict[str, Any], residents: dict[str, Resident], login: Any
) -> None:
    r = residents["va"]
    resp = login("clerk").post(reverse("org:resident_reveal", args=[r.pk]))
    assert resp.status_code == 403
    assert PersonalDataAccess.objects.count() == 0


def test_reveal_outside_scope_is_404(
    world: dict[str, Any], residents: dict[str, Resident], head: Any, login: Any
) -> None:
    resp = login("head").post(reverse("org:resident_reveal", args=[residents["tb"].pk]))
    assert resp.status_code == 404
    assert PersonalDataAccess.objects.count() == 0


def test_lookup_by_id_number_is_scoped(
    world: dict[str, Any], residents: dict[str, Resident], login: Any
) -> None:
    r = residents["va"]
    url = reverse("org:resident_lookup")
    client = login("clerk")
    assert client.get(url).status_code == 200
    body = client.post(url, {"number": r.id_number}).content.decode()
    assert reverse("org:resident_detail", args=[r.pk]) in body
    assert r.id_number not in body.split('id="lookup-result"')[1]
    # htmx: only the result fragment.
    resp = client.post(url, {"number": r.id_number.lower()}, HTTP_HX_REQUEST="true")
    frag = resp.content.decode()
    assert "<html" not in frag
    assert reverse("org:resident_detail", args=[r.pk]) in frag

    body = login("outsider").post(url, {"number": r.id_number}).content.decode()
    assert reverse("org:resident_detail", args=[r.pk]) not in body
    assert "未找到该证件号码的登记信息" in body


def test_lookup_selector(world: dict[str, Any], residents: dict[str, Resident]) -> None:
    agent = world["people"]["agent"].user
    assert (
        selectors.resident_lookup(actor=actor_of(agent), number=residents["va"].id_number) == residents["va"]
    )
    assert selectors.resident_lookup(actor=actor_of(agent), number=residents["ta"].id_number) is None
    assert selectors.resident_lookup(actor=actor_of(agent), number="") is None
