"""三务公开: the notice board of a centre (党务、政务、财务公开), posted and withdrawn by its staff."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from onewindow.core.actor import Actor
from onewindow.core.errors import Invalid
from onewindow.feedback.models import Notice, NoticeKind
from onewindow.files.services import store_upload
from onewindow.org import access
from onewindow.org.access import Perm
from onewindow.org.models import Centre


def notice_post(
    *, actor: Actor, centre: str, kind: str, title: str, body: str = "", files: list[Any] | None = None
) -> Notice:
    access.require_perm(actor, Perm.NOTICE_POST)
    errors: dict[str, list[str]] = {}
    if kind not in NoticeKind.values:
        errors["kind"] = ["请选择党务、政务或财务公开"]
    title = (title or "").strip()
    if not title:
        errors["title"] = ["请填写标题"]
    if errors:
        raise Invalid("公告填写有误", code="invalid", details=errors)
    c = access.get_in_scope_or_404(actor, Centre.objects.all(), code=centre)
    with transaction.atomic():
        stored = [store_upload(f, user=actor.user, field="attachments") for f in (files or [])]
        n = Notice.objects.create(
            centre=c,
            kind=kind,
            title=title,
            body=(body or "").strip(),
            posted_by=actor.user,
            posted_at=timezone.now(),
        )
        if stored:
            n.attachments.add(*stored)
    return n


def notice_withdraw(*, actor: Actor, pk: int) -> Notice:
    access.require_perm(actor, Perm.NOTICE_POST)
    n = access.get_in_scope_or_404(actor, Notice.objects.all(), "centre__jurisdiction__path", pk=pk)
    Notice.objects.filter(pk=n.pk).update(withdrawn=True)
    n.withdrawn = True
    return n
