"""Writes to the catalog. Each function is one transaction and takes the acting :class:`Actor`
(resolved at the edge; seed data and commands pass ``core.actor.system()``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from onewindow.catalog.models import (
    Bundle,
    BundleItem,
    FormField,
    Item,
    ItemVersion,
    Material,
    VersionStatus,
)
from onewindow.core.actor import Actor
from onewindow.core.errors import Conflict, Invalid


def validation_details(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


def _full_clean(obj: Any, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        details = validation_details(exc)
        first = next(iter(details.values()))[0] if details else "填写的内容有误"
        raise Invalid(first, code="invalid", details=details) from None


@transaction.atomic
def item_create(
    *,
    actor: Actor,
    code: str,
    materials: list[dict[str, Any]] | None = None,
    fields: list[dict[str, Any]] | None = None,
    **guide: Any,
) -> ItemVersion:
    """Create an item with its first (draft) version, materials and form fields."""
    if Item.objects.filter(code=code).exists():
        raise Invalid(f"事项编码 {code} 已存在", code="duplicate_code", details={"code": ["已存在"]})
    item = Item(code=code)
    _full_clean(item, exclude=["published"])
    item.save()
    version = ItemVersion(
        item=item, number=1, status=VersionStatus.DRAFT, created_by=actor.recorded_user, **guide
    )
    _full_clean(version, exclude=["item", "created_by"])
    version.save()
    version_set_children(version=version, materials=materials or [], fields=fields or [])
    return version


@transaction.atomic
def version_set_children(
    *, version: ItemVersion, materials: list[dict[str, Any]], fields: list[dict[str, Any]]
) -> None:
    """Replace a draft's materials and form fields."""
    if not version.is_editable:
        raise Conflict("已发布或已停用的版本不能修改，请新建版本后再编辑", code="version_immutable")
    Material.objects.filter(version=version).delete()
    FormField.objects.filter(version=version).delete()
    for i, data in enumerate(materials, start=1):
        m = Material(version=version, sort=data.pop("sort", i), **data)
        _full_clean(m, exclude=["version"])
        m.save()
    for i, data in enumerate(fields, start=1):
        f = FormField(version=version, sort=data.pop("sort", i), **data)
        _full_clean(f, exclude=["version"])
        f.save()


@transaction.atomic
def item_version_update(*, actor: Actor, version: ItemVersion, **changes: Any) -> ItemVersion:
    version = ItemVersion.objects.select_for_update(of=("self",)).get(pk=version.pk)
    if not version.is_editable:
        raise Conflict("已发布或已停用的版本不能修改，请新建版本后再编辑", code="version_immutable")
    for key, value in changes.items():
        setattr(version, key, value)
    _full_clean(version, exclude=["item", "created_by"])
    version.save()
    return version


@transaction.atomic
def item_version_new_draft(*, actor: Actor, item: Item, change_note: str = "") -> ItemVersion:
    """Copy the latest version (with materials and fields) into a new draft."""
    item = Item.objects.select_for_update(of=("self",)).get(pk=item.pk)
    existing = item.versions.filter(status=VersionStatus.DRAFT).first()
    if existing:
        return existing
    latest = item.versions.order_by("-number").first()
    if latest is None:
        raise Conflict("该事项没有可复制的版本", code="no_version")
    materials = list(latest.materials.all())
    fields = list(latest.fields.all())
    latest.pk = None
    latest.id = None
    latest._state.adding = True
    latest.number = (item.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    latest.status = VersionStatus.DRAFT
    latest.published_at = None
    latest.retired_at = None
    latest.created_by = actor.recorded_user
    latest.change_note = change_note
    latest.save()
    for row in [*materials, *fields]:  # copied onto the new draft as new rows
        row.pk = None
        row.id = None  # type: ignore[attr-defined]
        row._state.adding = True
        row.version = latest
        row.save()
    return latest


@transaction.atomic
def item_version_publish(*, actor: Actor, version: ItemVersion) -> ItemVersion:
    """Publish a draft; the previously published version of the item is retired."""
    item = Item.objects.select_for_update(of=("self",)).get(pk=version.item_id)
    version = ItemVersion.objects.select_for_update(of=("self",)).get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise Conflict("只有草稿可以发布", code="invalid_transition")
    _full_clean(version, exclude=["item", "created_by"])
    if not version.materials.exists():
        raise Invalid("发布前至少需要一项申请材料", code="invalid", details={"materials": ["至少一项"]})
    now = timezone.now()
    for old in item.versions.filter(status=VersionStatus.PUBLISHED):
        old.status = VersionStatus.RETIRED
        old.retired_at = now
        old.save()
    version.status = VersionStatus.PUBLISHED
    version.published_at = now
    # published_at is set on the draft->published transition itself, before the row is immutable.
    ItemVersion.objects.filter(pk=version.pk).update(status=version.status, published_at=now)
    item.published = version
    item.save(update_fields=["published"])
    return version


@transaction.atomic
def item_retire(*, actor: Actor, item: Item) -> None:
    item = Item.objects.select_for_update(of=("self",)).get(pk=item.pk)
    now = timezone.now()
    for old in item.versions.filter(status=VersionStatus.PUBLISHED):
        old.status = VersionStatus.RETIRED
        old.retired_at = now
        old.save()
    item.published = None
    item.save(update_fields=["published"])


@transaction.atomic
def bundle_save(
    *, actor: Actor, code: str, name: str, item_codes: list[str], description: str = "", life_event: str = ""
) -> Bundle:
    items = {i.code: i for i in Item.objects.filter(code__in=item_codes)}
    missing = [c for c in item_codes if c not in items]
    if missing:
        raise Invalid(
            f"未知的事项编码：{'、'.join(missing)}", code="unknown_item", details={"items": missing}
        )
    bundle, _created = Bundle.objects.update_or_create(
        code=code, defaults={"name": name, "description": description, "life_event": life_event}
    )
    BundleItem.objects.filter(bundle=bundle).delete()
    for i, c in enumerate(item_codes, start=1):
        BundleItem.objects.create(bundle=bundle, item=items[c], sort=i)
    return bundle


@transaction.atomic
def item_version_edit(
    *,
    actor: Actor,
    version: ItemVersion,
    materials: list[dict[str, Any]],
    fields: list[dict[str, Any]],
    **changes: Any,
) -> ItemVersion:
    """Save a draft's guide elements, materials and form fields together (one transaction)."""
    version = item_version_update(actor=actor, version=version, **changes)
    version_set_children(version=version, materials=materials, fields=fields)
    return version
