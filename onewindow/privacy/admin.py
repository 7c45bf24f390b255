"""The personal-data access log is evidence: read-only in the admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onewindow.privacy.models import PersonalDataAccess


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "object_type", "object_id", "fields", "purpose", "ip")
    list_filter = ("object_type",)
    search_fields = ("actor__username", "object_type", "object_id", "purpose", "ip")
    date_hierarchy = "at"
    readonly_fields = ("at", "actor", "object_type", "object_id", "fields", "purpose", "ip")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
