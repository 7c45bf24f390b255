"""Import, second half: apply a clean workbook in one transaction (all or nothing)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from onewindow.catalog import services
from onewindow.catalog.excel.columns import SHEET_ITEMS, SHEETS
from onewindow.catalog.excel.parse import ParsedItem, load, parse
from onewindow.catalog.excel.result import ImportResult, RowError
from onewindow.catalog.models import Item, ItemVersion, VersionStatus
from onewindow.catalog.selectors import form_field_snapshot, guide_snapshot, material_snapshot
from onewindow.core.actor import Actor
from onewindow.core.errors import DomainError


def _same_as(version: ItemVersion, p: ParsedItem) -> bool:
    return (
        guide_snapshot(version) == guide_snapshot(p.version)
        and [material_snapshot(m) for m in version.materials.all()]
        == [material_snapshot(m) for _r, _d, m in p.materials]
        and [form_field_snapshot(f) for f in version.fields.all()]
        == [form_field_snapshot(f) for _r, _d, f in p.fields]
    )


def _apply(p: ParsedItem, *, actor: Actor, publish: bool, result: ImportResult) -> None:
    materials = [dict(d) for _r, d, _m in p.materials]
    fields = [dict(d) for _r, d, _f in p.fields]
    item = Item.objects.filter(code=p.code).first()
    if item is None:
        version = services.item_create(
            actor=actor, code=p.code, materials=materials, fields=fields, **p.guide
        )
        result.created.append(p.code)
    else:
        latest = item.latest()
        if (
            latest is not None
            and _same_as(latest, p)
            and (not publish or latest.status != VersionStatus.RETIRED)
        ):
            if not publish or latest.status == VersionStatus.PUBLISHED:
                result.unchanged.append(p.code)
                return
            version = latest  # an identical draft: publish it as it is
        else:
            version = services.item_version_new_draft(actor=actor, item=item, change_note="Excel 导入")
            version = services.item_version_edit(
                actor=actor,
                version=version,
                materials=materials,
                fields=fields,
                change_note="Excel 导入",
                **p.guide,
            )
            result.new_drafts.append(p.code)
    if publish:
        services.item_version_publish(actor=actor, version=version)
        result.published.append(p.code)


def catalog_import(*, actor: Actor, data: bytes, publish: bool = False) -> ImportResult:
    """Import a workbook in the export format. All or nothing: any error, and nothing changes."""
    result = ImportResult()
    wb = load(data, result.errors)
    if wb is None:
        return result
    try:
        parsed = parse(wb, publish=publish, errors=result.errors)
    finally:
        wb.close()
    if result.errors:
        result.errors.sort(
            key=lambda e: ([s for s, _c in SHEETS].index(e.sheet) if e.sheet in dict(SHEETS) else -1, e.row)
        )
        return result
    if not parsed:
        result.errors.append(RowError(SHEET_ITEMS, 0, "", "文件中没有任何事项"))
        return result
    current: ParsedItem | None = None
    try:
        with transaction.atomic():
            for current in parsed:
                _apply(current, actor=actor, publish=publish, result=result)
    except (DomainError, ValidationError, IntegrityError) as exc:
        message = (
            exc.message if isinstance(exc, DomainError) else "; ".join(getattr(exc, "messages", [str(exc)]))
        )
        row = current.row if current else 0
        code = current.code if current else ""
        result.errors.append(RowError(SHEET_ITEMS, row, "", f"事项 {code} 导入失败：{message}"))
        result.created.clear()
        result.new_drafts.clear()
        result.unchanged.clear()
        result.published.clear()
    return result
