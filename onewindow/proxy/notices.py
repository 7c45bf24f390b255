"""The texts of the proxy app's events (``core.notices``), delivered by notify. Registered by
``ProxyConfig.ready()`` (importing this module)."""

from __future__ import annotations

from onewindow.core import notices

TEXTS: dict[str, tuple[str, str]] = {
    "proxy_returned": (
        "代办申请退回补正",
        "【一窗通办】代办申请 {number} 预审退回，需补正 {count} 项材料，详见一次性告知。",
    ),
    "proxy_result_ready": (
        "代办结果可取件",
        "【一窗通办】代办申请 {number}（{item}）已在{centre}出件，请代为取件后送达群众。",
    ),
    "proxy_handed_over": (
        "办理结果已送达",
        "【一窗通办】您委托代办的「{item}」办理结果已由代办员送达（签收人：{signed_by}）。",
    ),
}

notices.register_texts("proxy", TEXTS)
