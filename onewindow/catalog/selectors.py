"""Reads of the catalog."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from onewindow.catalog.models import Bundle, FormField, Item, ItemVersion, Material, VersionStatus
from onewindow.catalog.search import normalise_query
from onewindow.core.errors import NotFound
from onewindow.core.readcache import ReadCache
from onewindow.org.models import LEVEL_ORDER

PUBLISHED = ReadCache("catalog")
"""The published versions by item code (bumped by ``catalog.apps`` on any catalog or department change)."""


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


def published_version(code: str) -> tuple[Item, ItemVersion | None] | None:
    """The item and its published version (``None`` if unpublished) with the department, its
    jurisdiction, the materials and the form fields — from the per-process cache (no query when warm).
    ``None`` when there is no such item. The rows are shared: read them, never change them."""

    def load() -> tuple[Item, ItemVersion | None] | None:
        item = Item.objects.filter(code=code).first()
        if item is None:
            return None
        version = (
            ItemVersion.objects.filter(item=item, status=VersionStatus.PUBLISHED)
            .select_related("item", "domain", "department__jurisdiction")
            .prefetch_related("materials", "fields")
            .first()
        )
        return item, version

    return PUBLISHED.get(code, load)


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


# ---------------------------------------------------------------------------------------------
# Management (staff) reads: every item with its latest version, version snapshots and diffs.
# ---------------------------------------------------------------------------------------------

# The guide elements of a version, in display order, with their Chinese labels.
GUIDE_FIELDS: list[tuple[str, str]] = [
    ("name", "事项名称"),
    ("aliases", "简称/别名"),
    ("domain", "领域"),
    ("type", "办件类型"),
    ("basis", "设定依据"),
    ("department", "实施部门"),
    ("accept_levels", "受理层级"),
    ("decide_level", "决定层级"),
    ("legal_days", "法定办结时限（工作日）"),
    ("promised_days", "承诺办结时限（工作日）"),
    ("fee", "收费标准（元）"),
    ("fee_basis", "收费依据"),
    ("conditions", "受理条件"),
    ("steps", "办理流程"),
    ("place", "办理地点"),
    ("hours", "办理时间"),
    ("consult_phone", "咨询电话"),
    ("complaint_phone", "投诉电话"),
    ("online", "可网上办理"),
    ("proxy_allowed", "可帮办代办"),
    ("max_visits", "到现场次数"),
    ("result", "办理结果"),
]

MATERIAL_FIELDS: list[tuple[str, str]] = [
    ("code", "材料编码"),
    ("name", "材料名称"),
    ("original", "原件"),
    ("copies", "份数"),
    ("required", "必需"),
    ("condition", "提交条件"),
    ("note", "备注"),
    ("reusable", "可复用"),
]

FORM_FIELD_FIELDS: list[tuple[str, str]] = [
    ("key", "字段名"),
    ("label", "标题"),
    ("kind", "类型"),
    ("required", "必填"),
    ("choices", "选项"),
    ("help_text", "填写说明"),
]


def item_version_latest_list(
    *, status: str | None = None, domain: str | None = None, q: str | None = None
) -> QuerySet[ItemVersion]:
    """Every item's latest version (drafts included), for the management list."""
    newer = ItemVersion.objects.filter(item=OuterRef("item"), number__gt=OuterRef("number"))
    qs = (
        ItemVersion.objects.filter(~Exists(newer))
        .select_related("item", "item__published", "domain", "department")
        .order_by("item__code")
    )
    if status:
        qs = qs.filter(status=status)
    if domain:
        qs = qs.filter(domain__code=domain)
    term = normalise_query(q or "")
    if term:
        qs = qs.filter(search_text__icontains=term)
    return qs


def item_get_for_manage(code: str) -> Item:
    item = Item.objects.select_related("published").filter(code=code).first()
    if item is None:
        raise NotFound(f"事项 {code} 不存在", code="unknown_item")
    return item


