"""Online applications (一网通办): form and materials — uploaded, or reused from an earlier case — go
through ``onewindow.cases.services`` (``case_intake(channel="online")`` and
``case_resident_supplement``); this module adds the uploaded files around them. The acting resident is
the request's :class:`~onewindow.core.actor.Actor` (resolved with the account's resident at the edge).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.catalog.models import ItemVersion, VersionStatus
from onewindow.core.actor import Actor
from onewindow.core.errors import Conflict, Forbidden, Invalid, NotFound
from onewindow.files.models import StoredFile
from onewindow.notify.models import Notification, NotificationState
from onewindow.portal import pending
from onewindow.portal.models import CaseUpload, PendingUpload, ResidentAccount, SubmitToken, UploadStage
from onewindow.portal.my import my_case_get
from onewindow.portal.services import require_account


def online_version(code: str) -> ItemVersion:
    """The published version of an item that may be applied for online."""
    v = (
        ItemVersion.objects.filter(item__code=code, status=VersionStatus.PUBLISHED)
        .select_related("item", "department__jurisdiction")
        .prefetch_related("materials", "fields")
        .first()
    )
    if v is None:
        raise NotFound(f"事项 {code} 不存在或未发布", code="unknown_item")
    if not v.online:
        raise Invalid(
            f"「{v.name}」暂不支持网上办理，请到窗口或找代办员办理",
            code="item_not_online",
            details={"item": ["不可网上办理"]},
        )
    return v


def reusable_uploads(account: ResidentAccount, version: ItemVersion) -> dict[str, CaseUpload]:
    """Material code → the latest earlier upload of the same material (by name) that may be reused;
    a material the guide marks as not reusable (a fresh original is needed) is never offered."""
    names = {m.name: m.code for m in version.materials.all() if m.reusable}
    out: dict[str, CaseUpload] = {}
    if not names:
        return out
    qs = (
        CaseUpload.objects.filter(account=account, material_name__in=list(names))
        .select_related("file", "case")
        .order_by("-created_at")
    )
    for up in qs:
        out.setdefault(names[up.material_name], up)
    return out


FileEntry = tuple[StoredFile, CaseUpload | None]


def _collect_files(
    *,
    account: ResidentAccount,
    version: ItemVersion,
    scope: str,
    pending_ids: Sequence[str],
    reuse: Mapping[str, str],
) -> tuple[dict[str, list[FileEntry]], list[PendingUpload]]:
    """Claim the pending files of this form (locked: claimed once) and resolve each reuse; material
    code → its files (a material may have several: both sides of an ID card, pages of a 户口簿)."""
    materials = {m.code: m for m in version.materials.all()}
    unknown = sorted(set(reuse) - set(materials))
    if unknown:
        raise Invalid(
            f"未知的材料编码：{'、'.join(unknown)}", code="unknown_material", details={"materials": unknown}
        )
    claimed = pending.pending_claim(account=account, scope=scope, ids=pending_ids)
    out: dict[str, list[FileEntry]] = {}
    for p in claimed:
        if p.material_code not in materials:
            raise Invalid(pending.GONE_MESSAGE, code="pending_upload_gone", details={"pending": ["已失效"]})
        out.setdefault(p.material_code, []).append((p.file, None))
    offered = reusable_uploads(account, version)
    for code, upload_id in reuse.items():
        if code in out or not upload_id:
            continue
        earlier = offered.get(code)
        if earlier is None or str(earlier.pk) != str(upload_id):
            raise Invalid(
                f"「{materials[code].name}」不能复用以前的材料，请重新上传",
                code="material_not_reusable",
                details={f"materials.{code}": ["不能复用"]},
            )
        # every file of that material handed in with the earlier case
        siblings = CaseUpload.objects.filter(
            account=account, case_id=earlier.case_id, material_name=earlier.material_name
        ).select_related("file")
        out[code] = [(u.file, u) for u in siblings.order_by("created_at", "pk")]
    return out, claimed


def missing_required(version: ItemVersion, provided: set[str]) -> list[str]:
    """Names of the required materials not provided."""
    return [m.name for m in version.materials.all() if m.required and m.code not in provided]


def missing_message(names: list[str]) -> str:
    return f"您还缺 {len(names)} 项必需材料：{'、'.join(names)}"


def _record_uploads(
    case: Case,
    account: ResidentAccount,
    version: ItemVersion,
    files: dict[str, list[FileEntry]],
    claimed: list[PendingUpload],
    stage: str,
) -> None:
    names = {m.code: m.name for m in version.materials.all()}
    for code, entries in sorted(files.items()):
        for sf, earlier in entries:
            CaseUpload.objects.create(
                case=case,
                account=account,
                material_code=code,
                material_name=names[code],
                file=sf,
                reused_from=earlier,
                stage=stage,
            )
    PendingUpload.objects.filter(pk__in=[p.pk for p in claimed]).delete()


def _check_form(
    version: ItemVersion, form: Mapping[str, Any], centre: str, missing: list[str], incomplete_ok: bool
) -> dict[str, Any]:
    """Every error of the form at once: the fields, the centre, the missing required materials."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    try:
        cleaned = case_services.validate_form(version, dict(form))
    except Invalid as exc:
        errors.update({k: list(v) for k, v in (exc.details or {}).items()} or {"form": [exc.message]})
    if not (centre or "").strip():
        errors["centre"] = ["请选择办理的服务中心"]
    if missing and not incomplete_ok:
        errors["materials.missing"] = [missing_message(missing)]
    if errors:
        code = "materials_missing" if list(errors) == ["materials.missing"] else "invalid"
        raise pending.combined(errors, code=code)
    return cleaned


