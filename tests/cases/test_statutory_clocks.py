"""The statutory clocks (issue 14, part 3; 《行政许可法》第三十二条、第四十二条), over HTTP:
the 5-working-day notice rule with deemed acceptance in the periodic scan, acceptance after correction
counted from the last material's arrival, and extensions capped by the item's rule with a named
approver; the receipt, notices and result print the dates these rules produced."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from onewindow.api.tokens import token_create
from onewindow.cases import documents
from onewindow.cases import services as case_services
from onewindow.cases.models import Case, CaseEvent, CaseReminder, State
from onewindow.cases.tasks import scan_warnings
from onewindow.org.actors import actor_of
from onewindow.worktime.calendar import deadline
from tests.cases.conftest import ALL_MATERIALS, applicant
from tests.factories import make_item, make_staff

TZ = dt.timezone(dt.timedelta(hours=8))
D = dt.date.fromisoformat


@contextmanager
def clock(day: str, hour: int = 10) -> Iterator[None]:
    """Freeze the server's time (``timezone.now``: receipt times, events and every local 'today')."""
    moment = dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00").replace(tzinfo=TZ)
    with mock.patch("django.utils.timezone.now", return_value=moment.astimezone(dt.UTC)):
        yield


def bearer(username: str) -> dict[str, str]:
    _row, key = token_create(username=username)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def api_submit(
    client: Client, *, channel: str = "online", materials: Any = None, item: str = "MZ-001"
) -> str:
    body = {
        "item": item,
        "channel": channel,
        "centre": "C-A",
        "applicant": applicant(),
        "materials": ALL_MATERIALS if materials is None else materials,
        "form": {"reason": "家庭困难"},
    }
    r = client.post("/api/v1/cases", body, content_type="application/json", **bearer("clerk"))
    assert r.status_code == 201, r.content
    return str(r.json()["number"])


def api_act(client: Client, user: str, number: str, **payload: Any) -> Any:
    return client.post(
        f"/api/v1/cases/{number}/actions", payload, content_type="application/json", **bearer(user)
    )


def api_get(client: Client, number: str, user: str = "clerk") -> Any:
    r = client.get(f"/api/v1/cases/{number}", **bearer(user))
    assert r.status_code == 200, r.content
    return r.json()


def pdf_text(data: bytes) -> str:
    from tests.cases.test_documents import pdf_text as extract

    return extract(data)


# ------------------------------------------------------------------ art. 32: five days to notify


def test_five_day_rule_warns_on_day_three_and_deems_acceptance(
    world: Any, client: Client, login: Any
) -> None:
    with clock("2026-09-21"):  # Monday: received online
        number = api_submit(client)
    # working days after 09-21: 22, 23, 24 (3rd: warn), [25 中秋节, weekend], 28, 29 (5th: last day)
    with clock("2026-09-23"):
        scan_warnings()
    assert Case.objects.get(number=number).warning == "none"
    with clock("2026-09-24"):
        scan_warnings()
        r = client.get("/api/v1/cases?warning=yellow", **bearer("supervisor"))
    assert [c["number"] for c in r.json()["items"]] == [number]
    assert CaseReminder.objects.filter(case__number=number, kind="yellow", state="submitted").count() == 1
    with clock("2026-09-29"):
        scan_warnings()
    assert Case.objects.get(number=number).state == State.SUBMITTED  # the 5th day is still in time
    with clock("2026-09-30"):
        result = scan_warnings()
        again = scan_warnings()  # idempotent
    assert result["deemed_accepted"] == 1 and again["deemed_accepted"] == 0
    with clock("2026-09-30"):
        data = api_get(client, number)
    assert data["state"] == "accepted" and data["deemed_accepted"] is True
    assert data["accept_date"] == "2026-09-21"  # as of the day of receipt
    assert data["deadline"] == deadline(D("2026-09-21"), 10).isoformat() == "2026-10-12"
    deemed = [e for e in data["timeline"] if e["action"] == "deemed_accept"]
    assert len(deemed) == 1 and deemed[0]["note"] == "逾期未告知，依法自收到材料之日起受理"
    assert deemed[0]["accept_date"] == "2026-09-21"
    assert CaseEvent.objects.filter(case__number=number, action="deemed_accept").count() == 1

    # red on the supervisor board; the receipt prints the dates
    with clock("2026-09-30"):
        page = login("supervisor").get("/cases/warnings/").content.decode()
    board = page.split('id="notice-board"')[1].split("</table>")[0]
    assert number in board and "红牌 逾期未告知视为受理" in board and "2026-09-29" in board
    text = pdf_text(documents.case_document_pdf(Case.objects.get(number=number), "receipt"))
    assert "逾期未告知" in text and "2026年9月21日" in text and "2026年10月12日前" in text


