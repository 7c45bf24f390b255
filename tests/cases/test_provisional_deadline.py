"""Issue 14, part 1: on 2026-12-07 with no 2027 arrangement, a 20-working-day case is accepted with a
provisional deadline; loading the 2027 notice recomputes it (timeline entry, notice to the applicant
when the date moves), once."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import Client

from onewindow.api.tokens import token_create
from onewindow.cases.models import Case, CaseEvent
from onewindow.notify.models import Notification
from onewindow.worktime.models import CalendarDay, CalendarYear
from tests.cases.conftest import ALL_MATERIALS, applicant
from tests.factories import make_item

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
NOTE = "暂按法定节假日计算，国务院公布安排后自动更新"

# Test data in the form of the State Council's notice: the real 2027 notice is not published yet.
NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知
国办发明电〔2026〕99号（测试数据）

一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历除夕、周五）至13日（农历正月初八、周六）放假调休，共9天。2月20日（周六）上班。
三、清明节：4月3日（周六）至5日（周一）放假，共3天。
四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。4月25日（周日）上班。
五、端午节：6月9日（周三）放假，共1天。
六、中秋节：9月15日（周三）放假，共1天。
七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。
"""


@pytest.fixture
def december_7(world: dict[str, Any]) -> Any:
    CalendarDay.objects.filter(date__year__gte=2027).delete()
    CalendarYear.objects.filter(year__gte=2027).delete()
    make_item("MZ-020", "特困人员救助供养申请", world["department"], world["domain"], promised_days=20)
    make_item("MZ-045", "联办测试事项", world["department"], world["domain"], promised_days=45, legal_days=45)
    with mock.patch("onewindow.cases.services.local_today", return_value=dt.date(2026, 12, 7)) as m:
        yield m


def bearer(username: str) -> dict[str, str]:
    _row, key = token_create(username=username)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def intake(client: Client, item: str, **kw: Any) -> Any:
    body = {
        "item": item,
        "channel": "window",
        "centre": "C-A",
        "applicant": applicant(),
        "materials": ALL_MATERIALS,
        "form": {"reason": "家庭困难"},
    }
    body.update(kw)
    return client.post("/api/v1/cases", body, content_type="application/json", **bearer("clerk"))


def load_notice_on_page(client: Client, login: Any, text: str) -> Any:
    c = login("admin")
    r = c.post("/manage/calendar/", {"text": text})
    assert r.status_code == 200, r.content.decode()[:2000]
    page = r.content.decode()
    r = c.post("/manage/calendar/confirm/", {"text": text, "year": ""})
    assert r.status_code == 302
    assert "已导入2027年" in c.get(r["Location"]).content.decode()
    c.logout()
    return page


def test_accepted_with_provisional_deadline_then_recomputed(
    client: Client, login: Any, december_7: Any
) -> None:
    r = intake(client, "MZ-020")
    assert r.status_code == 201, r.content
    assert r.json()["state"] == "accepted"
    assert r.json()["deadline"] == "2027-01-05" and r.json()["deadline_provisional"] is True
    short = Case.objects.get(number=r.json()["number"])
    r = intake(client, "MZ-045")
    long_ = Case.objects.get(number=r.json()["number"])
    # 42 working days to 02-04, then 02-05…02-08 off (除夕 to 初三), 02-09, 02-10, 02-11
    assert long_.deadline == D("2027-02-11") and long_.deadline_provisional
    # a case inside 2026 is not provisional
    r = intake(client, "MZ-001")
    assert r.json()["deadline"] == "2026-12-21" and r.json()["deadline_provisional"] is False

    # the API, the page and the receipt say it
    h = bearer("clerk")
    got = client.get(f"/api/v1/cases/{short.number}", **h).json()
    assert got["deadline"] == "2027-01-05" and got["deadline_provisional"] is True
    c = login("clerk")
    assert NOTE in c.get(f"/cases/{short.number}/").content.decode()
    from tests.cases.test_documents import pdf_text

    receipt = c.get(f"/cases/{short.number}/receipt.pdf")
    assert receipt.status_code == 200
    assert NOTE in pdf_text(receipt.content)
    sms_before = Notification.objects.filter(template="deadline_changed").count()

    # the administrator pastes the notice: the preview shows the differences, confirming loads it
    page = load_notice_on_page(client, login, NOTICE_2027)
    assert "2027-02-09" in page and "暂定上班 → 通知休息" in page
    assert 'data-date="2027-02-20"' in page

    short.refresh_from_db()
    long_.refresh_from_db()
    assert (short.deadline, short.deadline_provisional) == (D("2027-01-05"), False)
    # official: 02-05…02-13 off, so 02-15, 02-16, 02-17
    assert (long_.deadline, long_.deadline_provisional) == (D("2027-02-17"), False)
    ev = CaseEvent.objects.filter(case=long_, action="deadline_recomputed").get()
    assert ev.data == {"from": "2027-02-11", "to": "2027-02-17", "provisional": False}
    assert ev.state_from == ev.state_to == long_.state
    assert CaseEvent.objects.filter(case=short, action="deadline_recomputed").count() == 1
    sms = Notification.objects.filter(template="deadline_changed")
    assert sms.count() == sms_before + 1
    assert sms.get().case_number == long_.number and "2027-02-17" in sms.get().body
    got = client.get(f"/api/v1/cases/{long_.number}", **h).json()
    assert got["deadline"] == "2027-02-17" and got["deadline_provisional"] is False
    assert any(e["action"] == "deadline_recomputed" for e in got["timeline"])
    assert NOTE not in login("clerk").get(f"/cases/{long_.number}/").content.decode()
    client.logout()

    # loading it again records nothing and tells nobody again
    events = CaseEvent.objects.count()
    load_notice_on_page(client, login, NOTICE_2027)
    assert CaseEvent.objects.count() == events
    assert Notification.objects.filter(template="deadline_changed").count() == sms_before + 1


