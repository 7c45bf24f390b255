"""API tokens: personal tokens and tokens of integration accounts (systems).

Only the SHA-256 of a token is stored; the clear token is shown once. Every API request looks the
token up again, so a revocation takes effect on the very next request. A read-only token may only
call safe methods (GET/HEAD/OPTIONS); anything else is a 403 ``token_read_only``. A token without a
stated lifetime expires after ``API_TOKEN_DEFAULT_DAYS`` (default 90; 0 = never). A request
authenticated by a token cannot create tokens (403 ``token_cannot_mint``): a leaked token must not be
able to outlive its own revocation or expiry.

The services take the acting person as ``actor``, an :class:`~onewindow.core.actor.Actor` resolved at the
edge (page or router). Apps below the ``api`` edge reach them through
``onewindow.core.apiauth`` (``token_issue``, ``token_list``, …), installed by ``api.apps``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from onewindow.api.models import ApiToken, IntegrationAccount
from onewindow.core.actor import Actor
from onewindow.core.audit import record
from onewindow.core.errors import Forbidden, Invalid, NotFound
from onewindow.core.prepared import PreparedFirst
from onewindow.org import access
from onewindow.org.access import Perm
from onewindow.org.models import Centre, Jurisdiction, Staff, StaffRole

PREFIX = "ow_"
MAX_DAYS = 3650
DEFAULT_DAYS = 90


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _new_token(
    user: Any, *, name: str, days: int | None, read_only: bool, created_by: Any = None
) -> tuple[ApiToken, str]:
    if days is None:
        # a token without a stated lifetime lives API_TOKEN_DEFAULT_DAYS (0 = never expires)
        days = int(settings.API_TOKEN_DEFAULT_DAYS) or None
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise Invalid("有效天数应在1到3650之间", code="invalid", details={"days": ["应在1到3650之间"]})
    account = IntegrationAccount.objects.filter(user=user).first()
    if account is not None and account.read_only:
        read_only = True  # a read-only system never gets a writing token
    key = PREFIX + secrets.token_urlsafe(32)
    expires = timezone.now() + dt.timedelta(days=days) if days else None
    row = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=key[:10],
        key_hash=_hash(key),
        expires_at=expires,
        read_only=read_only,
        created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
    )
    return row, key


def _audit(action: str, actor: Actor, obj: str, **details: Any) -> None:
    user = actor.user if getattr(actor.user, "is_authenticated", False) else None
    record(action, user=user, obj=obj, details=details)


def token_create(
    *, username: str, name: str = "", days: int | None = None, read_only: bool = False
) -> tuple[ApiToken, str]:
    """Create a token for ``username`` (the CLI); return the row and the clear token (shown once)."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise NotFound(f"用户 {username} 不存在", code="unknown_user")
    return _new_token(user, name=name, days=days, read_only=read_only)


def token_issue(
    *,
    actor: Actor,
    name: str = "",
    days: int | None = None,
    read_only: bool = False,
    account: int | None = None,
) -> tuple[ApiToken, str]:
    """A token for the actor, or (with ``integration.manage``) for an integration account."""
    if account is None:
        if actor.staff is None:
            raise Forbidden("只有工作人员可以创建接口令牌", code="no_staff_profile")
        if IntegrationAccount.objects.filter(user=actor.user).exists():
            raise Forbidden("对接系统账号不能自行创建令牌", code="forbidden")
        row, key = _new_token(actor.user, name=name, days=days, read_only=read_only, created_by=actor.user)
        _audit("integration.token_created", actor, f"token:{row.pk}", read_only=row.read_only)
        return row, key
    access.require_perm(actor, Perm.INTEGRATION_MANAGE)
    acc = account_get(actor=actor, pk=account)
    row, key = _new_token(acc.user, name=name, days=days, read_only=read_only, created_by=actor.user)
    _audit("integration.token_created", actor, f"token:{row.pk}", account=acc.pk, read_only=row.read_only)
    return row, key


def token_list(*, actor: Actor) -> QuerySet[ApiToken]:
    """The actor's own tokens; with ``integration.manage`` also the tokens of accounts in scope."""
    q = Q(user=actor.user)
    if access.has_perm(actor, Perm.INTEGRATION_MANAGE):
        accounts = access.scope(actor, IntegrationAccount.objects.all())
        q |= Q(user__integration_account__in=accounts)
    return (
        ApiToken.objects.filter(q).select_related("user", "user__integration_account").order_by("-created_at")
    )


