from django.contrib import admin

from onewindow.files.models import StoredFile


@admin.register(StoredFile)
class StoredFileAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "content_type", "size", "created_at"]
    readonly_fields = [f.name for f in StoredFile._meta.fields]
