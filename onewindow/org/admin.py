"""Django admin for the organisation. Personal data is never shown in clear (a staff member's private
mobile can be written, not read); who may open what is decided in onewindow/security/admin_policy.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from onewindow.core import adminpolicy
from onewindow.core.errors import DomainError
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
from onewindow.privacy.identifiers import validate_mobile


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
    """Roles are the security administrator's (三员分立), and never on one's own record."""

    model = StaffRole
    extra = 1

    def _own(self, request: HttpRequest, obj: Any) -> bool:
        return obj is not None and obj.user_id == request.user.pk

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._own(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._own(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._own(request, obj) and super().has_delete_permission(request, obj)


class StaffForm(forms.ModelForm):
    """The private mobile is written here, never shown: the field starts empty and an empty field
    keeps the stored number."""

    new_mobile = forms.CharField(
        label="个人手机（重新填写）",
        required=False,
        max_length=20,
        help_text="出于个人信息保护，已保存的号码不显示；留空表示不修改。",
    )

    class Meta:
        model = Staff
        exclude = ("mobile",)  # noqa: DJ006 - every other field; the mobile is write-only (new_mobile)

    def clean_new_mobile(self) -> str:
        value = (self.cleaned_data.get("new_mobile") or "").strip()
        if not value:
            return ""
        try:
            return validate_mobile(value)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    form = StaffForm
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
    readonly_fields = ("masked_mobile",)
    inlines = [StaffRoleInline]

    @admin.display(description="个人手机")
    def masked_mobile(self, obj: Staff) -> str:
        return obj.masked_mobile

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Which account a staff record belongs to decides whose roles it carries: security admin only.
        if adminpolicy.allows(request.user, StaffRole, adminpolicy.ADD):
            return self.readonly_fields
        return (*self.readonly_fields, "user")

    def save_model(self, request: HttpRequest, obj: Staff, form: Any, change: bool) -> None:
        if form.cleaned_data.get("new_mobile"):
            obj.mobile = form.cleaned_data["new_mobile"]
        super().save_model(request, obj, form, change)


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
class WorkerHeartbeatAdmin(adminpolicy.ReadOnlyAdmin):
    list_display = ("task", "beat_at")
    fields = readonly_fields = ("task", "beat_at")

    @admin.display(description="后台任务", ordering="name")
    def task(self, obj: WorkerHeartbeat) -> str:
        return obj.name

    @admin.display(description="最近心跳", ordering="at")
    def beat_at(self, obj: WorkerHeartbeat) -> Any:
        return obj.at
