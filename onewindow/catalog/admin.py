"""Admin for the catalog. Published and retired versions are read-only here, as everywhere.

Day-to-day editing happens on the management pages (/manage/catalog/), which go through the
services; the admin is for inspection and small fixes to drafts.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onewindow.catalog.models import Bundle, BundleItem, Domain, FormField, Item, ItemVersion, Material


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "sort"]
    list_editable = ["sort"]
    search_fields = ["code", "name"]


def _draft(obj: Any) -> bool:
    return obj is None or getattr(obj, "is_editable", False)


class _DraftOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _draft(obj) and super().has_delete_permission(request, obj)


class MaterialInline(_DraftOnlyInline):
    model = Material
    fields = ["sort", "code", "name", "original", "copies", "required", "condition", "note", "reusable"]


class FormFieldInline(_DraftOnlyInline):
    model = FormField
    fields = ["sort", "key", "label", "kind", "required", "choices", "help_text"]


@admin.register(ItemVersion)
class ItemVersionAdmin(admin.ModelAdmin):
    list_display = ["item", "number", "name", "status", "domain", "department", "legal_days", "promised_days"]
    list_filter = ["status", "domain", "type"]
    search_fields = ["item__code", "name", "aliases", "search_text"]
    list_select_related = ["item", "domain", "department"]
    inlines = [MaterialInline, FormFieldInline]
    readonly_fields = ["item", "number", "status", "published_at", "retired_at", "created_by", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # new items and versions go through the management pages (services)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _draft(obj) and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and not obj.is_editable:
            names = [f.name for f in ItemVersion._meta.fields if f.editable and not f.primary_key]
            return list(dict.fromkeys([*self.readonly_fields, *names]))
        return self.readonly_fields


class ItemVersionInline(admin.TabularInline):
    model = ItemVersion
    fields = ["number", "name", "status", "published_at", "retired_at", "change_note"]
    readonly_fields = ["number", "name", "status", "published_at", "retired_at", "change_note"]
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["code", "__str__", "published", "created_at"]
    search_fields = ["code", "versions__name"]
    readonly_fields = ["code", "published", "created_at"]
    inlines = [ItemVersionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class BundleItemInline(admin.TabularInline):
    model = BundleItem
    extra = 1
    autocomplete_fields = ["item"]
    verbose_name = "包含的事项"
    verbose_name_plural = "包含的事项"
    labels = {"item": "事项", "sort": "排序"}

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name in self.labels:
            field.label = self.labels[db_field.name]
        return field


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "life_event", "is_published"]
    list_filter = ["is_published"]
    search_fields = ["code", "name", "search_text"]
    inlines = [BundleItemInline]
