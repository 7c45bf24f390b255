"""The audit log API: ``record`` (append), ``chain`` (link), ``verify`` (check), ``purge`` (retention).

Call :func:`record` (other apps: through the ``onewindow.core.audit`` façade) for logins, denied
actions, exports, full views of personal data and API writes::

    from onewindow.security.audit import record
    record("case.export", request=request, obj=f"case:{case.number}", details={"reason": reason})

``action`` is a short dotted name (``auth.login``, ``auth.login_failed``, ``privacy.reveal``,
``export.cases``, ``org.role_added``...); ``result`` is ``ok``, ``denied``, ``failed`` or ``error``.
Never put clear personal data (ID numbers, phones, addresses) into ``obj`` or ``details``.

Two steps (see :mod:`onewindow.security.models`): :func:`record` only inserts the entry with the hash of
its own content, in the caller's transaction, and touches no shared row, so concurrent API writes do not
queue on the chain head. :func:`chain` (the worker, every ``AUDIT_CHAIN_SECONDS``: ``security.tasks``;
``onewindow auditlog chain``; and first thing in :func:`verify` and :func:`purge`) locks the head and
links the committed, unchained entries in order of id. ``seq`` is therefore the chain's order, which is
the order of commit as the worker saw it, not necessarily of ``at``.

Retention (``AUDIT_RETENTION_DAYS``, default 400, never below 183 = six months): ``purge`` deletes
entries older than the limit in one transaction and moves the chain's *anchor* to the hash of the last
deleted entry; the first kept entry's ``prev_hash`` equals that anchor, so ``verify`` still checks the
whole remaining chain, and the purge itself is an ``audit.purge`` entry naming the anchor.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from onewindow.core.durability import lazy_commit
from onewindow.core.errors import Invalid
from onewindow.core.web import client_ip
from onewindow.org.access import roles_of
from onewindow.security.models import AuditEntry, AuditHead

MIN_RETENTION_DAYS = 183
DEFAULT_RETENTION_DAYS = 400


def _roles(user: Any) -> str:
    try:
        return ",".join(roles_of(user))
    except Exception:
        return ""


def _head_for_update() -> AuditHead:
    head = AuditHead.objects.select_for_update(of=("self",)).filter(pk=1).first()
    if head is not None:
        return head
    try:
        with transaction.atomic():
            AuditHead.objects.create(pk=1)
    except IntegrityError:
        pass
    return AuditHead.objects.select_for_update(of=("self",)).get(pk=1)


def _clean(details: dict[str, Any] | None) -> dict[str, Any]:
    if not details:
        return {}
    cleaned: dict[str, Any] = json.loads(json.dumps(details, ensure_ascii=False, default=str))
    return cleaned


def record(
    action: str,
    *,
    request: HttpRequest | None = None,
    user: Any = None,
    obj: str = "",
    result: str = "ok",
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry (in the caller's transaction, if any); :func:`chain` links it later."""
    if user is None and request is not None:
        user = getattr(request, "user", None)
    authenticated = bool(user is not None and getattr(user, "is_authenticated", False))
    username = ""
    if user is not None:
        username = str(getattr(user, "get_username", lambda: "")() or "")
    agent = str(request.META.get("HTTP_USER_AGENT", ""))[:300] if request is not None else ""
    entry = AuditEntry(
        seq=None,
        at=timezone.now(),
        user_id=user.pk if authenticated else None,
        username=username[:150],
        roles=_roles(user) if authenticated else "",
        ip=client_ip(request),
        user_agent=agent,
        action=action[:64],
        obj=str(obj)[:200],
        result=result[:32],
        details=_clean(details),
    )
    entry.content_hash = entry.compute_content_hash()
    entry.save()
    return entry


CHAIN_BATCH = 1000


def _chain_pending(head: AuditHead) -> int:
    """Link the unchained entries after ``head`` (locked by the caller); moves ``head``."""
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    linked = 0
    while True:
        pending = list(AuditEntry.objects.filter(seq__isnull=True).order_by("id")[:CHAIN_BATCH])
        if not pending:
            return linked
        rows = []
        for entry in pending:
            entry.seq, entry.prev_hash = head.seq + 1, head.hash
            entry.hash = entry.compute_hash()
            head.seq, head.hash = entry.seq, entry.hash
            rows.append((entry.seq, entry.prev_hash, entry.hash, entry.pk))
        with connection.cursor() as cur:  # the model refuses updates; only these three columns, once
            cur.executemany(
                f"UPDATE {table} SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s AND seq IS NULL", rows
            )
        AuditHead.objects.filter(pk=1).update(seq=head.seq, hash=head.hash)
        linked += len(rows)


