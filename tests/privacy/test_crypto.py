"""Encryption at rest, key rotation, the blind index, and masking."""

from __future__ import annotations

import base64
import os
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings

from onewindow.org.models import Resident, ResidentKind, Staff
from onewindow.privacy import crypto
from onewindow.privacy.masking import mask_address, mask_credit_code, mask_id_number, mask_name, mask_phone

ID = "11010519491231002X"
PHONE = "13912345678"


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def make_resident(world: dict[str, Any], number: str = ID, name: str = "王小明") -> Resident:
    return Resident.objects.create(
        kind=ResidentKind.PERSON,
        name=name,
        id_number=number,
        phone=PHONE,
        address="甲镇幸福路8号",
        jurisdiction=world["va"],
    )


def raw_row(pk: int) -> tuple[str, str, str]:
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, phone, address FROM org_resident WHERE id = %s", [pk])
        row = cur.fetchone()
    assert row is not None
    return row[0], row[1], row[2]


@pytest.mark.django_db
def test_round_trip(world: dict[str, Any]) -> None:
    r = make_resident(world)
    fresh = Resident.objects.get(pk=r.pk)
    assert (fresh.id_number, fresh.phone, fresh.address) == (ID, PHONE, "甲镇幸福路8号")
    staff = Staff.objects.get(user__username="clerk")
    assert staff.mobile == "13800000001"


@pytest.mark.django_db
def test_raw_column_holds_no_clear_text(world: dict[str, Any]) -> None:
    r = make_resident(world)
    raw_id, raw_phone, raw_address = raw_row(r.pk)
    for raw in (raw_id, raw_phone, raw_address):
        assert raw.startswith("gAAAA")  # a Fernet token
    assert ID not in raw_id and ID[-8:] not in raw_id
    assert PHONE not in raw_phone
    assert "幸福路" not in raw_address
    with connection.cursor() as cur:
        cur.execute(
            "SELECT mobile FROM org_staff WHERE user_id = (SELECT id FROM auth_user WHERE username = 'clerk')"
        )
        (raw_mobile,) = cur.fetchone()
    assert "13800000001" not in raw_mobile
    # Same value encrypted twice gives different tokens (no equality leak).
    assert crypto.encrypt(ID) != crypto.encrypt(ID)


@pytest.mark.django_db
def test_empty_values_stay_empty(world: dict[str, Any]) -> None:
    r = Resident.objects.create(kind=ResidentKind.PERSON, name="李四", id_number=ID, jurisdiction=world["va"])
    assert raw_row(r.pk)[1] == ""
    assert Resident.objects.get(pk=r.pk).phone == ""


@pytest.mark.django_db
def test_key_rotation(world: dict[str, Any]) -> None:
    old, new = new_key(), new_key()
    with override_settings(ONEWINDOW_DATA_KEYS=[old]):
        r = make_resident(world)
    old_tokens = raw_row(r.pk)
    old_token = old_tokens[0]

    with override_settings(ONEWINDOW_DATA_KEYS=[new, old]):
        # Old rows still decrypt while the old key is listed second.
        assert Resident.objects.get(pk=r.pk).id_number == ID
        rotated_all = [crypto.rotate(t) for t in old_tokens]
        rotated = rotated_all[0]
        assert rotated != old_token
        assert crypto.decrypt(rotated) == ID
        with connection.cursor() as cur:
            cur.execute(
                "UPDATE org_resident SET id_number = %s, phone = %s, address = %s WHERE id = %s",
                [*rotated_all, r.pk],
            )
        # New writes use the new key.
        fresh_token = crypto.encrypt("x")

    with override_settings(ONEWINDOW_DATA_KEYS=[new]):
        # Rotated and new values need only the new key; the old token no longer opens.
        assert Resident.objects.get(pk=r.pk).id_number == ID
        assert crypto.decrypt(fresh_token) == "x"
        with pytest.raises(ValueError, match="密钥不匹配"):
            crypto.decrypt(old_token)

    with override_settings(ONEWINDOW_DATA_KEYS=[old]), pytest.raises(ValueError):
        crypto.decrypt(rotated)


def test_missing_keys_fail_loudly() -> None:
    with override_settings(ONEWINDOW_DATA_KEYS=[]), pytest.raises(RuntimeError, match="未配置"):
        crypto.encrypt("x")