def test_window_check_after_the_period_cannot_ask_for_correction_and_counts_from_receipt(
    world: Any, client: Client
) -> None:
    missing = [{"code": "M01", "provided": True}, {"code": "M02", "provided": False}]
    with clock("2026-09-21"):
        number = api_submit(client, channel="proxy", materials=missing)
    with clock("2026-09-30"):  # the scan has not run yet: the window's check is still too late
        r = api_act(client, "clerk", number, action="request_correction")
        assert r.status_code == 409 and r.json()["error"]["code"] == "notice_period_passed"
        r = api_act(client, "clerk", number, action="accept", materials=ALL_MATERIALS)
    assert r.status_code == 200, r.content
    assert r.json()["accept_date"] == "2026-09-21" and r.json()["deemed_accepted"] is True
    assert r.json()["deadline"] == "2026-10-12"


def test_a_notice_in_time_stops_the_clock(world: Any, client: Client) -> None:
    missing = [{"code": "M01", "provided": True}, {"code": "M02", "provided": False}]
    with clock("2026-09-21"):
        number = api_submit(client, materials=missing)
    with clock("2026-09-29"):  # the 5th working day: still in time
        assert api_act(client, "clerk", number, action="request_correction").status_code == 200
    with clock("2026-10-20"):
        scan_warnings()
    case = Case.objects.get(number=number)
    assert case.state == State.CORRECTION_NEEDED and not case.deemed_accepted
    text = pdf_text(documents.case_document_pdf(case, "correction_notice"))
    assert "2026年9月21日" in text and "2026年9月29日前" in text  # received, and the last day to notify


# ------------------------------------------------------------------ acceptance after correction


def _resident_account(case: Case) -> Any:
    from onewindow.portal.models import ResidentAccount

    u = get_user_model().objects.create(username="resident-bt")
    ResidentAccount.objects.create(user=u, phone="13912345678", phone_index="idx-bt", resident=case.applicant)
    return u


def test_acceptance_after_online_correction_counts_from_the_last_material(world: Any, client: Client) -> None:
    missing = [{"code": "M01", "provided": False}, {"code": "M02", "provided": False}]
    with clock("2026-09-22"):
        number = api_submit(client, materials=missing)
    with clock("2026-09-23"):
        assert api_act(client, "clerk", number, action="request_correction").status_code == 200
    case = Case.objects.get(number=number)
    resident = _resident_account(case)
    with clock("2026-09-24"):
        case_services.case_resident_supplement(
            actor=actor_of(resident), number=number, materials=[{"code": "M01", "provided": True}]
        )
    with clock("2026-09-30"):  # the last missing material arrives online
        case_services.case_resident_supplement(
            actor=actor_of(resident), number=number, materials=[{"code": "M02", "provided": True}]
        )
    with clock("2026-10-09"):  # the clerk records it after the holiday
        r = api_act(client, "clerk", number, action="supplement", materials=ALL_MATERIALS)
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["state"] == "accepted" and data["accept_date"] == "2026-09-30"
    assert data["deadline"] == deadline(D("2026-09-30"), 10).isoformat() == "2026-10-20"
    assert data["timeline"][-1]["accept_date"] == "2026-09-30"
    text = pdf_text(documents.case_document_pdf(Case.objects.get(number=number), "receipt"))
    assert "2026年9月30日" in text and "最后一份补正材料收到之日" in text and "2026年10月20日前" in text


def test_acceptance_after_correction_at_the_window_is_the_day_it_is_handed_in(
    world: Any, client: Client
) -> None:
    missing = [{"code": "M01", "provided": True}, {"code": "M02", "provided": False}]
    with clock("2026-09-22"):
        number = api_submit(client, channel="window", materials=missing)
    with clock("2026-10-12"):
        r = api_act(
            client, "clerk", number, action="supplement", materials=[{"code": "M02", "provided": True}]
        )
    assert r.json()["accept_date"] == "2026-10-12"


