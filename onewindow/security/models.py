"""Models of the security app: the append-only, hash-chained audit log (安全审计) and login history.

An entry is written in two steps, so that no write on the request path touches a shared row:

1. :func:`onewindow.security.audit.record` inserts it with ``content_hash`` = sha256 of the canonical
   JSON of its own fields (time, user, roles, address, client, action, object, result, details) and no
   place in the chain yet (``seq`` NULL);
2. the chaining step (:func:`onewindow.security.audit.chain`, run by the worker every
   ``AUDIT_CHAIN_SECONDS`` and before every verification) takes the :class:`AuditHead` row lock and
   gives the unchained entries, in order of id, ``seq`` = head + 1, ``prev_hash`` = hash of the entry
   before and ``hash`` = sha256(prev_hash + canonical JSON of its fields including ``seq``).

So entry ``n`` stores ``prev_hash`` = hash of entry ``n-1``: altering a chained entry breaks its hash,
and altering an entry before it was chained breaks its content hash. Entries cannot be changed or
deleted through the ORM (``save`` of an existing row, ``delete`` and queryset ``update``/``delete``
raise); on PostgreSQL a trigger refuses DELETE unless the retention purge has set
``onewindow.audit_purge = 'on'`` for its transaction, and refuses every UPDATE except the chaining of
an unchained entry (only ``seq``, ``prev_hash``, ``hash`` may change, once).

:class:`AuditHead` is a single row: the chain's last ``seq``/``hash`` (locked by the chaining step, so
entries are chained in one order) and the *anchor* left by a retention purge: the hash of the last
purged entry, which the first kept entry's ``prev_hash`` must equal. Every purge also appends an
``audit.purge`` entry naming the anchor, so the anchor itself is covered by the chain.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.core.prepared import CompiledInsert


class ImmutableAuditEntry(Exception):
    pass


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableAuditEntry("审计记录不能修改")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableAuditEntry("审计记录不能删除（仅可按保存期限由 auditlog purge 清理）")


class AuditEntry(CompiledInsert, models.Model):
    """Who did what to which object, when, from where, with which result."""

    # NULL until the chaining step links the entry (see the module docstring)
    seq = models.PositiveBigIntegerField(_("序号"), unique=True, null=True, blank=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("账号"),
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True)  # indexed: Meta.indexes
    roles = models.CharField(_("角色"), max_length=200, blank=True)
    ip = models.CharField(_("来源地址"), max_length=64, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=300, blank=True)
    action = models.CharField(_("事件"), max_length=64, db_index=True)
    obj = models.CharField(_("对象"), max_length=200, blank=True)
    result = models.CharField(_("结果"), max_length=32, default="ok")
    details = models.JSONField(_("详情"), default=dict, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)  # "" on entries written before 2-step
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-id"]  # newest first, linked into the chain or not yet
        # searched by exact username (no pattern-ops twin: every API write inserts here)
        indexes = [models.Index(fields=["username"], name="auditentry_username")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.username} {self.result}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None or not self._state.adding:
            raise ImmutableAuditEntry("审计记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableAuditEntry("审计记录只能追加，不能删除")

    def payload(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "user": self.user_id,
            "username": self.username,
            "roles": self.roles,
            "ip": self.ip,
            "user_agent": self.user_agent,
            "action": self.action,
            "obj": self.obj,
            "result": self.result,
            "details": self.details,
        }

    def compute_content_hash(self) -> str:
        content = {k: v for k, v in self.payload().items() if k != "seq"}
        body = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(body.encode("utf-8")).hexdigest()

    def compute_hash(self) -> str:
        body = json.dumps(
            self.payload(), ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
        )
        return hashlib.sha256((self.prev_hash + body).encode("utf-8")).hexdigest()


class AuditHead(models.Model):
    """The single row that serialises the chaining step and remembers the purge anchor."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)
    purged_through = models.PositiveBigIntegerField(default=0)
    anchor_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self) -> str:
        return f"audit head #{self.seq}"


class LoginRecord(models.Model):
    """One login attempt, shown to the user as their login history (登录历史)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="login_records"
    )
    username = models.CharField(_("用户名"), max_length=150, db_index=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    ip = models.CharField(_("来源地址"), max_length=64, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=300, blank=True)
    success = models.BooleanField(_("成功"))
    reason = models.CharField(_("说明"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("登录记录")
        verbose_name_plural = _("登录记录")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M} {'ok' if self.success else 'fail'}"
