"""Uploaded materials (scans, photos, PDFs): stored encrypted, named by id, never by the client's name."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredFile(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    content_type = models.CharField(_("类型"), max_length=40)
    size = models.PositiveIntegerField(_("大小（字节，存储前）"))
    sha256 = models.CharField(max_length=64, db_index=True)
    name = models.CharField(_("文件名"), max_length=120, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    original_size = models.PositiveIntegerField(_("上传大小"), default=0)
    path = models.CharField(max_length=200, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("材料文件")
        verbose_name_plural = _("材料文件")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name or self.id} ({self.content_type})"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
