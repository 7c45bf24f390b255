"""The personal-data access log is evidence: read-only in the admin."""

from __future__ import annotations

from django.contrib import admin

from onewindow.core.adminpolicy import ReadOnlyAdmin
from onewindow.privacy.models import PersonalDataAccess


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "object_type", "object_id", "fields", "purpose", "ip")
    list_filter = ("object_type",)
    search_fields = ("actor__username", "object_type", "object_id", "purpose", "ip")
    date_hierarchy = "at"
    readonly_fields = ("at", "actor", "object_type", "object_id", "fields", "purpose", "ip")
