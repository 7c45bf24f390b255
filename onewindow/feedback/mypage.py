"""The resident's complaints on her 我的办件 page (answers ``core.mypage``); registered by
``FeedbackConfig.ready()`` (importing this module)."""

from __future__ import annotations

from typing import Any

from onewindow.core import mypage
from onewindow.feedback import services


def my_complaints(user: Any) -> dict[str, Any] | None:
    rows = services.complaints_of_resident(user)
    return {"rows": rows} if rows else None


mypage.register_my_panel("complaints", template="feedback/_my_complaints.html", func=my_complaints, order=10)