def application_submit(
    *,
    actor: Actor,
    item: str,
    centre: str,
    form: Mapping[str, Any],
    pending_ids: Sequence[str] = (),
    reuse: Mapping[str, str] | None = None,
    incomplete_ok: bool = False,
    token: str = "",
) -> Case:
    """Apply online: form + materials (the form's pending files, or reused) →
    ``case_intake(channel="online")`` → ``submitted`` at the centre's comprehensive window. All or
    nothing. Missing required materials are refused by name unless the resident chose to submit
    anyway (``incomplete_ok``: the window then issues the one-time notice). ``token`` (one per rendered
    form) makes a second submission of the same form a clear error instead of a second case."""
    account = require_account(actor.user)
    if account.resident_id is None:
        raise Forbidden("请先完成实名认证（绑定居民身份证号）再网上申请", code="real_name_required")
    version = online_version(item)
    scope = pending.scope_apply(item)
    token = (token or "").strip()[:64]
    if token and SubmitToken.objects.filter(token=token).exists():
        raise _duplicate()
    given = {p.material_code for p in pending.pending_rows(account, scope, pending_ids)}
    given |= {c for c, v in (reuse or {}).items() if v}
    cleaned = _check_form(version, form, centre, missing_required(version, given), incomplete_ok)
    try:
        with transaction.atomic():
            files, claimed = _collect_files(
                account=account, version=version, scope=scope, pending_ids=pending_ids, reuse=reuse or {}
            )
            case = case_services.case_intake(
                actor=actor,
                item=item,
                centre=centre,
                applicant={},
                materials=[_checklist_row(m.code, files) for m in version.materials.all()],
                form=cleaned,
                channel="online",
            )
            _record_uploads(case, account, version, files, claimed, UploadStage.APPLY)
            if token:
                SubmitToken.objects.create(token=token, account=account, case=case)
    except IntegrityError as exc:
        if token and SubmitToken.objects.filter(token=token).exists():
            raise _duplicate() from exc
        raise
    return case


def _checklist_row(code: str, files: dict[str, list[FileEntry]]) -> dict[str, Any]:
    """The checklist entry of one material: provided, and how many files came online (the clerk sees
    "网上提交 2 个文件" beside it: both sides of an ID card, the pages of a 户口簿)."""
    entries = files.get(code, [])
    if not entries:
        return {"code": code, "provided": False}
    reused = "（复用以前的材料）" if any(earlier is not None for _sf, earlier in entries) else ""
    return {"code": code, "provided": True, "note": f"网上提交 {len(entries)} 个文件{reused}"}


def _duplicate() -> Conflict:
    return Conflict(
        "这份申请已经提交过了，请到“我的办件”查看，不要重复提交",
        code="duplicate_submission",
        details={"token": ["已使用"]},
    )


def application_supplement(
    *,
    actor: Actor,
    number: str,
    pending_ids: Sequence[str] = (),
    reuse: Mapping[str, str] | None = None,
) -> Case:
    """补正材料已提交: the materials the one-time notice asked for (the form's pending files, or
    reused); the window then checks them and accepts (``supplement``)."""
    account = require_account(actor.user)
    case = my_case_get(actor, number)
    version = case.item_version
    with transaction.atomic():
        files, claimed = _collect_files(
            account=account,
            version=version,
            scope=pending.scope_supplement(case.number),
            pending_ids=pending_ids,
            reuse=reuse or {},
        )
        if not files:
            raise Invalid("请上传需补正的材料", code="invalid", details={"materials": ["必填"]})
        case = case_services.case_resident_supplement(
            actor=actor, number=number, materials=[{"code": c, "provided": True} for c in files]
        )
        _record_uploads(case, account, version, files, claimed, UploadStage.SUPPLEMENT)
    return case


def inbox_mark_read(*, actor: Actor) -> int:
    """Mark the resident's inbox notices read (a notice they switched off was never delivered)."""
    return (
        Notification.objects.filter(user=actor.user, channel="inbox", read_at__isnull=True)
        .exclude(state=NotificationState.SKIPPED)
        .update(read_at=timezone.now())
    )
