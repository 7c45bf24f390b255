from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from onewindow.catalog import selectors
from onewindow.catalog.models import Domain, ItemType, ItemVersion
from onewindow.core.apischemas import Page, PageQuery, page_of, responses, row_out
from onewindow.core.errors import Invalid
from onewindow.org.models import Centre, Level

router = Router(tags=["事项清单"])


class ItemOut(Schema):
    code: str
    name: str
    domain: str
    domain_name: str
    type: ItemType
    legal_days: int
    promised_days: int
    fee: float
    accept_levels: list[str]
    decide_level: str
    proxy_allowed: bool
    online: bool
    max_visits: int
    extension_rule: str = "general"
    extension_limit: int = 10


class MaterialFields(Schema):
    """What an item's material and a bundle's merged material both say."""

    code: str
    name: str
    original: bool
    copies: int
    required: bool
    condition: str
    note: str


class MaterialOut(MaterialFields):
    reusable: bool = True


class FormFieldOut(Schema):
    key: str
    label: str
    kind: str
    required: bool
    choices: list[str]
    help_text: str


class PlaceOut(Schema):
    centre: str
    name: str
    address: str


class PhonesOut(Schema):
    consult: str
    complaint: str


class ItemDetailOut(ItemOut):
    aliases: str
    basis: str
    department: str
    department_name: str
    fee_basis: str
    conditions: str
    result: str
    materials: list[MaterialOut]
    fields: list[FormFieldOut]
    steps: list[str]
    places: list[PlaceOut]
    place: str
    hours: str
    phones: PhonesOut
    version: int
    published_at: str | None


class ItemFilter(PageQuery):
    domain: str | None = None
    level: Level | None = None
    q: str | None = None
    proxy: bool | None = None


def item_out(v: ItemVersion, schema: type[Schema] = ItemOut, **given: Any) -> dict[str, Any]:
    """The published version ``v`` as ``ItemOut`` (or, with the detail's ``given`` fields, as
    ``ItemDetailOut``)."""
    return row_out(
        schema,
        v,
        code=v.item.code,
        domain=v.domain.code,
        domain_name=v.domain.name,
        fee=float(v.fee),
        accept_levels=list(v.accept_levels),
        **given,
    )


def item_places(v: ItemVersion) -> list[dict[str, str]]:
    """The centres that accept the item: the accepting levels within the department's county."""
    county = v.department.jurisdiction.county()
    centres = Centre.objects.filter(
        is_active=True, jurisdiction__path__startswith=county.path, jurisdiction__level__in=v.accept_levels
    ).order_by("jurisdiction__path")
    return [{"centre": c.code, "name": c.name, "address": c.address} for c in centres]


def field_out(f: Any) -> dict[str, Any]:
    """An application-form field as ``FormFieldOut`` (of an item, or merged into a bundle)."""
    return row_out(FormFieldOut, f, choices=list(f.choices or []))


def item_detail_out(v: ItemVersion) -> dict[str, Any]:
    return item_out(
        v,
        ItemDetailOut,
        department=v.department.code,
        department_name=v.department.name,
        materials=[row_out(MaterialOut, m) for m in v.materials.all()],
        fields=[field_out(f) for f in v.fields.all()],
        steps=list(v.steps or []),
        places=item_places(v),
        phones={"consult": v.consult_phone, "complaint": v.complaint_phone},
        version=v.number,
        published_at=v.published_at.isoformat() if v.published_at else None,
    )


@router.get("/items", response=responses(Page[ItemOut], public=True), summary="事项清单（公开）")
def items(request: HttpRequest, filters: Query[ItemFilter]) -> Any:
    if filters.domain and not Domain.objects.filter(code=filters.domain).exists():
        raise Invalid(f"未知的领域代码 {filters.domain}", code="unknown_domain", details={"domain": ["未知"]})
    qs = selectors.item_list(domain=filters.domain, level=filters.level, q=filters.q, proxy=filters.proxy)
    return page_of(qs, filters, item_out)


@router.get("/items/{code}", response=responses(ItemDetailOut, public=True), summary="办事指南（公开）")
def item_detail(request: HttpRequest, code: str) -> Any:
    return item_detail_out(selectors.item_get_published(code))


class DomainOut(Schema):
    code: str
    name: str


@router.get("/domains", response={200: list[DomainOut]}, summary="领域（公开）")
def domains(request: HttpRequest) -> Any:
    return [{"code": d.code, "name": d.name} for d in Domain.objects.all()]


class BundleItemOut(Schema):
    code: str
    name: str


class MergedMaterialOut(MaterialFields):
    items: list[str]


class BundleOut(Schema):
    code: str
    name: str
    life_event: str
    description: str
    items: list[BundleItemOut]


class BundleDetailOut(BundleOut):
    materials: list[MergedMaterialOut]
    fields: list[FormFieldOut]


class BundleFilter(PageQuery):
    q: str | None = None


def bundle_out(b: Any, schema: type[Schema] = BundleOut, **given: Any) -> dict[str, Any]:
    """Bundle ``b`` as ``BundleOut`` (or, with the detail's ``given`` fields, as ``BundleDetailOut``)."""
    items = [{"code": v.item.code, "name": v.name} for v in selectors.bundle_versions(b)]
    return row_out(schema, b, items=items, **given)


@router.get("/bundles", response=responses(Page[BundleOut], public=True), summary="一件事（公开）")
def bundles(request: HttpRequest, filters: Query[BundleFilter]) -> Any:
    return page_of(selectors.bundle_list(filters.q), filters, bundle_out)


@router.get("/bundles/{code}", response=responses(BundleDetailOut, public=True), summary="一件事详情（公开）")
def bundle_detail(request: HttpRequest, code: str) -> Any:
    b = selectors.bundle_get(code)
    return bundle_out(
        b,
        BundleDetailOut,
        materials=[m.__dict__ for m in selectors.bundle_materials(b)],
        fields=[field_out(f) for f in selectors.bundle_fields(b)],
    )
