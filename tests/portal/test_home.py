"""The home page: a public landing for visitors, a role-aware home for staff; the large-type toggle."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

HOME = reverse("home")


def test_anonymous_landing(client: Client, portal_world: Any) -> None:
    r = client.get(HOME)
    assert r.status_code == 200
    html = r.content.decode()
    assert 'name="q"' in html and f'action="{reverse("portal:item_list")}"' in html
    assert "社会服务" in html  # domains
    assert "困难群众救助一件事" in html  # bundles
    assert "甲镇便民服务中心" in html  # centres
    assert "工作人员登录" in html
    assert "常用功能" not in html


def test_clerk_home(login: Any, portal_world: Any) -> None:
    html = login("clerk").get(HOME).content.decode()
    assert "您好，综窗甲" in html
    assert "甲镇" in html and "甲镇便民服务中心" in html and "综窗人员" in html
    assert "办事指南" in html and "本中心" in html
    assert reverse("portal:centre_detail", args=["C-A"]) in html
    assert "可代办事项" not in html and "系统管理" not in html and "本部门事项" not in html
    assert "<strong>事项管理</strong>" not in html


def test_agent_home(login: Any, portal_world: Any) -> None:
    html = login("agent").get(HOME).content.decode()
    assert "您好，代办员甲一" in html and "代办员" in html
    assert "可代办事项" in html and "?proxy=1" in html and "共 1 项" in html
    assert "本嘎查" in html and "甲一嘎查、乙一嘎查" in html
    assert reverse("portal:centre_detail", args=["S-A1"]) in html
    assert "本中心" not in html and "系统管理" not in html


def test_agent_without_station_is_sent_to_the_township(login: Any, world: Any) -> None:
    html = login("agent").get(HOME).content.decode()
    assert reverse("portal:centre_detail", args=["C-A"]) in html


def test_reviewer_home(login: Any, portal_world: Any) -> None:
    html = login("reviewer").get(HOME).content.decode()
    assert "审批人员" in html and "测试旗民政局" in html
    assert "本部门事项" in html and "?dept=D-MZ" in html and "共 3 项" in html
    assert "可代办事项" not in html and "系统管理" not in html


def test_admin_home(login: Any, portal_world: Any) -> None:
    html = login("admin").get(HOME).content.decode()
    assert "系统管理员" in html and "系统管理" in html and 'href="/admin/"' in html
    assert "<strong>事项管理</strong>" in html and "<strong>人员</strong>" in html
    assert "本中心" not in html and "可代办事项" not in html


def test_supervisor_home(login: Any, portal_world: Any) -> None:
    html = login("supervisor").get(HOME).content.decode()
    assert "监督人员" in html
    assert "<strong>事项管理</strong>" in html and reverse("catalog:manage_list") in html
    assert "<strong>人员</strong>" in html and reverse("org:staff_list") in html
    assert 'href="/admin/"' not in html


def test_homes_differ_by_role(login: Any, client: Client, portal_world: Any) -> None:
    anonymous = client.get(HOME).content.decode()
    pages = {name: login(name).get(HOME).content.decode() for name in ("clerk", "agent", "reviewer", "admin")}
    pages["anonymous"] = anonymous
    assert len(set(pages.values())) == len(pages)


def test_large_type_toggle(client: Client, world: Any) -> None:
    target = reverse("portal:item_list")
    r = client.get(reverse("portal:text_size"), {"large": "1", "next": target})
    assert r.status_code == 302 and r["Location"] == target
    assert r.cookies["ow_large"].value == "1"
    assert '<html lang="zh-CN" class="large">' in client.get(target).content.decode()
    r = client.get(reverse("portal:text_size"), {"large": "0", "next": target})
    assert r.cookies["ow_large"].value == ""
    assert '<html lang="zh-CN" class="">' in client.get(target).content.decode()


def test_large_type_toggle_refuses_foreign_redirects(client: Client, world: Any) -> None:
    r = client.get(reverse("portal:text_size"), {"large": "1", "next": "https://evil.example/"})
    assert r["Location"] == HOME
