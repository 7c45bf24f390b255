"""The texts of the feedback app's events (``core.notices``), delivered by notify. Registered by
``FeedbackConfig.ready()`` (importing this module)."""

from __future__ import annotations

from onewindow.core import notices

TEXTS: dict[str, tuple[str, str]] = {
    "rating_bad": (
        "差评待整改",
        "【一窗通办】{centre}收到一条{level}评价，请于{deadline}前完成回访核实和整改。",
    ),
    "complaint_answered": (
        "投诉建议已答复",
        "【一窗通办】您提交的 {number} 已有答复，请凭编号和查询码在“投诉建议查询”页面查看。",
    ),
}

notices.register_texts("feedback", TEXTS)
