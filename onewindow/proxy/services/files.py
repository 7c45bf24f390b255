"""Uploads of the proxy service: photos and scans kept for a later request or entrustment."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction

from onewindow.core.actor import Actor
from onewindow.core.errors import NotFound
from onewindow.files.models import StoredFile
from onewindow.files.services import store_upload
from onewindow.org import access
from onewindow.org.models import Role
from onewindow.proxy.models import Entrustment, ProxyAttachment
from onewindow.proxy.services.common import WINDOW_ROLES, require_roles, staff_required


@transaction.atomic
def proxy_file_upload(*, actor: Actor, upload: Any, field: str = "file") -> StoredFile:
    """Store a photo/scan (content-checked, downscaled, encrypted) for a later request/entrustment."""
    staff_required(actor)
    require_roles(actor, {Role.AGENT, *WINDOW_ROLES}, "上传代办材料")
    stored = store_upload(upload, user=actor.user, field=field)
    ProxyAttachment.objects.create(file=stored, uploaded_by=actor.user)
    return stored


def proxy_file_get(*, actor: Actor, file_id: str) -> StoredFile:
    """A proxy upload the actor may see: their own upload, or one of a request in their scope."""
    try:
        fid = uuid.UUID(str(file_id))
    except ValueError:
        raise NotFound("文件不存在", code="not_found") from None
    att = ProxyAttachment.objects.select_related("file", "request__village").filter(file_id=fid).first()
    if att is not None:
        if att.uploaded_by_id == actor.user_id:
            return att.file
        if att.request is not None and access.in_scope(actor, att.request.village):
            return att.file
    ent = Entrustment.objects.select_related("village", "confirmation").filter(confirmation_id=fid).first()
    if ent is not None and ent.confirmation is not None and access.in_scope(actor, ent.village):
        return ent.confirmation
    raise NotFound("文件不存在", code="not_found")