def test_blind_index_properties() -> None:
    assert crypto.blind_index(ID) == crypto.blind_index(ID)
    assert crypto.blind_index(ID) == crypto.blind_index(" " + ID.lower() + " ")
    assert crypto.blind_index(ID) != crypto.blind_index("110105194912310010")
    assert len(crypto.blind_index(ID)) == 64
    assert ID not in crypto.blind_index(ID)
    with override_settings(ONEWINDOW_INDEX_KEY="another-index-key"):
        other = crypto.blind_index(ID)
    assert other != crypto.blind_index(ID)


@pytest.mark.django_db
def test_lookup_by_blind_index(world: dict[str, Any]) -> None:
    r = make_resident(world)
    make_resident(world, number="11010519800101001" + "5", name="张三")
    assert r.id_index == crypto.blind_index(ID)
    assert list(Resident.objects.filter(id_index=crypto.blind_index(ID.lower()))) == [r]
    assert not Resident.objects.filter(id_index=crypto.blind_index("110105194912310010")).exists()


@pytest.mark.django_db
def test_filtering_on_encrypted_field_raises(world: dict[str, Any]) -> None:
    make_resident(world)
    with pytest.raises(TypeError, match="盲索引"):
        Resident.objects.filter(id_number=ID)
    with pytest.raises(TypeError):
        Resident.objects.filter(phone__startswith="139")
    with pytest.raises(TypeError):
        Staff.objects.filter(mobile__icontains="1380")
    assert Resident.objects.filter(phone__isnull=False).count() == 1


@pytest.mark.parametrize(
    ("fn", "value", "expected"),
    [
        (mask_id_number, "150102199001011234", "1501**********1234"),
        (mask_id_number, ID, "1101**********002X"),
        (mask_id_number, "1234", "****"),
        (mask_id_number, "", ""),
        (mask_id_number, None, ""),
        (mask_phone, "13812345678", "138****5678"),
        (mask_phone, "123456", "******"),
        (mask_phone, None, ""),
        (mask_name, "张三", "张*"),
        (mask_name, "欧阳娜娜", "欧***"),
        (mask_name, "王", "王*"),
        (mask_name, "", ""),
        (mask_address, "内蒙古锡林郭勒盟阿巴嘎旗别力古台镇", "内蒙古锡林郭****"),
        (mask_address, "甲镇一号", "甲镇**"),
        (mask_address, "", ""),
        (mask_credit_code, "91350100M000100Y43", "91350100M000100Y43"),
    ],
)
def test_masking(fn: Any, value: Any, expected: str) -> None:
    assert fn(value) == expected


@pytest.mark.django_db
def test_model_masking_helpers(world: dict[str, Any]) -> None:
    r = make_resident(world)
    assert r.masked_id_number == "1101**********002X"
    assert r.masked_phone == "139****5678"
    assert r.masked_name == "王**"
    assert str(r) == "王**"
    assert Staff.objects.get(user__username="clerk").masked_mobile == "138****0001"


def test_rotate_keys_command_reencrypts_every_row(db: Any, settings: Any) -> None:
    from io import StringIO

    from cryptography.fernet import Fernet
    from django.core.management import call_command
    from django.db import connection

    from onewindow.org.models import Jurisdiction, Level, Resident
    from onewindow.privacy import crypto

    j = Jurisdiction.objects.create(code="152522000000", name="测试旗", level=Level.COUNTY)
    old_key = settings.ONEWINDOW_DATA_KEYS[0]
    r = Resident.objects.create(
        name="巴特尔", id_number="11010519491231002X", phone="13912345678", jurisdiction=j
    )
    new_key = Fernet.generate_key().decode()
    settings.ONEWINDOW_DATA_KEYS = [new_key, old_key]
    call_command("rotate_keys", stdout=StringIO())
    settings.ONEWINDOW_DATA_KEYS = [new_key]  # the old key is gone: rows must still decrypt
    crypto._fernet.cache_clear()
    r2 = Resident.objects.get(pk=r.pk)
    assert r2.id_number == "11010519491231002X" and r2.phone == "13912345678"
    with connection.cursor() as cur:
        cur.execute("SELECT id_number FROM org_resident WHERE id = %s", [r.pk])
        raw = cur.fetchone()[0]
    assert "11010519491231002X" not in raw