def token_revoke(*, actor: Actor, pk: int) -> ApiToken:
    row = token_list(actor=actor).filter(pk=pk).first()
    if row is None:
        raise NotFound("没有找到该令牌", code="not_found")
    if row.revoked_at is None:
        ApiToken.objects.filter(pk=row.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        row.refresh_from_db()
        _audit("integration.token_revoked", actor, f"token:{row.pk}", owner=row.user.get_username())
    return row


# every API request: the statement compiled once per thread (onewindow.core.prepared)
_live_token: PreparedFirst[ApiToken] = PreparedFirst(
    lambda key_hash: ApiToken.objects.select_related("user").filter(
        key_hash=key_hash, revoked_at__isnull=True
    ),
    1,
)


def token_lookup(key: str) -> ApiToken | None:
    """The live token row for a clear token (not revoked, not expired, user active), else ``None``."""
    if not key or not key.startswith(PREFIX):
        return None
    row = _live_token(_hash(key))
    now = timezone.now()
    if row is None or (row.expires_at and row.expires_at <= now) or not row.user.is_active:
        return None
    if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row


def token_authenticate(key: str) -> AbstractBaseUser | None:
    row = token_lookup(key)
    return row.user if row is not None else None


def token_state(row: ApiToken) -> str:
    if row.revoked_at:
        return "revoked"
    if row.expires_at and row.expires_at <= timezone.now():
        return "expired"
    return "active"


# --- integration accounts ----------------------------------------------------------------------

ACCOUNT_ROLES = {"supervisor", "clerk", "reviewer", "centre_head", "agent"}


def account_list(*, actor: Actor) -> QuerySet[IntegrationAccount]:
    access.require_perm(actor, Perm.INTEGRATION_MANAGE)
    return access.scope(actor, IntegrationAccount.objects.select_related("jurisdiction", "user"))


def account_get(*, actor: Actor, pk: int) -> IntegrationAccount:
    return access.get_in_scope_or_404(actor, account_list(actor=actor), pk=pk)


def account_create(
    *,
    actor: Actor,
    name: str,
    jurisdiction: str,
    read_only: bool = True,
    roles: list[str] | None = None,
    centre: str | None = None,
    description: str = "",
) -> IntegrationAccount:
    """A system account: a user with a staff profile scoped to ``jurisdiction`` (a code in the actor's
    scope) and the given roles (default ``supervisor``: reads everything in the scope)."""
    access.require_perm(actor, Perm.INTEGRATION_MANAGE)
    if not name.strip():
        raise Invalid("请填写系统名称", code="invalid", details={"name": ["必填"]})
    j = Jurisdiction.objects.filter(code=jurisdiction).first()
    if j is None or not access.in_scope(actor, j):
        raise Invalid(
            "区域不存在或不在您的管辖范围内", code="unknown_jurisdiction", details={"jurisdiction": ["无效"]}
        )
    roles = sorted(set(roles or ["supervisor"]))
    bad = [r for r in roles if r not in ACCOUNT_ROLES]
    if bad:
        raise Invalid("角色无效", code="invalid", details={"roles": [f"不支持：{', '.join(bad)}"]})
    c = None
    if centre:
        c = Centre.objects.filter(code=centre, jurisdiction__path__startswith=j.path).first()
        if c is None:
            raise Invalid("中心不存在或不在该区域内", code="invalid", details={"centre": ["无效"]})
    with transaction.atomic():
        user = get_user_model().objects.create(username=f"sys-{secrets.token_hex(5)}", is_active=True)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        staff = Staff.objects.create(
            user=user, name=name.strip()[:50], jurisdiction=j, centre=c, on_board=False
        )
        for r in roles:
            StaffRole.objects.create(staff=staff, role=r)
        acc = IntegrationAccount.objects.create(
            user=user,
            name=name.strip(),
            description=description[:300],
            jurisdiction=j,
            read_only=read_only,
            created_by=actor.user,
        )
        _audit(
            "integration.account_created",
            actor,
            f"account:{acc.pk}",
            jurisdiction=j.code,
            read_only=read_only,
            roles=roles,
        )
        return acc


def account_disable(*, actor: Actor, pk: int) -> IntegrationAccount:
    """Disable an account: its user is deactivated and all its tokens revoked, effective at once."""
    acc = account_get(actor=actor, pk=pk)
    with transaction.atomic():
        get_user_model().objects.filter(pk=acc.user_id).update(is_active=False)
        ApiToken.objects.filter(user_id=acc.user_id, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        _audit("integration.account_disabled", actor, f"account:{acc.pk}")
    acc.refresh_from_db()
    return acc
