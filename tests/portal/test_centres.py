"""Service centres: list by level, centre page, the public staff board."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onewindow.org.models import Duty
from onewindow.portal import selectors


def test_centre_list_grouped_by_level(client: Client, portal_world: Any) -> None:
    r = client.get(reverse("portal:centre_list"))
    assert r.status_code == 200
    html = r.content.decode()
    county = html.index("旗县（区、市）")
    township = html.index("苏木乡镇（街道）")
    village = html.index("嘎查村（社区）")
    assert county < html.index("测试旗政务服务中心") < township
    assert township < html.index("甲镇便民服务中心") < village
    assert village < html.index("甲一嘎查便民服务站")
    assert reverse("portal:centre_detail", args=["C-A"]) in html


def test_centre_page(client: Client, portal_world: Any) -> None:
    r = client.get(reverse("portal:centre_detail", args=["C-A"]))
    assert r.status_code == 200
    html = r.content.decode()
    for text in [
        "甲镇便民服务中心",
        "甲镇1号",
        "0479-5220000",  # 咨询
        "0479-5220001",  # 监督
        "0479-5220002",  # 投诉
        "正常时间",
        "周一至周五 08:30–17:30",
        "延时服务",
        "17:30–19:00",
        "周末服务",
        "周六 09:00–12:00",
        "1 号窗口",
        "综合受理",
        "2 号窗口",
        "帮办代办",
    ]:
        assert text in html, text
    # The township centre links its village station.
    assert reverse("portal:centre_detail", args=["S-A1"]) in html


def test_staff_board_shows_on_duty_staff_and_never_mobiles(client: Client, portal_world: Any) -> None:
    html = client.get(reverse("portal:centre_detail", args=["C-A"])).content.decode()
    board = html.split("工作人员公示")[1]
    assert "综窗甲" in board and "综窗乙岗" in board
    assert "综合受理岗" in board and "0479-5221001" in board
    assert "AB岗：综窗乙岗（综合受理B岗）" in board
    assert "综窗人员" in board  # role in Chinese
    assert "今日在岗 1 人" in html
    # Only the clerk with today's duty is marked; the partner's duty was yesterday.
    clerk_card = board.split("综窗甲")[1].split("</li>")[0]
    partner_card = board.split("<strong>综窗乙岗</strong>")[1].split("</li>")[0]
    assert "今日在岗" in clerk_card
    assert "今日在岗" not in partner_card
    # Placeholder initial when there is no photo.
    assert 'class="photo placeholder"' in board
    # Private data never appears.
    for mobile in ("13800000001", "13900000009", "13800000002"):
        assert mobile not in html
    assert "隐藏人员" not in html
    # Staff of another centre are not on this board.
    assert "综窗乙<" not in html


def test_board_uses_the_china_date(portal_world: Any, monkeypatch: Any) -> None:
    # 2026-03-01 20:00 UTC is already 2026-03-02 in Shanghai.
    instant = dt.datetime(2026, 3, 1, 20, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: instant)
    assert selectors.today() == dt.date(2026, 3, 2)
    partner = portal_world["partner"]
    Duty.objects.create(staff=partner, date=dt.date(2026, 3, 2), shift="am")
    board = selectors.centre_board(portal_world["centres"]["a"])
    on_duty = {e.name: e.on_duty_today for e in board}
    assert on_duty["综窗乙岗"] is True
    assert next(e for e in board if e.name == "综窗乙岗").duty_shifts == ["上午"]


def test_board_entries_carry_no_private_fields(portal_world: Any) -> None:
    entry = selectors.centre_board(portal_world["centres"]["a"])[0]
    assert not hasattr(entry, "mobile")
    assert "13800000001" not in repr(selectors.centre_board(portal_world["centres"]["a"]))


def test_photo_is_shown_when_present(client: Client, portal_world: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    clerk = portal_world["people"]["clerk"]
    gif = (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
        b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    )
    clerk.photo = SimpleUploadedFile("clerk.gif", gif, content_type="image/gif")
    clerk.save()
    html = client.get(reverse("portal:centre_detail", args=["C-A"])).content.decode()
    assert 'alt="综窗甲的照片"' in html and "/media/staff/" in html


def test_village_station_lists_agents_and_their_villages(client: Client, portal_world: Any) -> None:
    r = client.get(reverse("portal:centre_detail", args=["S-A1"]))
    assert r.status_code == 200
    html = r.content.decode()
    agents = html.split('id="sec-agents"')[1]
    assert "代办员甲一" in agents
    assert "服务：甲一嘎查、乙一嘎查" in agents
    assert "0479-5229999" in agents
    assert "13700000007" not in html
    assert "?proxy=1" in agents


def test_unknown_or_inactive_centre_is_404(client: Client, portal_world: Any) -> None:
    assert client.get(reverse("portal:centre_detail", args=["NOPE"])).status_code == 404
    station = portal_world["station"]
    station.is_active = False
    station.save()
    assert client.get(reverse("portal:centre_detail", args=["S-A1"])).status_code == 404
    assert "甲一嘎查便民服务站" not in client.get(reverse("portal:centre_list")).content.decode()
