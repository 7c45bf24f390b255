"""The texts of the feedback app's events (``core.notices``), delivered by notify. Registered by
``FeedbackConfig.ready()`` (importing this module)."""

from __future__ import annotations

from onewindow.core import notices

TEXTS: dict[str, tuple[str, str]] = {
    "rating_bad": (
        "差评待整改",
        "【一窗通办】{centre}收到一条{level}评价，请于{deadline}前完成回访核实和整改。",
    ),
    "rating_rectifying": (
        "您的评价正在整改",
        "【一窗通办】您对办件 {number} 的“{level}”评价已回访核实，{centre}正在整改，"
        "将于{deadline}前办结并告知您结果。",
    ),
    "rating_rectified": (
        "您的评价已整改办结",
        "【一窗通办】您对办件 {number} 的“{level}”评价已办结（{outcome}）：{note}。"
        "欢迎凭办件编号和查询码对整改结果评价。",
    ),
    "complaint_answered": (
        "投诉建议已答复",
        "【一窗通办】您提交的 {number} 已有答复，请凭编号和查询码在“投诉建议查询”页面查看。",
    ),
}

notices.register_texts("feedback", TEXTS)
