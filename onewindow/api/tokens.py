from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from onewindow.api.models import ApiToken
from onewindow.errors import NotFound

PREFIX = "ow_"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def token_create(*, username: str, name: str = "", days: int | None = None) -> tuple[ApiToken, str]:
    """Create a token for ``username``; return the row and the clear token (shown once)."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise NotFound(f"用户 {username} 不存在", code="unknown_user")
    key = PREFIX + secrets.token_urlsafe(32)
    expires = timezone.now() + dt.timedelta(days=days) if days else None
    row = ApiToken.objects.create(
        user=user, name=name, prefix=key[:10], key_hash=_hash(key), expires_at=expires
    )
    return row, key


def token_authenticate(key: str) -> AbstractBaseUser | None:
    if not key or not key.startswith(PREFIX):
        return None
    row = ApiToken.objects.select_related("user").filter(key_hash=_hash(key), revoked_at__isnull=True).first()
    now = timezone.now()
    if row is None or (row.expires_at and row.expires_at <= now) or not row.user.is_active:
        return None
    if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user
