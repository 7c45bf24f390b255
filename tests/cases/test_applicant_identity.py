"""A resident's identity belongs to the resident.

Each case keeps its own applicant snapshot; an intake never rewrites the shared resident record; a
case's applicant changes only by a recorded correction by staff who handle the case; the record's
contact changes only by explicit updates (the resident after SMS verification of the new phone, or
staff of the resident's jurisdiction with a reason, audited); real-name binding trusts only a phone
the resident verified. Everything over HTTP (Django test client), on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from onewindow.cases.models import Case
from onewindow.notify.models import Notification
from onewindow.org.models import Resident
from tests.cases.conftest import GOOD_ID, act, intake, user
from tests.conftest import otp_verify_session

VICTIM_NAME, VICTIM_PHONE, VICTIM_ADDRESS = "巴特尔", "13912345678", "甲镇一嘎查3组"
ATTACKER_NAME, ATTACKER_PHONE = "孟和", "13700009876"
MATERIALS = [{"code": "M01", "provided": True}, {"code": "M02", "provided": True}]
NEW_ID = "150102198001010014"  # a person nobody has seen yet


def staff_client(username: str) -> Client:
    c = Client()
    u = user(username)
    c.force_login(u)
    otp_verify_session(c, u)
    return c


def api_intake(
    c: Client, centre: str, *, id_number: str = GOOD_ID, name: str, phone: str, address: str = ""
) -> Any:
    return c.post(
        "/api/v1/cases",
        {
            "item": "MZ-001",
            "centre": centre,
            "applicant": {
                "kind": "person",
                "name": name,
                "id_number": id_number,
                "phone": phone,
                "address": address,
            },
            "materials": MATERIALS,
            "form": {"reason": "家庭困难"},
        },
        content_type="application/json",
    )


def last_code(phone: str) -> str:
    for n in Notification.objects.filter(template="otp", channel="sms").order_by("-pk"):
        if n.recipient == phone:
            m = re.search(r"验证码为 (\d{6})", n.body)
            assert m
            return m.group(1)
    raise AssertionError(f"no code sent to {phone}")


def portal_sign_up(phone: str) -> Client:
    from django.core.cache import cache

    cache.clear()  # the per-address code limit is not what is tested here
    c = Client()
    assert c.post("/api/v1/portal/otp", {"phone": phone}, content_type="application/json").status_code == 200
    r = c.post(
        "/api/v1/portal/login", {"phone": phone, "code": last_code(phone)}, content_type="application/json"
    )
    assert r.status_code == 200, r.content
    return c


def open311_post(token: str, *, name: str, phone: str, id_number: str = GOOD_ID) -> Any:
    from urllib.parse import urlencode

    body = urlencode(
        {
            "api_key": token,
            "service_code": "MZ-001",
            "jurisdiction_id": "C-B",
            "name": name,
            "phone": phone,
            "attribute[id_number]": id_number,
            "attribute[M01]": "true",
            "attribute[M02]": "true",
            "description": "家庭困难",
        }
    )
    return Client().post("/open311/v2/requests.json", body, content_type="application/x-www-form-urlencoded")


def test_foreign_intake_then_sign_up_with_attackers_phone_fails_at_every_step(world: Any) -> None:
    from onewindow.api.tokens import token_create

    clerk, outsider = staff_client("clerk"), staff_client("outsider")
    # 1. The victim's earlier case at their own township (C-A).
    r = api_intake(clerk, "C-A", name=VICTIM_NAME, phone=VICTIM_PHONE, address=VICTIM_ADDRESS)
    assert r.status_code == 201, r.content
    earlier = r.json()["number"]
    assert r.json()["applicant_differs"] == []
    resident = Resident.objects.get()

    # 2. A clerk of ANOTHER township takes in an application with the victim's ID number, his own name
    #    and phone: over the API and over Open311 with his writing token.
    r = api_intake(outsider, "C-B", name=ATTACKER_NAME, phone=ATTACKER_PHONE, address="乙苏木")
    assert r.status_code == 201, r.content
    assert sorted(r.json()["applicant_differs"]) == ["address", "name", "phone"]  # shown, not written
    foreign = r.json()["number"]
    r = open311_post(token_create(username="outsider")[1], name=ATTACKER_NAME, phone=ATTACKER_PHONE)
    assert r.status_code == 201, r.content

    # The master record is unchanged ...
    resident.refresh_from_db()
    assert (resident.name, resident.phone, resident.address) == (VICTIM_NAME, VICTIM_PHONE, VICTIM_ADDRESS)
    assert resident.phone_verified_at is None
    # ... the earlier case still shows the original applicant (page and API) ...
    got = clerk.get(f"/api/v1/cases/{earlier}").json()["applicant"]
    assert (got["name"], got["phone"], got["address"]) == (VICTIM_NAME, VICTIM_PHONE, VICTIM_ADDRESS)
    assert got["differs"] == [] and got["masked"] is False
    page = clerk.get(f"/cases/{earlier}/").content.decode()
    assert VICTIM_PHONE in page and ATTACKER_PHONE not in page and ATTACKER_NAME not in page
    # ... and the foreign case keeps what was typed there, marked 与档案不一致 for its clerk.
    got = outsider.get(f"/api/v1/cases/{foreign}").json()["applicant"]
    assert (got["name"], got["phone"]) == (ATTACKER_NAME, ATTACKER_PHONE)
    assert sorted(got["differs"]) == ["address", "name", "phone"]
    assert "与档案不一致" in outsider.get(f"/cases/{foreign}/").content.decode()
    # The foreign clerk still cannot open the victim's earlier case.
    assert outsider.get(f"/api/v1/cases/{earlier}").status_code == 404

    # 3. The progress check of the earlier case is the victim's, not the attacker's phone digits.
    anon = Client()
    assert anon.get("/api/v1/progress", {"number": earlier, "check": ATTACKER_PHONE[-4:]}).status_code == 404
    assert anon.get("/api/v1/progress", {"number": earlier, "check": VICTIM_PHONE[-4:]}).status_code == 200

    # 4. Notices of the earlier case go to the victim's phone.
    case = Case.objects.get(number=earlier)
    act("reviewer", case, "approve")
    act("clerk", case, "ready")
    act("clerk", case, "deliver", to="window", signed_by=VICTIM_NAME)
    sms = Notification.objects.filter(case_number=earlier, channel="sms")
    assert sms.exists() and {n.recipient for n in sms} == {VICTIM_PHONE}
    # ... and rating it needs the victim's check, not the attacker's.
    r = anon.post(
        f"/api/v1/cases/{earlier}/rating",
        {"level": 1, "check": ATTACKER_PHONE[-4:]},
        content_type="application/json",
    )
    assert r.status_code == 404

    # 5. The attacker signs up on the portal with his own phone and claims the victim's identity.
    portal = portal_sign_up(ATTACKER_PHONE)
    for name in (VICTIM_NAME, ATTACKER_NAME):
        r = portal.post(
            "/api/v1/my/realname",
            {"name": name, "id_number": GOOD_ID, "jurisdiction": "152522100201"},
            content_type="application/json",
        )
        assert r.status_code == 403 and r.json()["error"]["code"] == "real_name_mismatch", r.content
    r = portal.get("/api/v1/my/cases")
    assert r.status_code == 200 and r.json()["count"] == 0  # not bound: no cases
    assert portal.get(f"/api/v1/my/cases/{earlier}").status_code in (403, 404)
    # The portal's Open311 view of "own" requests shows nothing of the victim either.
    assert earlier not in portal.get("/open311/v2/requests.json").content.decode()


def test_a_new_person_first_taken_in_by_a_foreign_clerk_cannot_be_claimed_with_his_phone(world: Any) -> None:
    """A phone typed by staff at the FIRST intake of a person is not trusted for binding either."""
    outsider = staff_client("outsider")
    r = api_intake(outsider, "C-B", id_number=NEW_ID, name="乌日娜", phone=ATTACKER_PHONE)
    assert r.status_code == 201
    portal = portal_sign_up(ATTACKER_PHONE)
    r = portal.post(
        "/api/v1/my/realname",
        {"name": "乌日娜", "id_number": NEW_ID, "jurisdiction": "152522200201"},
        content_type="application/json",
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "real_name_mismatch"


def test_resident_changes_own_phone_only_with_a_code_sent_to_the_new_phone(world: Any) -> None:
    from onewindow.core.errors import DomainError
    from onewindow.portal import services

    portal = portal_sign_up(VICTIM_PHONE)
    r = portal.post(
        "/api/v1/my/realname",
        {"name": VICTIM_NAME, "id_number": GOOD_ID, "jurisdiction": "152522100201"},
        content_type="application/json",
    )
    assert r.status_code == 200
    resident = Resident.objects.get()
    assert resident.phone == VICTIM_PHONE and resident.phone_verified_at is not None  # proved by the code
    earlier = intake(
        applicant={"kind": "person", "name": VICTIM_NAME, "id_number": GOOD_ID, "phone": VICTIM_PHONE}
    )
    account = resident.portal_account
    new_phone = "13600001234"
    # the page: a code goes to the NEW phone
    r = portal.post("/my/contact/", {"action": "send", "phone": new_phone})
    assert r.status_code == 200 and "验证码" in r.content.decode()
    r = portal.post("/my/contact/", {"action": "change", "phone": new_phone, "code": "000000"})
    assert r.status_code == 422
    # a code sent to the OLD phone does not prove the new one
    with pytest.raises(DomainError):
        services.resident_contact_change(account=account, phone=new_phone, code=last_code(VICTIM_PHONE))
    r = portal.post(
        "/api/v1/my/contact",
        {"phone": new_phone, "code": last_code(new_phone), "address": "新址"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["phone_verified"] is True, r.content
    resident.refresh_from_db()
    assert resident.phone == new_phone and resident.address == "新址" and resident.phone_verified_at
    account.refresh_from_db()
    assert account.phone == new_phone
    earlier.refresh_from_db()
    assert earlier.applicant_phone == VICTIM_PHONE  # the case keeps what was given at its intake


def test_applicant_correction_by_case_handlers_only_with_reason_on_the_timeline(world: Any) -> None:
    clerk = staff_client("clerk")
    first = intake()
    second = intake()
    url = f"/cases/{first.number}/applicant/"
    # no reason: refused with a message, nothing changed
    r = clerk.post(url, {"name": "巴特尔", "phone": "13912340000", "reason": ""})
    assert r.status_code == 422 and "请写明更正理由" in r.content.decode()
    first.refresh_from_db()
    assert first.applicant_phone == VICTIM_PHONE
    # bad phone: a clear message
    r = clerk.post(url, {"phone": "123", "reason": "核对身份证"})
    assert r.status_code == 422
    # outside the jurisdiction: 404; a supervisor who does not handle the case: 403 (page and API)
    assert staff_client("outsider").post(url, {"phone": "13912340000", "reason": "x"}).status_code == 404
    sup = staff_client("supervisor")
    assert sup.post(url, {"phone": "13912340000", "reason": "x"}).status_code == 403
    r = sup.post(
        f"/api/v1/cases/{first.number}/applicant-correction",
        {"phone": "13912340000", "reason": "x"},
        content_type="application/json",
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_case_handler"
    # the handling clerk corrects it, with a reason
    r = clerk.post(
        url, {"name": "巴特尔", "phone": "13912340000", "address": VICTIM_ADDRESS, "reason": "电话记错"}
    )
    assert r.status_code == 302
    first.refresh_from_db()
    assert first.applicant_phone == "13912340000"
    ev = first.events.order_by("-seq").first()
    assert ev is not None and ev.action == "applicant_correction" and ev.note == "电话记错"
    assert ev.data["fields"] == ["phone"] and "13912340000" not in str(ev.data)  # masked on the timeline
    assert ev.state_from == ev.state_to == first.state
    assert "更正申请人信息" in clerk.get(f"/cases/{first.number}/").content.decode()
    # the record and the other case are untouched; the timeline chain still verifies
    assert Resident.objects.get().phone == VICTIM_PHONE
    second.refresh_from_db()
    assert second.applicant_phone == VICTIM_PHONE
    from onewindow.cases.selectors import chain_verify

    assert chain_verify(first) == []
    # over the API, by the department's reviewer (handles the case: its queue)
    r = staff_client("reviewer").post(
        f"/api/v1/cases/{first.number}/applicant-correction",
        {"address": "甲镇二嘎查", "reason": "群众更正地址"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["applicant"]["address"] == "甲镇二嘎查"
    r = clerk.post(
        f"/api/v1/cases/{first.number}/applicant-correction",
        {"address": "甲镇二嘎查", "reason": "同上"},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "nothing_changed"


def test_staff_update_of_resident_contact_own_jurisdiction_reason_audited(world: Any) -> None:
    from onewindow.security.models import AuditEntry

    case = intake()
    resident = Resident.objects.get()
    url = f"/manage/org/residents/{resident.pk}/contact/"
    clerk = staff_client("clerk")
    assert clerk.get(url).status_code == 200
    r = clerk.post(url, {"phone": "13811112222", "reason": ""})
    assert r.status_code == 422 and "请写明更新理由" in r.content.decode()
    # staff of another township: the resident is not found
    assert staff_client("outsider").post(url, {"phone": "13811112222", "reason": "x"}).status_code == 404
    r = staff_client("outsider").post(
        f"/api/v1/residents/{resident.pk}/contact",
        {"phone": "13811112222", "reason": "x"},
        content_type="application/json",
    )
    assert r.status_code == 404
    resident.refresh_from_db()
    assert resident.phone == VICTIM_PHONE
    r = clerk.post(url, {"phone": "13811112222", "reason": "本人来电更换号码"})
    assert r.status_code == 302
    resident.refresh_from_db()
    assert resident.phone == "13811112222" and resident.phone_verified_at is None  # staff-typed: unverified
    entry = AuditEntry.objects.filter(
        action="org.resident_contact_update", obj=f"resident:{resident.pk}"
    ).get()
    assert entry.details["reason"] == "本人来电更换号码" and "13811112222" not in str(entry.details)
    case.refresh_from_db()
    assert case.applicant_phone == VICTIM_PHONE  # the case keeps its own applicant
    r = clerk.post(
        f"/api/v1/residents/{resident.pk}/contact",
        {"address": "甲镇新址", "reason": "搬家"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["phone_verified"] is False


def test_data_migration_fills_the_snapshot_from_the_resident_record(world: Any) -> None:
    import importlib

    from django.apps import apps

    case = intake()
    Case.objects.filter(pk=case.pk).update(applicant_name="", applicant_id_number="", applicant_phone="")
    fill = importlib.import_module("onewindow.cases.migrations.0008_fill_applicant_snapshot").fill
    fill(apps, None)
    case.refresh_from_db()
    assert (case.applicant_name, case.applicant_id_number, case.applicant_phone) == (
        VICTIM_NAME,
        GOOD_ID,
        VICTIM_PHONE,
    )
    # stored encrypted
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT applicant_id_number, applicant_phone FROM cases_case WHERE id = %s", [case.pk])
        raw = cur.fetchone()
    assert GOOD_ID not in raw[0] and VICTIM_PHONE not in raw[1]


def test_a_window_verifies_the_person_and_binds_their_portal_account(world: Any) -> None:
    """The way for a record whose phone was only typed by staff: the person at a window, a code to
    their portal phone read out to the clerk of their jurisdiction; audited."""
    from onewindow.security.models import AuditEntry

    earlier = intake()  # window record: staff-typed phone, not verified
    resident = Resident.objects.get()
    portal = portal_sign_up(VICTIM_PHONE)
    r = portal.post(
        "/api/v1/my/realname",
        {"name": VICTIM_NAME, "id_number": GOOD_ID, "jurisdiction": "152522100201"},
        content_type="application/json",
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "real_name_mismatch"
    url = f"/staff/residents/{resident.pk}/bind/"
    # staff of another township: not found
    assert staff_client("outsider").post(url, {"action": "send", "phone": VICTIM_PHONE}).status_code == 404
    clerk = staff_client("clerk")
    assert clerk.get(url).status_code == 200
    from django.core.cache import cache

    cache.clear()
    Notification.objects.filter(template="otp").delete()
    from onewindow.portal.models import OtpChallenge

    OtpChallenge.objects.update(sent_at=None)  # past the resend interval
    r = clerk.post(url, {"action": "send", "phone": VICTIM_PHONE, "reason": "本人持身份证到窗口"})
    assert r.status_code == 200 and "已发送到" in r.content.decode()
    r = clerk.post(
        url, {"action": "bind", "phone": VICTIM_PHONE, "code": "000000", "reason": "本人持身份证到窗口"}
    )
    assert r.status_code == 422
    code = last_code(VICTIM_PHONE)
    r = clerk.post(url, {"action": "bind", "phone": VICTIM_PHONE, "code": code, "reason": ""})
    assert r.status_code == 422 and "请写明核验事由" in r.content.decode()
    r = clerk.post(
        url, {"action": "bind", "phone": VICTIM_PHONE, "code": code, "reason": "本人持身份证到窗口"}
    )
    assert r.status_code == 302, r.content.decode()[:500]
    resident.refresh_from_db()
    assert resident.phone == VICTIM_PHONE and resident.phone_verified_at is not None
    assert AuditEntry.objects.filter(action="portal.window_bind", obj=f"resident:{resident.pk}").exists()
    r = portal.get("/api/v1/my/cases")
    assert r.status_code == 200 and [c["number"] for c in r.json()["items"]] == [earlier.number]


def test_workbench_intake_with_a_differing_phone_shows_the_difference_and_keeps_the_record(
    world: Any, login: Any
) -> None:
    from tests.cases.conftest import workbench_data

    earlier = intake()
    c = login("clerk")
    r = c.post("/cases/new/", workbench_data(**{"a-name": "巴特尔", "a-phone": "13500001111"}))
    assert r.status_code == 302
    page = c.get(r["Location"]).content.decode()
    assert "与档案不一致" in page and "联系电话" in page
    new = Case.objects.exclude(pk=earlier.pk).get()
    assert new.applicant_phone == "13500001111" and new.applicant_id == earlier.applicant_id
    assert Resident.objects.get().phone == VICTIM_PHONE
    earlier.refresh_from_db()
    assert earlier.applicant_phone == VICTIM_PHONE
    detail = c.get(f"/cases/{new.number}/").content.decode()
    assert "与档案不一致" in detail and 'id="applicant-correction"' in detail
