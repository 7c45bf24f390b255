"""Audit hooks: logins (history + audit), logouts, role and account changes, full views of personal data.

Connected in :class:`onewindow.security.apps.SecurityConfig.ready`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.http import HttpRequest

from onewindow.core.context import current_user
from onewindow.org.models import StaffRole
from onewindow.privacy.models import PersonalDataAccess
from onewindow.security.audit import client_ip, record
from onewindow.security.models import LoginRecord


def _agent(request: HttpRequest | None) -> str:
    return str(request.META.get("HTTP_USER_AGENT", ""))[:300] if request is not None else ""


def on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None:
        return
    LoginRecord.objects.create(
        user=user,
        username=user.get_username(),
        ip=client_ip(request),
        user_agent=_agent(request),
        success=True,
    )
    record("auth.login", request=request, user=user, obj=f"user:{user.get_username()}")


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kw: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    user = get_user_model().objects.filter(username=username).first() if username else None
    locked = bool(getattr(request, "axes_locked_out", False))
    LoginRecord.objects.create(
        user=user,
        username=username,
        ip=client_ip(request),
        user_agent=_agent(request),
        success=False,
        reason="locked" if locked else "bad_credentials",
    )
    record(
        "auth.login_failed",
        request=request,
        user=None,
        obj=f"user:{username}",
        result="denied",
        details={"reason": "locked" if locked else "bad_credentials", "known_user": user is not None},
    )


def on_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    record("auth.logout", request=request, user=user, obj=f"user:{user.get_username()}")


def on_role_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if created:
        record(
            "org.role_added",
            obj=f"user:{instance.staff.user.get_username()}",
            details={"role": instance.role, "staff": instance.staff_id},
            user=_current_user(),
        )


def on_role_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    try:
        username = instance.staff.user.get_username()
    except Exception:
        username = ""
    record(
        "org.role_removed",
        obj=f"user:{username}",
        details={"role": instance.role, "staff": instance.staff_id},
        user=_current_user(),
    )


ACCOUNT_FLAGS = ("is_active", "is_staff", "is_superuser")


def on_user_pre_save(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance.pk is None:
        instance._ow_audit = {"created": True}
        return
    old = sender.objects.filter(pk=instance.pk).values(*ACCOUNT_FLAGS, "password").first()
    if old is None:
        return
    changes = {f: [old[f], getattr(instance, f)] for f in ACCOUNT_FLAGS if old[f] != getattr(instance, f)}
    if old["password"] != instance.password:
        changes["password"] = ["*", "*"]
    instance._ow_audit = changes


def on_user_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    changes = getattr(instance, "_ow_audit", None)
    instance._ow_audit = None
    if not changes:
        return
    action = "account.created" if created else "account.changed"
    record(action, obj=f"user:{instance.get_username()}", details=changes, user=_current_user())


def on_personal_data_access(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    record(
        "privacy.full_view",
        user=instance.actor,
        obj=f"{instance.object_type}:{instance.object_id}",
        details={"fields": instance.fields, "purpose": instance.purpose, "ip": instance.ip or ""},
    )


def _current_user() -> Any:
    return current_user()


def connect() -> None:
    user_model = get_user_model()
    user_logged_in.connect(on_login, dispatch_uid="ow_audit_login")
    user_login_failed.connect(on_login_failed, dispatch_uid="ow_audit_login_failed")
    user_logged_out.connect(on_logout, dispatch_uid="ow_audit_logout")
    post_save.connect(on_role_saved, sender=StaffRole, dispatch_uid="ow_audit_role_saved")
    post_delete.connect(on_role_deleted, sender=StaffRole, dispatch_uid="ow_audit_role_deleted")
    pre_save.connect(on_user_pre_save, sender=user_model, dispatch_uid="ow_audit_user_pre")
    post_save.connect(on_user_saved, sender=user_model, dispatch_uid="ow_audit_user_post")
    post_save.connect(on_personal_data_access, sender=PersonalDataAccess, dispatch_uid="ow_audit_pda")
