"""Django admin for the organisation. Personal data is never listed in clear."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from onewindow.org.models import (
    Centre,
    Department,
    Duty,
    HolidayDuty,
    Jurisdiction,
    OpeningHours,
    Resident,
    Staff,
    StaffRole,
    Window,
    WorkerHeartbeat,
)
from onewindow.privacy.services import personal_data_access_log


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "sort")
    list_filter = ("level",)
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)
    readonly_fields = ("path",)
    ordering = ("path",)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "short_name", "jurisdiction", "phone")
    list_filter = ("jurisdiction__level",)
    search_fields = ("code", "name", "short_name")
    autocomplete_fields = ("jurisdiction",)


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class HolidayDutyInline(admin.TabularInline):
    model = HolidayDuty
    extra = 0


class WindowInline(admin.TabularInline):
    model = Window
    extra = 0


@admin.register(Centre)
class CentreAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "jurisdiction", "phone", "is_active")
    list_filter = ("is_active", "jurisdiction__level")
    search_fields = ("code", "name", "address")
    autocomplete_fields = ("jurisdiction",)
    inlines = [OpeningHoursInline, HolidayDutyInline, WindowInline]


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 1


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "user",
        "jurisdiction",
        "centre",
        "department",
        "post",
        "public_phone",
        "masked_mobile",
    )
    list_filter = ("roles__role", "jurisdiction__level", "on_board")
    search_fields = ("name", "user__username", "post")
    autocomplete_fields = ("user", "jurisdiction", "centre", "department", "ab_partner")
    filter_horizontal = ("extra_jurisdictions",)
    inlines = [StaffRoleInline]

    @admin.display(description="个人手机")
    def masked_mobile(self, obj: Staff) -> str:
        return obj.masked_mobile

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # The change form shows the private mobile in clear: log it as a full view.
        if request.method == "GET":
            obj = self.get_object(request, object_id)
            if obj is not None and obj.mobile:
                personal_data_access_log(
                    actor=request.user,
                    obj=obj,
                    fields=["mobile"],
                    purpose="系统管理后台",
                    ip=request.META.get("REMOTE_ADDR") or None,
                )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Duty)
class DutyAdmin(admin.ModelAdmin):
    list_display = ("date", "staff", "shift", "window", "note")
    list_filter = ("shift", "staff__centre")
    date_hierarchy = "date"
    search_fields = ("staff__name",)
    autocomplete_fields = ("staff",)


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    """Residents are registered on the staff pages (validated there); here they are masked."""

    list_display = ("masked_name", "kind", "masked_id_number", "masked_phone", "jurisdiction", "created_at")
    list_filter = ("kind", "jurisdiction__level")
    search_fields = ("name",)
    fields = (
        "kind",
        "name",
        "jurisdiction",
        "masked_id_number",
        "masked_phone",
        "masked_address",
        "created_at",
        "created_by",
    )
    readonly_fields = (
        "kind",
        "masked_id_number",
        "masked_phone",
        "masked_address",
        "created_at",
        "created_by",
    )
    autocomplete_fields = ("jurisdiction",)

    @admin.display(description="姓名/名称")
    def masked_name(self, obj: Resident) -> str:
        return obj.masked_name

    @admin.display(description="证件号码")
    def masked_id_number(self, obj: Resident) -> str:
        return obj.masked_id_number

    @admin.display(description="联系电话")
    def masked_phone(self, obj: Resident) -> str:
        return obj.masked_phone

    @admin.display(description="地址")
    def masked_address(self, obj: Resident) -> str:
        return obj.masked_address

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("name", "at")
    readonly_fields = ("name", "at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
