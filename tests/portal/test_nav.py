"""One navigation: every role reaches its work from the top bar and the home page, and every link opens."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_staff

HOME = reverse("home")

EXPECTED: dict[str, dict[str, str]] = {
    "clerk": {
        "综窗工作台": reverse("cases:workbench"),
        "排队叫号": reverse("queueing:console"),
        "代办预审": reverse("proxy:queue"),
        "好差评评价器": reverse("feedback:pad"),
    },
    "agent": {
        "我的代办": reverse("proxy:home"),
        "委托": reverse("proxy:entrust"),
        "上门服务": reverse("proxy:visits"),
    },
    "reviewer": {"审批队列": reverse("cases:queue")},
    "head_a": {
        "差评整改": reverse("feedback:rectifications"),
        "丢件警报": reverse("proxy:alerts"),
        "公告": reverse("feedback:notices"),
        "投诉": reverse("feedback:complaints"),
        "统计": reverse("ledger:dashboard"),
    },
    "supervisor": {
        "统计": reverse("ledger:dashboard"),
        "考核": reverse("ledger:ranking"),
        "预警": reverse("cases:warnings"),
        "申诉复核": reverse("feedback:rectifications") + "?appeal=pending",
    },
    "admin": {
        "事项管理": reverse("catalog:manage_list"),
        "对接": reverse("integration:subscriptions"),
        "接口令牌": reverse("integration:tokens"),
    },
    "sec": {"账号与解锁": reverse("security:accounts")},
    "aud": {"审计日志": reverse("security:audit_log")},
}

PUBLIC = {
    "办事指南": reverse("portal:item_list"),
    "服务中心": reverse("portal:centre_list"),
    "代办员": reverse("proxy:agents"),
    "投诉建议": reverse("feedback:complaint_new"),
    "评价": reverse("feedback:rate"),
    "查询进度": reverse("cases:progress"),
    "群众登录": reverse("portal:login"),
}


@pytest.fixture
def nav_world(world: dict[str, Any]) -> dict[str, Any]:
    make_staff("head_a", "甲镇中心主任", world["ta"], ["centre_head"], centre=world["centres"]["a"])
    make_staff("sec", "安全管理员", world["county"], ["security_admin"])
    make_staff("aud", "审计管理员", world["county"], ["audit_admin"])
    return world


def _worknav(html: str) -> str:
    start = html.index('<nav class="worknav"')
    return html[start : html.index("</nav>", start)]


@pytest.mark.parametrize("username", list(EXPECTED))
def test_each_role_reaches_its_work_from_the_top_bar_and_home(
    login: Any, nav_world: Any, username: str
) -> None:
    client: Client = login(username)
    home = client.get(HOME).content.decode()
    guide = client.get(reverse("portal:item_list")).content.decode()
    for label, url in EXPECTED[username].items():
        href = f'href="{url.replace("&", "&amp;")}"'
        assert f"{href} data-nav=" in _worknav(guide), (username, label)  # the top bar on any page
        assert f">{label}</a>" in _worknav(guide)
        assert f"<strong>{label}</strong>" in home, (username, label)  # a tile on the home page
        r = client.get(url)
        assert r.status_code == 200, (username, label, r.status_code)
    # 账号安全 and 登录记录 for every staff member, and they open
    assert "账号安全" in guide and "登录记录" in guide
    assert client.get(reverse("security:login_history")).status_code == 200


def test_work_links_are_role_specific(login: Any, nav_world: Any) -> None:
    clerk = _worknav(login("clerk").get(HOME).content.decode())
    assert reverse("proxy:alerts") not in clerk and reverse("security:audit_log") not in clerk
    admin = _worknav(login("admin").get(HOME).content.decode())
    # 三员分立: the system admin gets no audit log, no accounts, no ratings' contents
    assert reverse("security:audit_log") not in admin and reverse("security:accounts") not in admin
    assert reverse("feedback:rectifications") not in admin
    aud = _worknav(login("aud").get(HOME).content.decode())
    assert reverse("catalog:manage_list") not in aud and reverse("cases:workbench") not in aud


def test_public_header_and_footer(client: Client, world: Any) -> None:
    html = client.get(reverse("portal:item_list")).content.decode()
    assert 'class="worknav"' not in html and "账号安全" not in html
    footer = html[html.index('<footer class="footer">') :]
    for label, url in PUBLIC.items():
        assert f'href="{url}">{label}</a>' in footer, label
        assert client.get(url).status_code == 200, label
    header = html[html.index('<header class="topbar">') : html.index("</header>")]
    assert f'href="{reverse("cases:progress")}"' in header and f'href="{reverse("proxy:agents")}"' in header


def test_centre_page_links_disclosure_booking_and_board(client: Client, world: Any) -> None:
    html = client.get(reverse("portal:centre_detail", args=["C-A"])).content.decode()
    for url in (
        reverse("feedback:disclosure", args=["C-A"]),
        reverse("queueing:book", args=["C-A"]),
        reverse("queueing:board", args=["C-A"]),
    ):
        assert f'href="{url}"' in html
        assert client.get(url).status_code == 200


def test_resident_sees_messages_and_login_record_not_staff_work(world: Any) -> None:
    from tests.portal.resident_helpers import ID_A, PHONE_A, resident_client

    c, _ = resident_client(PHONE_A, "巴特尔", ID_A)
    html = c.get(reverse("portal:item_list")).content.decode()
    assert 'class="worknav"' not in html and "账号安全" not in html
    history = reverse("security:login_history")
    assert f'href="{history}">登录记录</a>' in html
    assert f'href="{reverse("portal:inbox")}"' in html
    assert c.get(history).status_code == 200
