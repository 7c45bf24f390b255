"""Reads of the catalog."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from onewindow.catalog.models import Bundle, ItemVersion, Material, VersionStatus
from onewindow.catalog.search import normalise_query
from onewindow.errors import NotFound


def item_list(
    *, domain: str | None = None, level: str | None = None, q: str | None = None, proxy: bool | None = None
) -> QuerySet[ItemVersion]:
    """Published item versions, filtered; ``q`` matches Chinese text, full pinyin and initials."""
    qs = (
        ItemVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .select_related("item", "domain", "department")
        .order_by("domain__sort", "item__code")
    )
    if domain:
        qs = qs.filter(domain__code=domain)
    if level:
        # accept_levels is a small JSON list; match its serialised form portably.
        qs = qs.filter(accept_levels__icontains=f'"{level}"')
    if proxy is not None:
        qs = qs.filter(proxy_allowed=proxy)
    term = normalise_query(q or "")
    if term:
        qs = qs.filter(search_text__icontains=term)
    return qs


def item_get_published(code: str) -> ItemVersion:
    v = (
        ItemVersion.objects.filter(item__code=code, status=VersionStatus.PUBLISHED)
        .select_related("item", "domain", "department", "department__jurisdiction")
        .prefetch_related("materials", "fields")
        .first()
    )
    if v is None:
        raise NotFound(f"事项 {code} 不存在或未发布", code="unknown_item")
    return v


@dataclass
class MergedMaterial:
    name: str
    original: bool
    copies: int
    required: bool
    condition: str
    note: str
    items: list[str] = field(default_factory=list)
    code: str = ""


def bundle_list(q: str | None = None) -> QuerySet[Bundle]:
    qs = Bundle.objects.filter(is_published=True).prefetch_related("entries__item__published")
    term = normalise_query(q or "")
    if term:
        qs = qs.filter(search_text__icontains=term)
    return qs


def bundle_get(code: str) -> Bundle:
    b = bundle_list().filter(code=code).first()
    if b is None:
        raise NotFound(f"一件事 {code} 不存在", code="unknown_bundle")
    return b


def bundle_versions(bundle: Bundle) -> list[ItemVersion]:
    return [e.item.published for e in bundle.entries.all() if e.item.published is not None]


def bundle_materials(bundle: Bundle) -> list[MergedMaterial]:
    """The merged material list of a bundle: each material once (same name = same material).

    A merged material is required if any item requires it, needs the original if any item does,
    and asks for the largest number of copies.
    """
    merged: dict[str, MergedMaterial] = {}
    versions = bundle_versions(bundle)
    mats = Material.objects.filter(version__in=versions).select_related("version").order_by("version", "sort")
    for m in mats:
        key = m.name.strip()
        cur = merged.get(key)
        if cur is None:
            cur = merged[key] = MergedMaterial(
                name=key,
                original=m.original,
                copies=m.copies,
                required=m.required,
                condition=m.condition,
                note=m.note,
                code=f"B{len(merged) + 1:02d}",
            )
        else:
            cur.original = cur.original or m.original
            cur.copies = max(cur.copies, m.copies)
            if m.required and not cur.required:
                cur.required, cur.condition = True, ""
        if m.version.name not in cur.items:
            cur.items.append(m.version.name)
    return list(merged.values())


def bundle_fields(bundle: Bundle) -> list[Any]:
    """The bundle's one form: each field key once."""
    seen: dict[str, Any] = {}
    for v in bundle_versions(bundle):
        for f in v.fields.all():
            seen.setdefault(f.key, f)
    return list(seen.values())