def chain() -> int:
    """Link every committed, unchained entry into the chain (the worker's step); returns how many.
    A link lost in a crash (``lazy_commit``) leaves its entries unchained: the next run links them."""
    with lazy_commit():
        return _chain_pending(_head_for_update())


def verify() -> list[str]:
    """Problems in the audit chain (empty: intact); links pending entries first."""
    chain()
    problems: list[str] = []
    head = AuditHead.objects.filter(pk=1).first()
    prev = head.anchor_hash if head else ""
    expected = (head.purged_through + 1) if head else 1
    last_purge: AuditEntry | None = None
    for entry in AuditEntry.objects.filter(seq__isnull=False).order_by("seq").iterator():
        assert entry.seq is not None
        if entry.seq != expected:
            problems.append(f"审计记录第{expected}至{entry.seq - 1}条缺失")
        if entry.prev_hash != prev:
            problems.append(f"审计记录第{entry.seq}条的前序哈希不连续")
        if entry.compute_hash() != entry.hash or _content_altered(entry):
            problems.append(f"审计记录第{entry.seq}条内容被改动")
        if entry.action == "audit.purge":
            last_purge = entry
        prev = entry.hash
        expected = entry.seq + 1
    if head is not None:
        if head.seq and head.seq != expected - 1:
            problems.append(f"审计链头记录为第{head.seq}条，实际最后一条为第{expected - 1}条")
        if head.purged_through:
            anchor = last_purge.details if last_purge else {}
            if anchor.get("through_seq") != head.purged_through or anchor.get("anchor") != head.anchor_hash:
                problems.append("审计链锚点与最近一次清理记录不符")
    # appended by a transaction that committed after the chaining above: only their own content to check
    for entry in AuditEntry.objects.filter(seq__isnull=True).order_by("id").iterator():
        if _content_altered(entry):
            problems.append(f"未入链的审计记录（ID {entry.pk}）内容被改动")
    return problems


def _content_altered(entry: AuditEntry) -> bool:
    """The content hash written at insert no longer matches (entries from before it have none)."""
    return bool(entry.content_hash) and entry.compute_content_hash() != entry.content_hash


def retention_days() -> int:
    days = int(settings.AUDIT_RETENTION_DAYS)
    return max(days, MIN_RETENTION_DAYS)


def purge(*, now: dt.datetime | None = None, user: Any = None) -> int:
    """Delete entries older than the retention period; returns how many were deleted."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=retention_days())
    with transaction.atomic():
        head = _head_for_update()
        _chain_pending(head)  # only chained entries are purged; chain what is pending first
        last = AuditEntry.objects.filter(seq__isnull=False, at__lt=cutoff).order_by("-seq").first()
        if last is None:
            return 0
        # Never delete the newest entry: the chain must keep at least its head.
        if last.seq is not None and last.seq >= head.seq:
            last = AuditEntry.objects.filter(seq__lt=head.seq, at__lt=cutoff).order_by("-seq").first()
            if last is None:
                return 0
        through, anchor = last.seq, last.hash
        table = AuditEntry._meta.db_table
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute("SET LOCAL onewindow.audit_purge = 'on'")
            cur.execute(f"DELETE FROM {table} WHERE seq <= %s", [through])
            deleted = cur.rowcount
            if connection.vendor == "postgresql":
                cur.execute("SET LOCAL onewindow.audit_purge = 'off'")
        AuditHead.objects.filter(pk=1).update(purged_through=through, anchor_hash=anchor)
        record(
            "audit.purge",
            user=user,
            obj=f"audit:1-{through}",
            details={"through_seq": through, "anchor": anchor, "deleted": deleted, "cutoff": cutoff},
        )
        _chain_pending(head)  # the purge entry itself covers the anchor
    return int(deleted)


EXPORT_REASON_MIN = 4


def record_personal_data_export(
    what: str, *, reason: str, rows: int, request: HttpRequest | None = None, user: Any = None, obj: str = ""
) -> AuditEntry:
    """Every export holding residents' personal data needs a stated reason (事由) and is audited.

    Call it before producing the file; it raises :class:`onewindow.core.errors.Invalid`
    (code ``export_reason_required``) when the reason is missing or too short.
    """
    reason = (reason or "").strip()
    if len(reason) < EXPORT_REASON_MIN:
        raise Invalid(
            "导出含个人信息的数据须填写事由（至少4个字）",
            code="export_reason_required",
            details={"reason": ["请填写导出事由"]},
        )
    return record(
        f"export.{what}",
        request=request,
        user=user,
        obj=obj or what,
        details={"reason": reason[:200], "rows": rows},
    )
