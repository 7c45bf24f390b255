"""Security models in the admin: the audit log (read by the audit administrator only) and two-factor
devices (security administrator: list and reset). The TOTP secret is never shown, not even its QR code:
django-otp's own ModelAdmin (key field, config and QR views) is replaced."""

from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.security.audit import record
from onewindow.security.models import AuditEntry


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(_ReadOnly):
    list_display = ("seq", "at", "username", "roles", "action", "obj", "result", "ip")
    list_filter = ("result",)
    search_fields = ("username", "action", "obj")
    date_hierarchy = "at"
    fields = ("seq", "at", "username", "roles", "ip", "user_agent", "action", "obj", "result", "details")
    readonly_fields = fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # append-only; retention purge is `onewindow auditlog purge`

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        record("audit.view", request=request, obj="auditlog", details={"via": "admin"})
        return super().changelist_view(request, extra_context)


if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(_ReadOnly):
    """Deleting a device is the reset: the user enrols again at the next login."""

    list_display = ("account", "device_name", "is_confirmed", "created", "last_used")
    list_filter = ("confirmed",)
    search_fields = ("user__username",)
    fields = ("account", "device_name", "is_confirmed", "created", "last_used")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("user")

    def delete_model(self, request: HttpRequest, obj: TOTPDevice) -> None:
        self.delete_queryset(request, TOTPDevice.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for device in queryset.select_related("user"):
            device.delete()
            record(
                "auth.otp_reset",
                request=request,
                obj=f"user:{device.user.get_username()}",
                details={"devices": 1, "via": "admin"},
            )

    @admin.display(description="账号", ordering="user__username")
    def account(self, obj: TOTPDevice) -> str:
        return obj.user.get_username()

    @admin.display(description="设备名称")
    def device_name(self, obj: TOTPDevice) -> str:
        return obj.name

    @admin.display(description="已启用", boolean=True)
    def is_confirmed(self, obj: TOTPDevice) -> bool:
        return bool(obj.confirmed)

    @admin.display(description="绑定时间", ordering="created_at")
    def created(self, obj: TOTPDevice) -> Any:
        return obj.created_at

    @admin.display(description="最近使用", ordering="last_used_at")
    def last_used(self, obj: TOTPDevice) -> Any:
        return obj.last_used_at


def _axes_column_names() -> None:
    """django-axes' computed columns have no verbose name of their own."""
    for name, label in (("status", "状态"), ("expiration", "过期时间")):
        func = getattr(AccessAttemptAdmin, name, None)
        if func is not None:
            func.short_description = label


_axes_column_names()
