"""The Django admin site of OneWindow, with 三员分立 enforced on every page of it.

Every ``ModelAdmin`` registered here (ours and third-party ones: auth, django-otp, axes) is wrapped at
registration in :class:`PolicyModelAdmin`, and every inline it shows in :class:`PolicyInline`: each
``has_*_permission`` is the table in :mod:`onewindow.security.admin_policy` AND the ModelAdmin's own
rule. ``is_superuser`` / ``is_staff`` / Django permissions decide nothing; a model without an entry in
the table is closed to everybody. Only the three administrator roles open the site at all; any other
signed-in user gets 403, and the admin's own login form is replaced by the product's login page (rate
limit, lockout and the second factor live there).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.admin import AdminSite, ModelAdmin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from onewindow.security import admin_policy as P

_INLINE_CLASSES: dict[type, type] = {}


class PolicyInline:
    """Mixed in front of an inline's class: the table for the inline's model, then the inline's rule."""

    model: Any

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = P.allowed_actions(request.user, self.model)
        return bool(allowed & {P.VIEW, P.CHANGE}) and super().has_view_permission(request, obj)  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return P.allows(request.user, self.model, P.ADD) and super().has_add_permission(request, obj)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return P.allows(request.user, self.model, P.CHANGE) and super().has_change_permission(  # type: ignore[misc]
            request, obj
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return P.allows(request.user, self.model, P.DELETE) and super().has_delete_permission(  # type: ignore[misc]
            request, obj
        )


def policy_inline(inline_class: type) -> type:
    if issubclass(inline_class, PolicyInline):
        return inline_class
    wrapped = _INLINE_CLASSES.get(inline_class)
    if wrapped is None:
        wrapped = type(
            inline_class.__name__, (PolicyInline, inline_class), {"__module__": inline_class.__module__}
        )
        _INLINE_CLASSES[inline_class] = wrapped
    return wrapped


class PolicyModelAdmin(ModelAdmin):  # type: ignore[type-arg]
    """Put in front of every registered ModelAdmin by :meth:`OneWindowAdminSite.register`."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(P.allowed_actions(request.user, self.model))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = P.allowed_actions(request.user, self.model)
        return bool(allowed & {P.VIEW, P.CHANGE}) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return P.allows(request.user, self.model, P.ADD) and super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return P.allows(request.user, self.model, P.CHANGE) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return P.allows(request.user, self.model, P.DELETE) and super().has_delete_permission(request, obj)

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[type]:
        return [policy_inline(c) for c in super().get_inlines(request, obj)]


class OneWindowAdminSite(AdminSite):
    site_header = "一窗通办 · 系统管理"
    site_title = "一窗通办"
    index_title = "系统管理"

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        admin_class = admin_class or ModelAdmin
        if not issubclass(admin_class, PolicyModelAdmin):
            admin_class = type(
                admin_class.__name__,
                (PolicyModelAdmin, admin_class),
                {"__module__": admin_class.__module__},
            )
        super().register(model_or_iterable, admin_class, **options)

    def has_permission(self, request: HttpRequest) -> bool:
        return P.may_use_site(request.user)

    def admin_view(self, view: Callable[..., Any], cacheable: bool = False) -> Callable[..., Any]:  # type: ignore[override]
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied("只有系统管理员、安全管理员和审计管理员可以进入系统管理")
            return inner(request, *args, **kwargs)

        return guarded

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """No second login form: the product's login page (rate limit, lockout, then two factors)."""
        # deferred: auth views import the auth models; this module is loaded with the app registry
        from django.contrib.auth.views import redirect_to_login

        index = reverse("admin:index", current_app=self.name)
        if request.user.is_authenticated:
            if not self.has_permission(request):
                raise PermissionDenied("只有系统管理员、安全管理员和审计管理员可以进入系统管理")
            return HttpResponseRedirect(index)
        target = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = index
        return redirect_to_login(target)


class OneWindowAdminConfig(AdminConfig):
    default_site = "onewindow.security.admin_site.OneWindowAdminSite"