def item_versions(item: Item) -> list[ItemVersion]:
    return list(
        item.versions.select_related("domain", "department", "created_by")
        .prefetch_related("materials", "fields")
        .order_by("-number")
    )


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value.quantize(Decimal('0.01'))}"
    if isinstance(value, list):
        return [str(v) for v in value]
    return value


def guide_snapshot(v: ItemVersion) -> dict[str, Any]:
    """The guide elements of a (possibly unsaved) version as plain, comparable values."""
    data: dict[str, Any] = {}
    for attr, _label in GUIDE_FIELDS:
        if attr == "domain":
            data[attr] = v.domain.code if v.domain_id else ""
        elif attr == "department":
            data[attr] = v.department.code if v.department_id else ""
        elif attr == "fee":
            data[attr] = _plain(Decimal(str(v.fee if v.fee is not None else 0)))
        elif attr == "accept_levels":
            levels = list(v.accept_levels or [])
            data[attr] = [lv for lv in LEVEL_ORDER if lv in levels] + [
                lv for lv in levels if lv not in LEVEL_ORDER
            ]
        else:
            data[attr] = _plain(getattr(v, attr))
    return data


def material_snapshot(m: Material) -> dict[str, Any]:
    return {attr: _plain(getattr(m, attr)) for attr, _label in MATERIAL_FIELDS}


def form_field_snapshot(f: FormField) -> dict[str, Any]:
    return {attr: _plain(getattr(f, attr)) for attr, _label in FORM_FIELD_FIELDS}


def version_snapshot(v: ItemVersion) -> dict[str, Any]:
    return {
        "guide": guide_snapshot(v),
        "materials": [material_snapshot(m) for m in v.materials.all()],
        "fields": [form_field_snapshot(f) for f in v.fields.all()],
    }


@dataclass
class Change:
    label: str
    old: str
    new: str


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if value is None:
        return ""
    return str(value)


def _rows_diff(
    kind: str, key: str, labels: dict[str, str], old: list[dict[str, Any]], new: list[dict[str, Any]]
) -> list[Change]:
    changes: list[Change] = []
    old_by = {r[key]: r for r in old}
    new_by = {r[key]: r for r in new}
    for k, row in new_by.items():
        name = row.get("name") or row.get("label") or k
        if k not in old_by:
            changes.append(Change(f"{kind}「{name}」", "（无）", "新增"))
        elif old_by[k] != row:
            fields = [attr for attr in row if row[attr] != old_by[k].get(attr)]
            detail = "；".join(
                f"{labels[attr]}：{_show(old_by[k].get(attr))} → {_show(row[attr])}" for attr in fields
            )
            changes.append(Change(f"{kind}「{name}」", "", f"修改（{detail}）"))
    for k, row in old_by.items():
        if k not in new_by:
            name = row.get("name") or row.get("label") or k
            changes.append(Change(f"{kind}「{name}」", "", "删除"))
    if [r[key] for r in old if r[key] in new_by] != [r[key] for r in new if r[key] in old_by]:
        changes.append(Change(f"{kind}顺序", "", "已调整"))
    return changes


def version_diff(old: ItemVersion, new: ItemVersion) -> list[Change]:
    """What changed from ``old`` to ``new``: guide elements, materials and form fields."""
    a, b = version_snapshot(old), version_snapshot(new)
    changes: list[Change] = []
    labels = dict(GUIDE_FIELDS)
    for attr, label in labels.items():
        if a["guide"][attr] != b["guide"][attr]:
            changes.append(Change(label, _show(a["guide"][attr]), _show(b["guide"][attr])))
    changes += _rows_diff("材料", "code", dict(MATERIAL_FIELDS), a["materials"], b["materials"])
    changes += _rows_diff("表单字段", "key", dict(FORM_FIELD_FIELDS), a["fields"], b["fields"])
    return changes
