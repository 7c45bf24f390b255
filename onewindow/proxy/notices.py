"""The texts of the proxy app's events (``core.notices``), delivered by notify, and the proxy variant
of the applicant's case notices: for a case taken in from a village agent's request the applicant is
told that the agent brings the result ("结果将由代办员 巴雅尔 送达"), not to come to the window.
Registered by ``ProxyConfig.ready()`` (importing this module)."""

from __future__ import annotations

from typing import Any

from onewindow.core import notices
from onewindow.proxy.models import ProxyRequest

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
    # a proxy case's progress, for its applicant (instead of the window's texts: see proxy_variant)
    "proxy_case_accepted": (
        "办件已受理",
        "【一窗通办】您委托代办的「{item}」已受理，办件编号 {number}，承诺办结期限 {deadline}。"
        "结果将由代办员 {agent} 送达。",
    ),
    "proxy_case_ready": (
        "办理结果将由代办员送达",
        "【一窗通办】您委托代办的「{item}」（编号 {number}）已办结，结果将由代办员 {agent} 送达，"
        "无需到窗口领取。",
    ),
}

notices.register_texts("proxy", TEXTS)

# the case's template → the proxy case's (offline and online alike)
PROXY_TEMPLATES = {
    "accepted": "proxy_case_accepted",
    "portal_accepted": "proxy_case_accepted",
    "ready": "proxy_case_ready",
    "portal_ready": "proxy_case_ready",
}


def proxy_variant(case: Any, notice: notices.ApplicantNotice) -> notices.ApplicantNotice | None:
    """A proxy case's acceptance and result notices name the agent who brings the result."""
    template = PROXY_TEMPLATES.get(notice.template)
    if template is None or getattr(case, "channel", "") != "proxy":
        return notice
    req = ProxyRequest.objects.filter(case=case).select_related("agent__staff").order_by("-pk").first()
    if req is None:
        return notice
    staff = getattr(req.agent, "staff", None)
    agent = staff.name if staff is not None else "（代办员）"
    return notices.ApplicantNotice(template, {**notice.context, "agent": agent}, inbox=notice.inbox)


notices.register_applicant_variant("proxy", proxy_variant)