# ------------------------------------------------------------------ art. 42: extensions


@pytest.fixture
def heads(world: Any) -> dict[str, Any]:
    from onewindow.org.models import Department

    other = Department.objects.create(
        code="D-RS", name="测试旗人社局", short_name="人社", jurisdiction=world["county"]
    )
    return {
        "mzhead": make_staff(
            "mzhead", "民政局长", world["county"], ["dept_head"], department=world["department"], post="局长"
        ),
        "rshead": make_staff("rshead", "人社局长", world["county"], ["dept_head"], department=other),
        "countyhead": make_staff(
            "countyhead", "中心主任", world["county"], ["centre_head"], centre=world["centres"]["county"]
        ),
    }


def test_general_extension_is_up_to_ten_days_with_the_department_head(
    world: Any, heads: Any, client: Client, login: Any
) -> None:
    with clock("2026-09-29"):
        number = api_submit(client, channel="window")
        # the centre head records it but is not the deciding body's head: an approver must be named
        r = api_act(client, "countyhead", number, action="extend", days=5, reason="需实地核查")
        assert r.status_code == 422 and r.json()["error"]["code"] == "approver_required"
        assert r.json()["error"]["details"]["approver"] == ["mzhead"]
        r = api_act(
            client, "countyhead", number, action="extend", days=5, reason="需实地核查", approver="rshead"
        )
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_approver"
        r = api_act(
            client, "countyhead", number, action="extend", days=11, reason="需实地核查", approver="mzhead"
        )
        assert r.status_code == 422 and r.json()["error"]["code"] == "extension_too_long"
        # another department's head may not extend it at all
        assert api_act(client, "rshead", number, action="extend", days=1, reason="x").status_code == 403
        page = login("countyhead").get(f"/cases/{number}/").content.decode()
        assert 'name="approver"' in page and "民政局长（局长）" in page and "合计不超过10日" in page
        # the deciding department's head extends it: approver is themselves
        r = api_act(client, "mzhead", number, action="extend", days=10, reason="需实地核查")
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["extended_days"] == 10 and data["deadline"] == "2026-11-02"
    assert data["timeline"][-1]["action"] == "extend" and data["timeline"][-1]["approver"] == "民政局长"
    with clock("2026-09-30"):
        r = api_act(client, "countyhead", number, action="extend", days=1, reason="再延", approver="mzhead")
    assert r.status_code == 422 and r.json()["error"]["code"] == "extension_too_long"
    text = pdf_text(documents.case_document_pdf(Case.objects.get(number=number), "extension_notice"))
    assert "民政局长" in text and "本行政机关负责人" in text and "可以延长十日" in text


def test_joint_item_extension_is_up_to_fifteen_days(world: Any, heads: Any, client: Client) -> None:
    make_item(
        "MZ-009",
        "联合办理事项",
        world["department"],
        world["domain"],
        type="joint",
        legal_days=45,
        promised_days=30,
        extension_rule="joint",
    )
    r = client.get("/api/v1/items/MZ-009")
    assert r.json()["extension_rule"] == "joint" and r.json()["extension_limit"] == 15
    assert client.get("/api/v1/items/MZ-001").json()["extension_limit"] == 10
    with clock("2026-09-29"):
        number = api_submit(client, channel="window", item="MZ-009")
        r = api_act(client, "countyhead", number, action="extend", days=16, reason="多部门会商")
        assert r.status_code == 422 and r.json()["error"]["code"] == "extension_too_long"
        # 本级人民政府负责人: the county centre's head may approve a 联办件 extension
        r = api_act(client, "countyhead", number, action="extend", days=15, reason="多部门会商")
    assert r.status_code == 200, r.content
    case = Case.objects.get(number=number)
    assert case.extended_days == 15
    assert case.deadline == deadline(case.accept_date, 30 + 15)  # type: ignore[arg-type]
    assert r.json()["timeline"][-1]["approver"] == "中心主任"
    text = pdf_text(documents.case_document_pdf(case, "extension_notice"))
    assert "本级人民政府负责人" in text and "可以延长十五日" in text
    result_ok = api_act(client, "reviewer", number, action="approve")
    assert result_ok.status_code == 200
    text = pdf_text(documents.case_document_pdf(Case.objects.get(number=number), "result"))
    assert "延期15个工作日" in text
