"""The checks of what an applicant hands in: the applicant's identity, the item's typed form fields and
the materials against the item's list (the basis of the one-time notice)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from onewindow.catalog.models import FieldKind, ItemVersion
from onewindow.core.errors import Invalid
from onewindow.org.models import ResidentKind
from onewindow.privacy import identifiers


def validate_applicant(data: dict[str, Any]) -> dict[str, Any]:
    """The applicant as typed at the window, checked and normalised (422 with the fields otherwise)."""
    errors: dict[str, list[str]] = {}
    kind = data.get("kind") or ResidentKind.PERSON
    if kind not in ResidentKind.values:
        raise Invalid(
            "申请人类型应为 person 或 enterprise", code="invalid", details={"applicant.kind": ["无效"]}
        )
    name = (data.get("name") or "").strip()
    if not name:
        errors["applicant.name"] = ["请填写申请人姓名或名称"]
    if kind == ResidentKind.PERSON:
        number = identifiers.validate_id_number(data.get("id_number") or "")
    else:
        number = identifiers.validate_credit_code(data.get("credit_code") or data.get("id_number") or "")
    phone = data.get("phone") or ""
    if phone:
        phone = identifiers.validate_mobile(phone)
    elif kind == ResidentKind.PERSON:
        errors["applicant.phone"] = ["请填写联系电话"]
    if errors:
        raise Invalid.of_fields(errors)
    return {
        "kind": kind,
        "name": name,
        "number": number,
        "phone": phone,
        "address": (data.get("address") or "").strip(),
    }


def validate_form(version: ItemVersion, form: dict[str, Any]) -> dict[str, Any]:
    """Check the item's typed form fields; return the cleaned values."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for f in version.fields.all():
        raw = form.get(f.key)
        if raw in (None, ""):
            if f.required:
                errors[f"form.{f.key}"] = [f"请填写「{f.label}」"]
            continue
        if f.kind == FieldKind.NUMBER:
            try:
                cleaned[f.key] = float(str(raw)) if "." in str(raw) else int(str(raw))
            except (TypeError, ValueError):
                errors[f"form.{f.key}"] = [f"「{f.label}」应为数字"]
        elif f.kind == FieldKind.DATE:
            try:
                cleaned[f.key] = dt.date.fromisoformat(str(raw)).isoformat()
            except ValueError:
                errors[f"form.{f.key}"] = [f"「{f.label}」应为日期 YYYY-MM-DD"]
        elif f.kind == FieldKind.CHOICE:
            if str(raw) not in [str(c) for c in f.choices]:
                errors[f"form.{f.key}"] = [f"「{f.label}」应为以下之一：{'、'.join(map(str, f.choices))}"]
            else:
                cleaned[f.key] = str(raw)
        else:
            cleaned[f.key] = str(raw)[:2000]
    if errors:
        raise Invalid.of_fields(errors)
    return cleaned


def check_materials(
    version: ItemVersion, given: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return (the checklist, the missing required materials with reasons)."""
    by_code = {str(m.get("code")): m for m in given}
    known = {m.code for m in version.materials.all()}
    unknown = sorted(set(by_code) - known)
    if unknown:
        raise Invalid(
            f"未知的材料编码：{'、'.join(unknown)}", code="unknown_material", details={"materials": unknown}
        )
    checklist: list[dict[str, Any]] = []
    missing: list[dict[str, Any]] = []
    for m in version.materials.all():
        g = by_code.get(m.code, {})
        provided = bool(g.get("provided"))
        note = str(g.get("note") or "")[:200]
        checklist.append(
            {
                "code": m.code,
                "name": m.name,
                "required": m.required,
                "provided": provided,
                "note": note,
                "original": m.original,
                "copies": m.copies,
            }
        )
        if m.required and not provided:
            reason = f"材料不符合要求：{note}" if note else f"未提交（需{m.form_display}）"
            missing.append({"code": m.code, "name": m.name, "reason": reason})
    return checklist, missing


def applicant_errors(data: dict[str, Any]) -> dict[str, str]:
    """Every problem of the applicant as typed at the window, all at once (field → message), for the
    pages' "every field validated at once"; :func:`validate_applicant` stays the rule of the service."""
    errors: dict[str, str] = {}
    person = (data.get("kind") or ResidentKind.PERSON) == ResidentKind.PERSON
    if not (data.get("name") or "").strip():
        errors["name"] = "请填写申请人姓名或名称"
    number = (data.get("id_number") or "").strip()
    if not number:
        errors["id_number"] = "请填写身份证号" if person else "请填写统一社会信用代码"
    else:
        try:
            (identifiers.validate_id_number if person else identifiers.validate_credit_code)(number)
        except Invalid as exc:
            errors["id_number"] = exc.message
    phone = (data.get("phone") or "").strip()
    if phone:
        try:
            identifiers.validate_mobile(phone)
        except Invalid as exc:
            errors["phone"] = exc.message
    elif person:
        errors["phone"] = "请填写联系电话"
    return errors


def form_errors(version: ItemVersion, form: dict[str, Any]) -> dict[str, str]:
    """Every problem of the item's typed form at once (field key → message)."""
    try:
        validate_form(version, form)
    except Invalid as exc:
        details = exc.details if isinstance(exc.details, dict) else {}
        return {str(k).removeprefix("form."): str(v[0]) for k, v in details.items() if v}
    return {}
