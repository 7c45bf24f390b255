"""Files chosen with a resident's form are never lost to a validation error elsewhere on the form.

Each file posted with the online application or the supplement form is content-checked and stored at
once (``files.services.store_upload``: the type by content, the size and pixel limits stay the
authority) as a :class:`~onewindow.portal.models.PendingUpload` of the account and the form
(``scope``). When the form fails, the page shows them again ("已选择：身份证正面.jpg", with 移除) and
sends their ids back with the next submission; the submission that succeeds claims them (row locks:
a file is claimed once) and they become the case's files. Another account's ids are never found, so
nobody can claim somebody else's files. Pending files older than :data:`PENDING_HOURS` are purged.

Limits (settings): ``UPLOAD_MAX_FILES_PER_MATERIAL``, ``UPLOAD_MAX_MATERIAL_BYTES``,
``UPLOAD_MAX_FILES_PER_APPLICATION``, ``UPLOAD_MAX_APPLICATION_BYTES`` — counted over the files kept
and the new ones; over a limit nothing new is stored and the message names the limit.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from onewindow.core.clock import now
from onewindow.core.errors import DomainError, Invalid
from onewindow.files.services import discard, label, store_upload
from onewindow.portal.models import PendingUpload, ResidentAccount

PENDING_HOURS = 24
GONE_MESSAGE = "之前选择的文件已失效，请重新选择文件"


def scope_apply(item: str) -> str:
    return f"apply:{item}"[:60]


def scope_supplement(number: str) -> str:
    return f"supplement:{number}"[:60]


def parse_ids(values: Iterable[str]) -> list[str]:
    """The pending ids sent back by the form (``pending-<code>``); anything that is not an id is gone."""
    out: list[str] = []
    for v in values:
        try:
            out.append(str(uuid.UUID(str(v).strip())))
        except ValueError as exc:
            raise Invalid(GONE_MESSAGE, code="pending_upload_gone", details={"pending": ["无效"]}) from exc
    return list(dict.fromkeys(out))


def pending_rows(account: ResidentAccount, scope: str, ids: Sequence[str]) -> list[PendingUpload]:
    """The account's own pending files of this form among ``ids`` (others' ids are never found)."""
    if not ids:
        return []
    return list(
        PendingUpload.objects.filter(account=account, scope=scope, pk__in=list(ids)).select_related("file")
    )


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB"


def _limit_errors(
    materials: Mapping[str, str], kept: list[PendingUpload], uploads: Mapping[str, Sequence[Any]]
) -> dict[str, list[str]]:
    per_count = int(settings.UPLOAD_MAX_FILES_PER_MATERIAL)
    per_bytes = int(settings.UPLOAD_MAX_MATERIAL_BYTES)
    all_count = int(settings.UPLOAD_MAX_FILES_PER_APPLICATION)
    all_bytes = int(settings.UPLOAD_MAX_APPLICATION_BYTES)
    count: dict[str, int] = {}
    size: dict[str, int] = {}
    for p in kept:
        count[p.material_code] = count.get(p.material_code, 0) + 1
        size[p.material_code] = size.get(p.material_code, 0) + (p.file.original_size or p.file.size)
    for code, files in uploads.items():
        count[code] = count.get(code, 0) + len(files)
        size[code] = size.get(code, 0) + sum(int(getattr(f, "size", 0) or 0) for f in files)
    errors: dict[str, list[str]] = {}
    for code in sorted(count):
        name = materials.get(code, code)
        if count[code] > per_count:
            errors.setdefault(f"materials.{code}", []).append(
                f"「{name}」最多上传 {per_count} 个文件，现在有 {count[code]} 个，请删去一些"
            )
        if size[code] > per_bytes:
            errors.setdefault(f"materials.{code}", []).append(
                f"「{name}」的文件合计不能超过 {_mb(per_bytes)}，请删去一些或拍得小一些"
            )
    total_count, total_bytes = sum(count.values()), sum(size.values())
    if total_count > all_count:
        errors.setdefault("materials", []).append(
            f"一次申请最多上传 {all_count} 个文件，现在有 {total_count} 个，请删去一些"
        )
    if total_bytes > all_bytes:
        errors.setdefault("materials", []).append(f"一次申请的文件合计不能超过 {_mb(all_bytes)}")
    return errors


def combined(errors: Mapping[str, list[str]], code: str = "invalid") -> Invalid:
    """One error naming everything that is wrong (the first message, then how many more)."""
    messages = [m for ms in errors.values() for m in ms]
    first = messages[0] if messages else "填写有误"
    text = first if len(messages) <= 1 else f"{first}（另有 {len(messages) - 1} 处需要修改，见下方）"
    return Invalid(text, code=code, details={k: list(v) for k, v in errors.items()})


def pending_stash(
    *,
    account: ResidentAccount,
    scope: str,
    materials: Mapping[str, str],
    uploads: Mapping[str, Sequence[Any]],
    keep: Sequence[str],
) -> tuple[list[str], Invalid | None]:
    """Store the new files of a submission as pending (each on its own: a bad file does not cost the
    good ones). Returns the new ids and the error naming the refused files (or None)."""
    pending_purge()
    unknown = sorted(set(uploads) - set(materials))
    if unknown:
        raise Invalid(
            f"未知的材料编码：{'、'.join(unknown)}", code="unknown_material", details={"materials": unknown}
        )
    uploads = {c: list(fs) for c, fs in uploads.items() if fs}
    if not uploads:
        return [], None
    errors = _limit_errors(materials, pending_rows(account, scope, keep), uploads)
    if errors:
        over = combined(errors)
        return [], Invalid(over.message, code="too_many_files", details=over.details)
    new_ids: list[str] = []
    codes: set[str] = set()
    for code, files in uploads.items():
        for f in files:
            try:
                sf = store_upload(f, user=account.user, field=f"materials.{code}")
            except DomainError as exc:
                name = label(getattr(f, "name", "") or "") or "文件"
                errors.setdefault(f"materials.{code}", []).append(f"「{name}」：{exc.message}")
                codes.add(exc.code)
                continue
            p = PendingUpload.objects.create(account=account, scope=scope, material_code=code, file=sf)
            new_ids.append(str(p.pk))
    if not errors:
        return new_ids, None
    return new_ids, combined(errors, code=codes.pop() if len(codes) == 1 else "invalid")


def pending_claim(*, account: ResidentAccount, scope: str, ids: Sequence[str]) -> list[PendingUpload]:
    """Inside the submitting transaction: lock the account's pending files; one that is gone (claimed
    by a concurrent submission, removed, expired, or never the account's) fails the submission."""
    if not ids:
        return []
    rows = list(
        PendingUpload.objects.select_for_update()
        .filter(account=account, scope=scope, pk__in=list(ids))
        .select_related("file")
        .order_by("created_at", "pk")
    )
    if len(rows) != len(set(ids)):
        raise Invalid(GONE_MESSAGE, code="pending_upload_gone", details={"pending": ["已失效"]})
    return rows


def pending_drop(*, account: ResidentAccount, scope: str, pid: str) -> bool:
    """移除: the resident takes a chosen file back (only their own)."""
    ids = parse_ids([pid])
    with transaction.atomic():
        rows = list(
            PendingUpload.objects.select_for_update().filter(account=account, scope=scope, pk__in=ids)
        )
        for p in rows:
            f = p.file
            p.delete()
            discard(f)
    return bool(rows)


def _expired() -> QuerySet[PendingUpload]:
    return PendingUpload.objects.filter(created_at__lt=now() - dt.timedelta(hours=PENDING_HOURS))


def pending_purge() -> int:
    """Remove pending files older than :data:`PENDING_HOURS` (nobody submitted them)."""
    n = 0
    for p in _expired().select_related("file")[:200]:
        with transaction.atomic():
            if PendingUpload.objects.filter(pk=p.pk).delete()[0]:
                discard(p.file)
                n += 1
    return n
