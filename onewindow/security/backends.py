"""The lockout backend: django-axes' check, skipped when there is no request (tests, shell, scripts)."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.apps import apps
from django.http import HttpRequest

from onewindow.security import admin_policy


class LockoutBackend(AxesStandaloneBackend):
    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class AdminPolicyBackend:
    """Django model permissions (``app.change_model``) from the admin table of the three administrator
    roles (:mod:`onewindow.security.admin_policy`), so the admin's own per-model checks agree with it.
    Authenticates nobody. (The admin site also checks the table itself, so a superuser flag, a group or
    a stored permission adds nothing there.)"""

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> None:
        return None

    def get_user(self, user_id: Any) -> None:
        return None

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        app_label, _, codename = perm.partition(".")
        action, _, model_name = codename.partition("_")
        if action not in admin_policy.ACTIONS:
            return False
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            return False
        return admin_policy.allows(user_obj, model, action)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        try:
            models = apps.get_app_config(app_label).get_models()
        except LookupError:
            return False
        return any(admin_policy.allowed_actions(user_obj, m) for m in models)
