"""portal's panel on the staff case page (extension point ``core.panels.case_panels``): the files the
resident uploaded online (申请/补正), each opened through the audited staff URL."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from onewindow.core.panels import register_case_panel
from onewindow.portal.my import case_uploads


def uploads_panel(request: Any, case: Any) -> dict[str, Any] | None:
    uploads = [
        {
            "name": up.material_name,
            "code": up.material_code,
            "stage": up.get_stage_display(),
            "at": up.created_at,
            "url": reverse("portal:staff_upload", args=[up.pk]),
        }
        for up in case_uploads(case)
    ]
    return {"uploads": uploads} if uploads else None


register_case_panel(
    "portal.uploads", template="portal/_case_uploads_panel.html", func=uploads_panel, order=10
)
