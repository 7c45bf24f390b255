"""One navigation for the whole product: which pages each role works on, and the public links.

The top bar (``base.html``, through the ``portal_nav`` template tags) and the staff home page read the
same table, so a role's work is reachable in one click from everywhere. Only URLs that resolve are
listed, and only for roles the page itself lets in (the pages still check permissions themselves).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from onewindow.core.actor import Actor
from onewindow.org.models import Role


@dataclass(frozen=True)
class Link:
    key: str
    label: str
    url: str
    hint: str = ""


# key: (label, url name, query, hint). Order is the order on the page.
_LINKS: dict[str, tuple[str, str, str, str]] = {
    # the window (综窗)
    "workbench": ("综窗工作台", "cases:workbench", "", "无差别受理：登记办件、收取材料、一次性告知"),
    "console": ("排队叫号", "queueing:console", "", "窗口叫号、过号、转窗口"),
    "proxy_queue": ("代办预审", "proxy:queue", "", "嘎查村代办员报送的预审队列"),
    "pad": ("好差评评价器", "feedback:pad", "", "请刚办完事的群众对本次服务评价"),
    # the village agent (代办员)
    "proxy_home": ("我的代办", "proxy:home", "", "代办申请、待取件、待回访"),
    "entrust": ("委托", "proxy:entrust", "", "登记群众的代办委托"),
    "visits": ("上门服务", "proxy:visits", "", "为行动不便群众上门办理"),
    # the back office
    "review_queue": ("审批队列", "cases:queue", "", "待审查、待决定的办件"),
    # the centre head
    "rectifications": ("差评整改", "feedback:rectifications", "", "差评回访核实与整改"),
    "alerts": ("丢件警报", "proxy:alerts", "", "纸质材料流转中超时未签收的批次"),
    "notices": ("公告", "feedback:notices", "", "三务公开与中心公告"),
    "complaints": ("投诉", "feedback:complaints", "", "投诉建议的交办、办理与反馈"),
    # statistics and supervision
    "ledger": ("统计", "ledger:dashboard", "", "办件量、满意度、时效等统计"),
    "ranking": ("考核", "ledger:ranking", "", "苏木镇、嘎查村考核排名"),
    "warnings": ("预警", "cases:warnings", "", "超期与即将超期办件"),
    "appeals": ("申诉复核", "feedback:rectifications", "appeal=pending", "差评申诉的复核决定"),
    # the system administrator
    "catalog": ("事项管理", "catalog:manage_list", "", "事项清单、版本、发布与导入导出"),
    "staff": ("人员", "org:staff_list", "", "工作人员、角色、AB岗与值班"),
    "integration": ("对接", "integration:subscriptions", "", "Webhook 订阅、死信与接口令牌"),
    "tokens": ("接口令牌", "integration:tokens", "", "可撤销、有期限的接口令牌"),
    "calendar": ("工作日历", "worktime:calendar", "", "节假日安排：导入国务院通知，暂定期限自动重新核定"),
    # security and audit (三员分立)
    "accounts": ("账号与解锁", "security:accounts", "", "账号锁定解除与动态口令重置"),
    "audit": ("审计日志", "security:audit_log", "", "不可篡改的操作审计记录与导出"),
}

ROLE_LINKS: dict[str, tuple[str, ...]] = {
    Role.CLERK: ("workbench", "console", "proxy_queue", "pad"),
    Role.AGENT: ("proxy_home", "entrust", "visits"),
    Role.REVIEWER: ("review_queue",),
    Role.CENTRE_HEAD: (
        "workbench",
        "console",
        "proxy_queue",
        "rectifications",
        "alerts",
        "notices",
        "complaints",
        "ledger",
    ),
    Role.SUPERVISOR: ("ledger", "ranking", "warnings", "appeals"),
    Role.ADMIN: ("catalog", "staff", "integration", "tokens", "calendar"),
    Role.SECURITY_ADMIN: ("accounts",),
    Role.AUDIT_ADMIN: ("audit",),
}

# Public pages, for the header and the footer of every page.
PUBLIC_LINKS: tuple[tuple[str, str, str], ...] = (
    ("guide", "办事指南", "portal:item_list"),
    ("centres", "服务中心", "portal:centre_list"),
    ("agents", "代办员", "proxy:agents"),
    ("complain", "投诉建议", "feedback:complaint_new"),
    ("rate", "评价", "feedback:rate"),
    ("progress", "查询进度", "cases:progress"),
)


def _reverse(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:  # an app not (yet) installed or renamed: leave the link out
        return None


def _link(key: str) -> Link | None:
    label, name, query, hint = _LINKS[key]
    url = _reverse(name)
    if url is None:
        return None
    return Link(key, label, f"{url}?{query}" if query else url, hint)


def work_links(actor: Actor) -> list[Link]:
    """The pages of the actor's roles, each once, in role order (empty for residents and visitors)."""
    staff = actor.staff
    if staff is None:
        return []
    seen: set[str] = set()
    out: list[Link] = []
    for role in staff.role_list:
        for key in ROLE_LINKS.get(role, ()):
            if key in seen:
                continue
            seen.add(key)
            link = _link(key)
            if link is not None:
                out.append(link)
    return out


def account_links(actor: Actor) -> list[Link]:
    """账号安全 and 登录记录 for staff; residents log in with SMS codes, so only their log-in record."""
    if not actor.is_authenticated or actor.system:
        return []
    history = _reverse("security:login_history")
    if history is None:
        return []
    if actor.staff is None:
        return [Link("logins", "登录记录", history)]
    return [Link("account", "账号安全", history), Link("logins", "登录记录", f"{history}#logins")]


def public_links() -> list[Link]:
    out = []
    for key, label, name in PUBLIC_LINKS:
        url = _reverse(name)
        if url is not None:
            out.append(Link(key, label, url))
    return out
