"""Pages: 一事一评 by number+check, window pad, rectification list, complaints, notices, disclosure."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from onewindow.feedback import services
from onewindow.feedback.models import Complaint, Notice, Rating, Rectification
from tests.factories import make_staff
from tests.feedback.conftest import delivered_case

pytestmark = pytest.mark.django_db
CHECK = "002X"


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


def test_rate_page_by_number_and_check(world: Any, today: Any) -> None:
    case = delivered_case()
    c = Client()
    assert c.get("/feedback/rate/").status_code == 200
    r = c.get(f"/feedback/rate/?number={case.number}&check=0000")
    assert r.status_code == 404 and "未找到该办件" in r.content.decode()
    r = c.get(f"/feedback/rate/?number={case.number}&check={CHECK}")
    assert r.status_code == 200 and "非常满意" in r.content.decode() and "办件编号" in r.content.decode()
    r = c.post("/feedback/rate/", {"number": case.number, "check": CHECK, "level": "9"})
    assert r.status_code == 422 and not Rating.objects.exists()
    r = c.post(
        "/feedback/rate/",
        {"number": case.number, "check": CHECK, "level": "1", "ind-efficiency": "1", "comment": "太慢"},
    )
    assert r.status_code == 200 and "评价成功" in r.content.decode()
    rating = Rating.objects.get()
    assert rating.level == 1 and rating.indicators == {"efficiency": 1} and rating.real_name
    r = c.post("/feedback/rate/", {"number": case.number, "check": CHECK, "level": "5"})
    assert r.status_code == 409 and Rating.objects.count() == 1
    # the SMS invitation's link rates on the sms channel (one rating per channel)
    r = c.post("/feedback/rate/", {"number": case.number, "check": CHECK, "level": "5", "channel": "sms"})
    assert r.status_code == 200 and Rating.objects.get(channel="sms").level == 5


def test_rectification_pages_for_the_centre_head(world: Any, today: Any, head: Any, login: Any) -> None:
    case = delivered_case()
    services.rating_submit(number=case.number, check=CHECK, level=2, comment="态度差")
    rect = Rectification.objects.get()
    c = login("head_a")
    page = c.get("/feedback/rectifications/").content.decode()
    assert case.number in page and "不满意" in page
    url = f"/feedback/rectifications/{rect.pk}/"
    assert "回访核实" in c.get(url).content.decode()
    c.post(url, {"action": "callback", "note": "已电话回访"})
    c.post(url, {"action": "rectified", "note": "加强培训", "public_note": "已组织窗口人员培训"})
    rect.refresh_from_db()
    assert rect.state == "closed" and rect.outcome == "rectified"
    # the rater can now score the fix on the rating page
    anon = Client()
    page = anon.get(f"/feedback/rate/?number={case.number}&check={CHECK}").content.decode()
    assert "请评价整改结果" in page
    anon.post("/feedback/rate/", {"number": case.number, "check": CHECK, "fix_level": "4"})
    rect.refresh_from_db()
    assert rect.fix_level == 4
    # the outsider gets a 404, anonymous the login page
    out = Client()
    out.force_login(head.user.__class__.objects.get(username="outsider"))
    assert out.get(url).status_code == 404
    assert Client().get("/feedback/rectifications/").status_code == 302
    # published, anonymised
    pub = Client().get("/feedback/results/").content.decode()
    assert "已组织窗口人员培训" in pub and "态度差" not in pub and case.number not in pub


def test_complaint_pages(world: Any, head: Any, login: Any) -> None:
    anon = Client()
    r = anon.post("/feedback/complaints/new/", {"category": "complaint", "content": " ", "centre": "C-A"})
    assert r.status_code == 422 and "请填写内容" in r.content.decode() and not Complaint.objects.exists()
    r = anon.post(
        "/feedback/complaints/new/", {"category": "complaint", "content": "排队太久", "centre": "C-A"}
    )
    c = Complaint.objects.get()
    assert c.number in r.content.decode() and c.check_code in r.content.decode() and c.source == "online"
    page = anon.get(f"/feedback/complaints/follow/?number={c.number}&check={c.check_code}").content.decode()
    assert "收集" in page and "排队太久" not in page
    assert anon.get(f"/feedback/complaints/follow/?number={c.number}&check=1").status_code == 404

    s = login("head_a")
    assert c.number in s.get("/feedback/complaints/").content.decode()
    url = f"/feedback/complaints/{c.number}/"
    s.post(url, {"action": "report"})
    s.post(url, {"action": "assign", "to": "clerk"})
    s.post(url, {"action": "start"})
    s.post(url, {"action": "answer", "note": "已增开窗口"})
    s.post(url, {"action": "close", "public_summary": "反映排队时间长，已增开窗口"})
    c.refresh_from_db()
    assert c.state == "closed"
    assert "已增开窗口" in anon.get("/feedback/results/").content.decode()

    # a clerk records a phone complaint on the same page
    clerk = Client()
    from django.contrib.auth import get_user_model

    clerk.force_login(get_user_model().objects.get(username="clerk"))
    clerk.post("/feedback/complaints/new/", {"category": "opinion", "content": "路灯坏了", "source": "phone"})
    assert Complaint.objects.get(content="路灯坏了").source == "phone"


def test_notice_board_and_disclosure_page(world: Any, today: Any, head: Any, login: Any) -> None:
    make_staff("agent2", "代办员二", world["va"], ["agent"], public_phone="0479-1234567")
    make_staff("agent_b", "乙代办员", world["vb"], ["agent"])
    case = delivered_case()
    services.rating_submit(number=case.number, check=CHECK, level=5)
    c = login("head_a")
    r = c.post(
        "/feedback/notices/",
        {
            "centre": "C-A",
            "kind": "finance",
            "title": "2026年第三季度财务公开",
            "body": "收支明细见附件",
            "attachments": SimpleUploadedFile("q3.png", png(), content_type="image/png"),
        },
    )
    assert r.status_code == 302
    n = Notice.objects.get()
    f = n.attachments.get()
    # a clerk may not post
    clerk = Client()
    from django.contrib.auth import get_user_model

    clerk.force_login(get_user_model().objects.get(username="clerk"))
    assert (
        clerk.post("/feedback/notices/", {"centre": "C-A", "kind": "party", "title": "x"}).status_code == 403
    )

    page = Client().get("/feedback/centres/C-A/").content.decode()
    assert "2026年第三季度财务公开" in page and "财务公开" in page
    assert "代办员二" in page and "0479-1234567" in page and "甲一嘎查" in page
    assert "乙代办员" not in page  # another township's agent
    assert "100%" in page and "监督电话" in page
    assert "/guide/" in page and "/centres/C-A/" in page
    att = Client().get(f"/feedback/notices/{n.pk}/files/{f.pk}/")
    assert att.status_code == 200 and att["Content-Type"].startswith("image/")  # normalised by files
    c.post(f"/feedback/notices/{n.pk}/withdraw/")
    assert Client().get(f"/feedback/notices/{n.pk}/files/{f.pk}/").status_code == 404
    assert "2026年第三季度财务公开" not in Client().get("/feedback/centres/C-A/").content.decode()
    assert Client().get("/feedback/centres/NOPE/").status_code == 404
