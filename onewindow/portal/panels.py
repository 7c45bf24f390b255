"""portal's panel on the staff case page (extension point ``core.panels.case_panels``): the files the
resident uploaded online (申请/补正), grouped by material — a material may have several files (both
sides of an ID card, the pages of a 户口簿), each listed and opened through the audited staff URL."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from onewindow.core.panels import register_case_panel
from onewindow.portal.my import case_uploads


def uploads_panel(request: Any, case: Any) -> dict[str, Any] | None:
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for up in case_uploads(case):
        key = (up.material_code, up.stage)
        group = groups.setdefault(
            key,
            {
                "name": up.material_name,
                "code": up.material_code,
                "stage": up.get_stage_display(),
                "at": up.created_at,
                "files": [],
            },
        )
        group["files"].append(
            {
                "n": len(group["files"]) + 1,
                "label": up.file.name or f"文件 {len(group['files']) + 1}",
                "kind": "PDF" if up.file.content_type == "application/pdf" else "图片",
                "url": reverse("portal:staff_upload", args=[up.pk]),
            }
        )
    uploads = sorted(groups.values(), key=lambda g: (g["at"], g["code"]))
    return {"uploads": uploads, "count": sum(len(g["files"]) for g in uploads)} if uploads else None


register_case_panel(
    "portal.uploads", template="portal/_case_uploads_panel.html", func=uploads_panel, order=10
)
