"""Writes of the organisation: duty roster, residents, logged full views of personal data.

Each function takes the acting :class:`~onewindow.core.actor.Actor` (keyword-only), checks the
permission and the jurisdiction, and runs in one transaction. Bad input raises :class:`Invalid` with
a Chinese message per field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction

from onewindow.core.actor import Actor
from onewindow.core.audit import record
from onewindow.core.errors import DomainError, Invalid, NotFound
from onewindow.org.access import Perm, in_scope, require_perm
from onewindow.org.models import Centre, Duty, Jurisdiction, Resident, ResidentKind, Shift, Staff, Window
from onewindow.org.selectors import resident_get
from onewindow.privacy.crypto import blind_index
from onewindow.privacy.identifiers import validate_credit_code, validate_id_number, validate_mobile
from onewindow.privacy.masking import mask_address, mask_phone
from onewindow.privacy.models import PersonalDataAccess
from onewindow.privacy.services import personal_data_access_log

DUPLICATE_RESIDENT = "该证件号码已登记"


def _invalid(errors: dict[str, list[str]], codes: list[str]) -> Invalid:
    """Every wrong field at once, under the code of the first failure."""
    return Invalid.of_fields(errors, code=codes[0] if codes else "invalid")


# ---------------------------------------------------------------- duty roster


@transaction.atomic
def duty_add(
    *,
    actor: Actor,
    centre: Centre,
    staff: Staff,
    date: dt.date,
    shift: str = Shift.FULL,
    window: Window | None = None,
    note: str = "",
) -> Duty:
    """Put ``staff`` (who must work at ``centre``) on duty on ``date`` for ``shift``."""
    require_perm(actor, Perm.ROSTER_EDIT)
    if not in_scope(actor, centre.jurisdiction):
        raise NotFound("未找到该服务中心", code="unknown_centre")
    errors: dict[str, list[str]] = {}
    if staff.centre_id != centre.pk:
        errors["staff"] = [f"{staff.name}不是{centre.name}的工作人员，不能排入本中心值班表"]
    if shift not in Shift.values:
        errors["shift"] = ["请选择有效的班次"]
    if window is not None and window.centre_id != centre.pk:
        errors["window"] = ["所选窗口不属于本中心"]
    if len(note) > 200:
        errors["note"] = ["备注不能超过200字"]
    if not errors and Duty.objects.filter(staff=staff, date=date, shift=shift).exists():
        errors["shift"] = [f"{staff.name}在{date:%Y-%m-%d}已有“{Shift(shift).label}”班次，请勿重复排班"]
    if errors:
        raise Invalid.of_fields(errors, code="invalid_duty")
    try:
        with transaction.atomic():
            return Duty.objects.create(staff=staff, date=date, shift=shift, window=window, note=note)
    except IntegrityError:
        raise Invalid(
            "该人员当天已有此班次，请勿重复排班",
            code="invalid_duty",
            details={"shift": ["该人员当天已有此班次，请勿重复排班"]},
        ) from None


@transaction.atomic
def duty_remove(*, actor: Actor, duty: Duty) -> None:
    """Remove one roster entry (of a centre in the actor's jurisdiction)."""
    require_perm(actor, Perm.ROSTER_EDIT)
    centre = duty.staff.centre
    if centre is None or not in_scope(actor, centre.jurisdiction):
        raise NotFound("未找到该值班安排", code="unknown_duty")
    Duty.objects.filter(pk=duty.pk).delete()


# ---------------------------------------------------------------- residents


def _check_identifier(kind: str, number: str) -> str:
    if kind == ResidentKind.ENTERPRISE:
        return validate_credit_code(number)
    return validate_id_number(number)


@transaction.atomic
def resident_create(
    *,
    actor: Actor,
    kind: str,
    name: str,
    id_number: str,
    phone: str,
    jurisdiction: Jurisdiction,
    address: str = "",
) -> Resident:
    """Register a resident (a person with 居民身份证号 or an enterprise with 统一社会信用代码).

    Every field is checked and all errors are reported at once; duplicates are found through the
    blind index of the number.
    """
    require_perm(actor, Perm.RESIDENT_CREATE)
    errors: dict[str, list[str]] = {}
    codes: list[str] = []

    def fail(field: str, message: str, code: str = "invalid") -> None:
        errors.setdefault(field, []).append(message)
        codes.append(code)

    if kind not in ResidentKind.values:
        fail("kind", "请选择类型：个人或企业/组织")
    name = (name or "").strip()
    if not name:
        fail("name", "请填写姓名或单位名称")
    elif len(name) > 100:
        fail("name", "姓名/名称不能超过100字")
    number = ""
    if not (id_number or "").strip():
        fail(
            "id_number",
            "请填写统一社会信用代码" if kind == ResidentKind.ENTERPRISE else "请填写居民身份证号",
            "invalid_credit_code" if kind == ResidentKind.ENTERPRISE else "invalid_id_number",
        )
    elif kind in ResidentKind.values:
        try:
            number = _check_identifier(kind, id_number)
        except DomainError as exc:
            fail("id_number", exc.message, exc.code)
    clean_phone = ""
    if not (phone or "").strip():
        fail("phone", "请填写联系电话", "invalid_phone")
    else:
        try:
            clean_phone = validate_mobile(phone)
        except DomainError as exc:
            fail("phone", exc.message, exc.code)
    address = (address or "").strip()
    if len(address) > 200:
        fail("address", "地址不能超过200字")
    if jurisdiction is None or not in_scope(actor, jurisdiction):
        fail("jurisdiction", "所选区域不在您的管辖范围内")
    if number and Resident.objects.filter(id_index=blind_index(number)).exists():
        fail("id_number", DUPLICATE_RESIDENT, "duplicate_resident")
    if errors:
        raise _invalid(errors, codes)
    try:
        with transaction.atomic():
            return Resident.objects.create(
                kind=kind,
                name=name,
                id_number=number,
                phone=clean_phone,
                address=address,
                jurisdiction=jurisdiction,
                created_by=actor.recorded_user,
            )
    except IntegrityError:
        raise Invalid(
            DUPLICATE_RESIDENT, code="duplicate_resident", details={"id_number": [DUPLICATE_RESIDENT]}
        ) from None


# ---------------------------------------------------------------- full views of personal data


@transaction.atomic
def personal_data_reveal(
    *, actor: Actor, obj: Staff | Resident, fields: Iterable[str], ip: str | None, purpose: str = ""
) -> PersonalDataAccess:
    """Check that the actor may see ``obj``'s personal data in full and log the view.

    The caller must already have fetched ``obj`` through a scoped selector; the jurisdiction is
    checked again here so the log is never written for something the actor may not see.
    """
    require_perm(actor, Perm.PERSONAL_DATA_FULL_VIEW)
    if not in_scope(actor, obj.jurisdiction):
        raise NotFound()
    return personal_data_access_log(
        actor=actor.user, obj=obj, fields=list(fields), purpose=purpose.strip(), ip=ip
    )


# ---------------------------------------------------------------- resident contact (explicit updates)


@transaction.atomic
def resident_contact_update(
    *,
    actor: Actor,
    pk: int,
    reason: str,
    phone: str | None = None,
    address: str | None = None,
    request: Any = None,
) -> Resident:
    """Staff update of a resident's contact (phone / address) on the master record: only staff whose
    jurisdiction covers the resident's (``unknown_resident`` 404 otherwise), with a stated reason,
    audited (``org.resident_contact_update``). A phone set by staff is never "verified": real-name
    binding on the portal does not trust it. Cases keep their own applicant snapshot and are not
    affected. An intake never changes the record (see ``cases.services.intake._resident_for``)."""
    require_perm(actor, Perm.RESIDENT_CREATE)
    resident_get(actor=actor, pk=pk)  # scoped: outside the jurisdiction is a 404
    resident = Resident.objects.select_for_update(of=("self",)).get(pk=pk)
    errors: dict[str, list[str]] = {}
    codes: list[str] = []
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = ["请写明更新理由"]
        codes.append("reason_required")
    new_phone = resident.phone or ""
    if phone is not None and phone.strip():
        try:
            new_phone = validate_mobile(phone)
        except DomainError as exc:
            errors["phone"] = [exc.message]
            codes.append(exc.code)
    new_address = resident.address or ""
    if address is not None:
        new_address = address.strip()
        if len(new_address) > 200:
            errors["address"] = ["地址不能超过200字"]
            codes.append("invalid")
    if errors:
        raise _invalid(errors, codes)
    changed = [
        f
        for f, new in (("phone", new_phone), ("address", new_address))
        if (getattr(resident, f) or "") != new
    ]
    if not changed:
        raise Invalid("联系方式没有变化", code="nothing_changed", details={"phone": ["没有变化"]})
    before = {"phone": mask_phone(resident.phone), "address": mask_address(resident.address)}
    resident.phone, resident.address = new_phone, new_address
    update = ["phone", "address", "id_index"]
    if "phone" in changed:
        resident.phone_verified_at = None  # typed by staff: not proved by the resident
        update.append("phone_verified_at")
    resident.save(update_fields=update)
    record(
        "org.resident_contact_update",
        request=request,
        user=actor.user,
        obj=f"resident:{resident.pk}",
        details={
            "fields": changed,
            "reason": reason[:200],
            "before": {f: before[f] for f in changed},
            "after": {
                f: (mask_phone if f == "phone" else mask_address)(getattr(resident, f)) for f in changed
            },
        },
    )
    return resident