def test_cli_notice_load_recomputes(client: Client, december_7: Any, tmp_path: Path) -> None:
    number = intake(client, "MZ-045").json()["number"]
    f = tmp_path / "2027.txt"
    f.write_text(NOTICE_2027, encoding="utf-8")
    call_command("calendar", "load", "--notice", str(f), stdout=StringIO())
    case = Case.objects.get(number=number)
    assert (case.deadline, case.deadline_provisional) == (D("2027-02-17"), False)
    call_command("calendar", "load", "--notice", str(f), stdout=StringIO())
    assert CaseEvent.objects.filter(case=case, action="deadline_recomputed").count() == 1


def test_accepted_after_correction_gets_a_provisional_deadline(client: Client, december_7: Any) -> None:
    r = intake(
        client, "MZ-020", materials=[{"code": "M01", "provided": True}, {"code": "M02", "provided": False}]
    )
    assert r.json()["state"] == "correction_needed"
    number = r.json()["number"]
    r = client.post(
        f"/api/v1/cases/{number}/actions",
        {"action": "supplement", "materials": [{"code": "M02", "provided": True}]},
        content_type="application/json",
        **bearer("clerk"),
    )
    assert r.status_code == 200, r.content
    assert r.json()["deadline"] == "2027-01-05" and r.json()["deadline_provisional"] is True


def test_bad_notice_on_the_page_loads_nothing(login: Any, december_7: Any) -> None:
    c = login("admin")
    r = c.post(
        "/manage/calendar/", {"text": "关于2027年部分节假日安排的通知\n一、元旦：1月1日至3日放假，共4天。"}
    )
    assert r.status_code == 422 and "共4天" in r.content.decode()
    r = c.post("/manage/calendar/confirm/", {"text": "随便一段文字"})
    assert r.status_code == 422
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert login("supervisor").get("/manage/calendar/").status_code == 403


def test_banner_and_yearly_notice(login: Any, december_7: Any) -> None:
    from onewindow.worktime.tasks import warn_missing_next_year

    with mock.patch("onewindow.worktime.status.local_today", return_value=dt.date(2026, 9, 30)):
        assert "calendar-banner" not in login("supervisor").get("/cases/").content.decode()
        assert warn_missing_next_year() == 0
    with mock.patch("onewindow.worktime.status.local_today", return_value=dt.date(2026, 10, 1)):
        html = login("supervisor").get("/cases/").content.decode()
        assert "calendar-banner" in html and "2027年节假日安排尚未导入" in html
        html = login("admin").get("/manage/calendar/").content.decode()
        assert re.search(r'id="calendar-banner".*?href="/manage/calendar/"', html, re.S)
        assert "calendar-banner" not in login("clerk").get("/cases/").content.decode()
        assert warn_missing_next_year() == 2  # supervisor and admin, once
        assert warn_missing_next_year() == 0
        notes = Notification.objects.filter(template="calendar_missing", channel="inbox")
        assert {n.user.username for n in notes} == {"supervisor", "admin"}
        CalendarYear.objects.create(year=2027, source="测试")
        assert "calendar-banner" not in login("supervisor").get("/cases/").content.decode()
