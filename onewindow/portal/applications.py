"""Online applications (一网通办): form and materials — uploaded, or reused from an earlier case — go
through ``onewindow.cases.services`` (``case_intake(channel="online")`` and
``case_resident_supplement``); this module adds the uploaded files around them. The acting resident is
the request's :class:`~onewindow.core.actor.Actor` (resolved with the account's resident at the edge).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.catalog.models import ItemVersion, VersionStatus
from onewindow.core.actor import Actor
from onewindow.core.errors import Forbidden, Invalid, NotFound
from onewindow.files.models import StoredFile
from onewindow.files.services import storage_root, store_upload
from onewindow.notify.models import Notification, NotificationState
from onewindow.portal.models import CaseUpload, ResidentAccount, UploadStage
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


def _collect_files(
    *,
    account: ResidentAccount,
    version: ItemVersion,
    uploads: Mapping[str, Any],
    reuse: Mapping[str, str],
    stored: list[StoredFile],
) -> dict[str, tuple[StoredFile, CaseUpload | None]]:
    """Store each uploaded file (content-checked) and resolve each reuse; material code → file."""
    materials = {m.code: m for m in version.materials.all()}
    unknown = sorted((set(uploads) | set(reuse)) - set(materials))
    if unknown:
        raise Invalid(
            f"未知的材料编码：{'、'.join(unknown)}", code="unknown_material", details={"materials": unknown}
        )
    offered = reusable_uploads(account, version)
    out: dict[str, tuple[StoredFile, CaseUpload | None]] = {}
    for code, upload_id in reuse.items():
        if code in uploads or not upload_id:
            continue
        earlier = offered.get(code)
        if earlier is None or str(earlier.pk) != str(upload_id):
            raise Invalid(
                f"「{materials[code].name}」不能复用以前的材料，请重新上传",
                code="material_not_reusable",
                details={f"materials.{code}": ["不能复用"]},
            )
        out[code] = (earlier.file, earlier)
    for code, f in uploads.items():
        sf = store_upload(f, user=account.user, field=f"materials.{code}")
        stored.append(sf)
        out[code] = (sf, None)
    return out


def _discard(stored: list[StoredFile]) -> None:
    """Remove the encrypted files written for an application that failed (its rows rolled back)."""
    root = storage_root()
    for sf in stored:
        Path(root / sf.path).unlink(missing_ok=True)


def _record_uploads(
    case: Case,
    account: ResidentAccount,
    version: ItemVersion,
    files: dict[str, tuple[StoredFile, CaseUpload | None]],
    stage: str,
) -> None:
    names = {m.code: m.name for m in version.materials.all()}
    for code, (sf, earlier) in sorted(files.items()):
        CaseUpload.objects.create(
            case=case,
            account=account,
            material_code=code,
            material_name=names[code],
            file=sf,
            reused_from=earlier,
            stage=stage,
        )


def application_submit(
    *,
    actor: Actor,
    item: str,
    centre: str,
    form: Mapping[str, Any],
    uploads: Mapping[str, Any],
    reuse: Mapping[str, str] | None = None,
) -> Case:
    """Apply online: form + materials (uploaded or reused) → ``case_intake(channel="online")`` →
    ``submitted`` at the centre's comprehensive window. All or nothing."""
    account = require_account(actor.user)
    if account.resident_id is None:
        raise Forbidden("请先完成实名认证（绑定居民身份证号）再网上申请", code="real_name_required")
    version = online_version(item)
    if not (centre or "").strip():
        raise Invalid("请选择办理的服务中心", code="invalid", details={"centre": ["必选"]})
    cleaned = case_services.validate_form(version, dict(form))
    stored: list[StoredFile] = []
    try:
        with transaction.atomic():
            files = _collect_files(
                account=account, version=version, uploads=uploads, reuse=reuse or {}, stored=stored
            )
            case = case_services.case_intake(
                actor=actor.user,  # the cases services of this base take the user
                item=item,
                centre=centre,
                applicant={},
                materials=[{"code": m.code, "provided": m.code in files} for m in version.materials.all()],
                form=cleaned,
                channel="online",
            )
            _record_uploads(case, account, version, files, UploadStage.APPLY)
    except Exception:
        _discard(stored)
        raise
    return case


def application_supplement(
    *, actor: Actor, number: str, uploads: Mapping[str, Any], reuse: Mapping[str, str] | None = None
) -> Case:
    """补正材料已提交: upload the materials the one-time notice asked for; the window then checks
    them and accepts (``supplement``)."""
    account = require_account(actor.user)
    case = my_case_get(actor, number)
    version = case.item_version
    stored: list[StoredFile] = []
    try:
        with transaction.atomic():
            files = _collect_files(
                account=account, version=version, uploads=uploads, reuse=reuse or {}, stored=stored
            )
            if not files:
                raise Invalid("请上传需补正的材料", code="invalid", details={"materials": ["必填"]})
            case = case_services.case_resident_supplement(
                actor=actor.user, number=number, materials=[{"code": c, "provided": True} for c in files]
            )
            _record_uploads(case, account, version, files, UploadStage.SUPPLEMENT)
    except Exception:
        _discard(stored)
        raise
    return case


def inbox_mark_read(*, actor: Actor) -> int:
    """Mark the resident's inbox notices read (a notice they switched off was never delivered)."""
    return (
        Notification.objects.filter(user=actor.user, channel="inbox", read_at__isnull=True)
        .exclude(state=NotificationState.SKIPPED)
        .update(read_at=timezone.now())
    )
