"""Version immutability: a published (or retired) version never changes."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from onewindow.catalog import services
from onewindow.catalog.models import ImmutableVersionError, ItemVersion, Material, VersionStatus
from onewindow.core.actor import system
from onewindow.core.errors import Conflict
from onewindow.org.actors import actor_of


def test_saving_a_changed_published_version_raises(world: dict[str, Any]) -> None:
    v = ItemVersion.objects.get(item__code="MZ-001", status=VersionStatus.PUBLISHED)
    v.name = "改了名字"
    with pytest.raises(ImmutableVersionError):
        v.save()
    assert ItemVersion.objects.get(pk=v.pk).name == "最低生活保障申请"


def test_published_version_cannot_be_deleted(world: dict[str, Any]) -> None:
    v = ItemVersion.objects.get(item__code="MZ-001", status=VersionStatus.PUBLISHED)
    with pytest.raises(ImmutableVersionError):
        v.delete()


def test_service_update_of_published_version_is_a_conflict(world: dict[str, Any]) -> None:
    v = world["items"]["dibao"]
    with pytest.raises(Conflict) as exc:
        services.item_version_update(actor=system(), version=v, name="新名字")
    assert exc.value.code == "version_immutable"
    assert exc.value.status == 409


def test_published_version_materials_cannot_change(world: dict[str, Any]) -> None:
    v = world["items"]["dibao"]
    m = v.materials.get(code="M01")
    m.copies = 3
    with pytest.raises(ValidationError):
        m.save()
    with pytest.raises(ValidationError):
        Material.objects.create(version=v, code="M09", name="新材料")
    with pytest.raises(ValidationError):
        m.delete()
    with pytest.raises(Conflict):
        services.version_set_children(version=v, materials=[], fields=[])
    assert list(v.materials.values_list("code", "copies")) == [("M01", 1), ("M02", 1)]


def test_publishing_a_new_draft_retires_the_old_version(world: dict[str, Any]) -> None:
    admin = world["people"]["admin"].user
    v1 = world["items"]["dibao"]
    draft = services.item_version_new_draft(actor=actor_of(admin), item=v1.item, change_note="调整时限")
    assert draft.number == 2 and draft.status == VersionStatus.DRAFT
    # The draft is a full copy, and editable.
    assert [m.code for m in draft.materials.all()] == ["M01", "M02"]
    services.item_version_edit(
        actor=actor_of(admin),
        version=draft,
        materials=[{"code": "M01", "name": "居民身份证", "original": True, "copies": 1}],
        fields=[],
        promised_days=5,
    )
    services.item_version_publish(actor=actor_of(admin), version=draft)
    v1.refresh_from_db()
    draft.refresh_from_db()
    assert v1.status == VersionStatus.RETIRED and v1.retired_at is not None
    assert draft.status == VersionStatus.PUBLISHED
    assert draft.item.published_id == draft.pk
    # The old version kept its content.
    assert v1.promised_days == 10 and v1.materials.count() == 2
    assert ItemVersion.objects.filter(item=v1.item, status=VersionStatus.PUBLISHED).count() == 1


def test_a_draft_cannot_be_published_twice(world: dict[str, Any]) -> None:
    with pytest.raises(Conflict):
        services.item_version_publish(actor=system(), version=world["items"]["dibao"])


def test_retire_removes_the_published_pointer(world: dict[str, Any]) -> None:
    v = world["items"]["gaoling"]
    services.item_retire(actor=system(), item=v.item)
    v.refresh_from_db()
    assert v.status == VersionStatus.RETIRED
    assert v.item.published is None
