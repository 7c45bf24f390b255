"""The clerk's desk (issue 15): what is waiting for me, 办件查询 by number / name / ID number / phone,
the returning-resident look-up with the duplicate warning, and each of them kept inside the actor's
jurisdiction (the outsider is the clerk of township B)."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from onewindow.cases import search
from onewindow.cases.desk import online_to_check, results_to_hand_out, supplements_received, warnings
from onewindow.cases.models import Case, CaseEvent, Channel, State, Warning
from onewindow.cases.services import case_applicant_correct, case_resident_supplement
from onewindow.core.desk import desk_counts
from onewindow.core.errors import Invalid
from onewindow.notify.models import Notification
from onewindow.org.actors import actor_of
from onewindow.org.models import Resident
from onewindow.privacy.crypto import blind_index, phone_blind_index
from onewindow.privacy.masking import mask_name, mask_phone
from onewindow.privacy.models import PersonalDataAccess
from tests.cases.conftest import GOOD_ID, act, applicant, intake, user
from tests.portal.resident_helpers import sign_up

pytestmark = pytest.mark.django_db

OTHER_ID = "150102198001010014"
PHONE = "13912345678"


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> Any:
    """Empty counters, and one fixed-window minute for the whole test (no window boundary inside)."""
    cache.clear()
    with mock.patch("onewindow.core.ratelimit.time") as clock:  # only the limiter's clock
        clock.time.return_value = 1_800_000_000.0
        yield


def actor(name: str) -> Any:
    return actor_of(user(name))


def client_of(name: str) -> Client:
    c = Client(raise_request_exception=False)
    c.force_login(user(name))
    return c


# --- blind index of the phone ------------------------------------------------------------------


def test_phone_blind_index_normalises_and_is_not_the_number() -> None:
    assert phone_blind_index("139 1234-5678") == phone_blind_index("+86 13912345678") == blind_index(PHONE)
    assert PHONE not in phone_blind_index(PHONE) and len(phone_blind_index(PHONE)) == 64
    assert phone_blind_index("") == "" and phone_blind_index(" - ") == ""


def test_the_case_keeps_the_phone_index_of_its_snapshot_through_a_correction(world: Any) -> None:
    case = intake()
    assert case.applicant_phone_index == phone_blind_index(PHONE)
    case_applicant_correct(
        actor=actor("clerk"), number=case.number, reason="电话号码写错", phone="13700000000"
    )
    case.refresh_from_db()
    assert case.applicant_phone_index == phone_blind_index("13700000000")


def test_the_migration_fills_the_index_of_existing_cases(world: Any) -> None:
    import importlib

    from django.apps import apps

    case = intake()
    Case.objects.filter(pk=case.pk).update(applicant_phone_index="")
    importlib.import_module("onewindow.cases.migrations.0012_fill_applicant_phone_index").fill(apps, None)
    case.refresh_from_db()
    assert case.applicant_phone_index == phone_blind_index(PHONE)


# --- 办件查询 -----------------------------------------------------------------------------------


def test_classify_what_was_typed() -> None:
    assert search.classify(" 139-1234-5678 ") == search.SearchTerm("phone", PHONE)
    assert search.classify(GOOD_ID.lower()) == search.SearchTerm("id_number", GOOD_ID)
    assert search.classify("1525220260929000001").kind == "number"
    assert search.classify("巴特尔") == search.SearchTerm("name", "巴特尔")
    with pytest.raises(Invalid, match="校验位"):
        search.classify("110105194912310021")
    for bad in ("", "   ", "巴特尔1", "x" * 51):
        with pytest.raises(Invalid):
            search.classify(bad)


def test_search_by_number_name_id_and_phone_in_scope_only(world: Any) -> None:
    mine = intake()
    intake(applicant=applicant(id_number=OTHER_ID, name="其木格", phone="13800001111"))
    clerk, outsider = actor("clerk"), actor("outsider")
    for q in (mine.number, "巴特尔", GOOD_ID, PHONE, "139 1234 5678"):
        term, qs = search.case_search(actor=clerk, q=q)
        assert [c.number for c in qs] == [mine.number], (q, term)
        _term, qs = search.case_search(actor=outsider, q=q)
        assert not qs.exists(), q  # township B's clerk finds nothing of township A
    _term, qs = search.case_search(actor=clerk, q="巴")  # a surname alone finds nobody
    assert not qs.exists()


def test_a_search_by_personal_data_is_logged_by_its_blind_index_only(world: Any) -> None:
    intake()
    PersonalDataAccess.objects.all().delete()
    clerk = actor("clerk")
    search.case_search(actor=clerk, q=GOOD_ID, ip="10.0.0.9")
    search.case_search(actor=clerk, q=PHONE)
    search.case_search(actor=clerk, q="巴特尔")
    search.case_search(actor=clerk, q=Case.objects.get().number)  # a case number is no personal data
    rows = list(PersonalDataAccess.objects.order_by("pk"))
    assert [(r.object_type, r.fields) for r in rows] == [
        ("search", "id_number"),
        ("search", "phone"),
        ("search", "name"),
    ]
    assert rows[0].object_id == blind_index(GOOD_ID) and rows[0].ip == "10.0.0.9"
    assert rows[1].object_id == phone_blind_index(PHONE)
    assert all(r.actor_id == user("clerk").pk for r in rows)
    for r in rows:
        assert GOOD_ID not in f"{r.object_id}{r.purpose}" and PHONE not in f"{r.object_id}{r.purpose}"


def test_the_case_list_page_searches_and_says_by_what(world: Any) -> None:
    case = intake()
    page = client_of("clerk").post("/cases/", {"q": PHONE}).content.decode()
    assert case.number in page and "按手机号查找：共 1 件" in page
    results = page.split('id="results"', 1)[1]
    assert PHONE not in results and mask_name("巴特尔") in results  # the list shows the applicant masked
    page = client_of("outsider").post("/cases/", {"q": PHONE}).content.decode()
    assert case.number not in page and "共 0 件" in page
    # a GET does not search (an ID number or a phone never stands in a URL)
    page = client_of("clerk").get("/cases/", {"q": "不存在的人"}).content.decode()
    assert case.number in page and "按申请人姓名查找" not in page


def test_a_malformed_search_is_a_message_not_an_error(world: Any) -> None:
    r = client_of("clerk").post("/cases/", {"q": "110105194912310021"})
    assert r.status_code == 200 and "校验位" in r.content.decode()


def test_the_search_is_rate_limited(world: Any) -> None:
    c = client_of("clerk")
    limit = 30
    for _ in range(limit):
        assert c.post("/cases/", {"q": "巴特尔"}).status_code == 200
    r = c.post("/cases/", {"q": "巴特尔"})
    assert r.status_code == 429 and "查询过于频繁" in r.content.decode()
    assert c.get("/cases/").status_code == 200  # the list without a search still opens


# --- the returning resident at the workbench ----------------------------------------------------


def test_lookup_fills_what_is_known_and_warns_about_an_open_case_of_the_same_item(world: Any) -> None:
    case = intake()
    PersonalDataAccess.objects.all().delete()
    found = search.person_lookup(actor=actor("clerk"), id_number=GOOD_ID.lower(), item="MZ-001")
    assert found.resident is not None and found.resident.name == "巴特尔"
    assert found.known == {
        "name": "巴特尔", "phone": PHONE, "address": "甲镇一嘎查3组", "phone_masked": mask_phone(PHONE),
    }  # fmt: skip
    assert [c.number for c in found.duplicates] == [case.number]
    assert search.person_lookup(actor=actor("clerk"), id_number=GOOD_ID, item="MZ-002").duplicates == []
    log = PersonalDataAccess.objects.filter(object_type="Resident")
    assert log.count() == 2 and log.first().object_id == str(found.resident.pk)  # type: ignore[union-attr]
    # a closed case is no duplicate
    act("clerk", case, "withdraw", reason="申请人撤回")
    assert search.person_lookup(actor=actor("clerk"), id_number=GOOD_ID, item="MZ-001").duplicates == []


def test_lookup_fills_in_what_was_given_at_the_latest_intake_else_the_record(world: Any) -> None:
    intake()
    intake(item="MZ-002", applicant=applicant(phone="13700000000", address="甲镇新村5号"))
    found = search.person_lookup(actor=actor("clerk"), id_number=GOOD_ID)
    assert (found.known["phone"], found.known["address"]) == ("13700000000", "甲镇新村5号")
    resident = Resident.objects.get(id_index=blind_index(GOOD_ID))
    Case.objects.all().update(applicant_phone_index="")
    for case in Case.objects.all():  # the cases gave nothing: the record's own data
        case.set_applicant_snapshot(kind="person", name="巴特尔", id_number=GOOD_ID)
        case.save()
    found = search.person_lookup(actor=actor("clerk"), id_number=GOOD_ID)
    assert (found.known["phone"], found.known["address"]) == (resident.phone, resident.address)


def test_lookup_reads_the_scoped_cases_once(world: Any) -> None:
    """Scope check, latest intake and duplicate warning come from one query on the actor's cases, for a
    resident living here and for one from elsewhere known by a case here."""
    case = intake()
    intake(item="MZ-002")
    for moved in (False, True):
        if moved:
            Resident.objects.filter(pk=case.applicant_id).update(jurisdiction=world["vb"])
        clerk = actor("clerk")
        with CaptureQueriesContext(connection) as ctx:
            found = search.person_lookup(actor=clerk, id_number=GOOD_ID, item="MZ-001")
        assert [c.number for c in found.duplicates] == [case.number] and found.known["phone"] == PHONE
        reads = [q["sql"] for q in ctx.captured_queries if 'FROM "cases_case"' in q["sql"]]
        assert len(reads) == 1, reads


def test_lookup_of_an_unknown_or_out_of_scope_person_says_nothing_about_them(world: Any) -> None:
    intake()
    for who in ("outsider",):
        found = search.person_lookup(actor=actor(who), id_number=GOOD_ID, item="MZ-001")
        assert found.resident is None and found.duplicates == []
    assert search.person_lookup(actor=actor("clerk"), id_number=OTHER_ID).resident is None
    with pytest.raises(Invalid):
        search.person_lookup(actor=actor("clerk"), id_number="110105194912310021")
    assert not PersonalDataAccess.objects.filter(actor=user("outsider")).exists()


def test_a_resident_of_another_place_who_applied_here_is_known_here(world: Any) -> None:
    case = intake()
    Resident.objects.filter(pk=case.applicant_id).update(jurisdiction=world["vb"])  # moved to township B
    assert search.person_lookup(actor=actor("clerk"), id_number=GOOD_ID).resident is not None
    assert search.person_lookup(actor=actor("outsider"), id_number=GOOD_ID).resident is not None


def test_lookup_page_for_the_clerk_and_the_outsider(world: Any) -> None:
    intake()
    r = client_of("clerk").post("/cases/new/person/", {"a-id_number": GOOD_ID, "item": "MZ-001"})
    page = r.content.decode()
    assert r.status_code == 200
    assert 'data-person-name="巴特尔"' in page and f'data-person-phone="{PHONE}"' in page
    assert "可能重复申请" in page
    r = client_of("outsider").post("/cases/new/person/", {"a-id_number": GOOD_ID, "item": "MZ-001"})
    page = r.content.decode()
    assert r.status_code == 200 and "本辖区没有该证件号码的办事记录" in page
    assert "巴特尔" not in page and PHONE not in page and "可能重复申请" not in page
    bad = client_of("clerk").post("/cases/new/person/", {"a-id_number": "123"})
    assert bad.status_code == 200 and "18位" in bad.content.decode()
    assert client_of("agent").post("/cases/new/person/", {"a-id_number": GOOD_ID}).status_code == 403


def test_the_workbench_has_the_lookup_block_and_the_id_card_hook(world: Any) -> None:
    page = client_of("clerk").get("/cases/new/").content.decode()
    assert 'id="person-lookup"' in page and "/cases/new/person/" in page
    assert "cases/person.js" in page


def test_the_lookup_is_rate_limited(world: Any) -> None:
    c = client_of("clerk")
    for _ in range(20):
        assert c.post("/cases/new/person/", {"a-id_number": OTHER_ID}).status_code == 200
    r = c.post("/cases/new/person/", {"a-id_number": OTHER_ID})
    assert r.status_code == 429 and "查询过于频繁" in r.content.decode()


# --- what is waiting for me ------------------------------------------------------------------------


def _counts(name: str) -> dict[str, int]:
    return {d.key: d.count for d in desk_counts(actor(name))}


def test_counts_are_the_rows_of_the_lists_they_link_to(world: Any) -> None:
    intake(channel=Channel.ONLINE, applicant=applicant(id_number=OTHER_ID))
    needs = intake(materials=[{"code": "M01", "provided": True}, {"code": "M02", "provided": False}])
    approved = act("reviewer", intake(), "approve", note="符合条件")
    late = intake(applicant=applicant(id_number=OTHER_ID))
    Case.objects.filter(pk=late.pk).update(warning=Warning.RED)
    assert needs.state == State.CORRECTION_NEEDED and approved.state == State.APPROVED
    clerk = actor("clerk")
    counts = _counts("clerk")
    assert counts["online"] == 1 and counts["output"] == 1 and counts["warnings"] == 1
    assert counts["supplements"] == 0
    c = client_of("clerk")
    for key, fn in (("online", online_to_check), ("output", results_to_hand_out), ("warnings", warnings)):
        d = fn(clerk)
        assert d is not None
        page = c.get(d.url).content.decode()
        assert page.count('href="/cases/1') - page.count("#action-") == counts[key], key
    # the outsider (township B) has nothing waiting from township A
    assert set(_counts("outsider").values()) == {0}
    # roles: an agent has no window counts, the reviewer no online applications to check
    assert supplements_received(actor("agent")) is None and online_to_check(actor("reviewer")) is None


def test_a_resident_supplement_is_counted_and_told_to_the_window_of_that_centre(world: Any) -> None:
    account = sign_up(PHONE, "巴特尔", GOOD_ID)  # the applicant has an online account (real name bound)
    case = intake(materials=[{"code": "M01", "provided": True}, {"code": "M02", "provided": False}])
    assert account.resident_id == case.applicant_id
    case_resident_supplement(
        actor=actor_of(account.user), number=case.number, materials=[{"code": "M02", "provided": True}]
    )
    assert CaseEvent.objects.filter(case=case).order_by("-seq").first().action == "resident_supplement"  # type: ignore[union-attr]
    assert _counts("clerk")["supplements"] == 1 and _counts("outsider")["supplements"] == 0
    told = Notification.objects.filter(template="supplement_received", channel="inbox")
    assert [n.user.username for n in told] == ["clerk"]  # not township B's clerk, not the reviewer
    assert case.number in told.get().body and "户口簿" in told.get().body and PHONE not in told.get().body
    page = client_of("clerk").get("/cases/", {"state": "correction_needed", "supplemented": "1"})
    assert case.number in page.content.decode()
    # once the window takes the supplement, it is no longer waiting
    act("clerk", case, "supplement", materials=[{"code": "M02", "provided": True}])
    assert _counts("clerk")["supplements"] == 0


def test_the_home_page_shows_the_counts_with_their_links_and_the_messages(world: Any) -> None:
    intake(channel=Channel.ONLINE)
    Notification.objects.create(
        channel="inbox", template="supplement_received", user=user("clerk"), subject="补正材料已提交",
        body="办件的申请人已在网上提交补正材料", case_number="X1",
    )  # fmt: skip
    c = client_of("clerk")
    page = c.get("/").content.decode()
    assert "我的待办" in page and "网上申请待审核" in page
    assert 'href="/cases/?state=submitted&amp;channel=online"' in page
    assert "代办预审待处理" in page and 'href="/proxy/queue/"' in page
    assert "未读消息 1 条" in page and "补正材料已提交" in page
    assert 'method="post" action="/cases/"' in page and 'name="q"' in page
    assert (
        'data-desk="online"><a href="/cases/?state=submitted&amp;channel=online"><b class="desk-n">1<' in page
    )
    assert c.post("/desk/messages/read/").status_code == 302
    assert "未读消息" not in c.get("/").content.decode()
    outsider = client_of("outsider").get("/").content.decode()
    assert "我的待办" in outsider and "未读消息" not in outsider
    assert (
        'data-desk="online"><a href="/cases/?state=submitted&amp;channel=online"><b class="desk-n zero">0<'
        in outsider
    )


def test_every_count_on_each_home_page_links_to_a_page_that_role_may_open(world: Any) -> None:
    from tests.conftest import otp_verify_session

    for name in ("agent", "clerk", "reviewer", "supervisor", "admin", "outsider"):
        c = client_of(name)
        otp_verify_session(c, user(name))
        for d in desk_counts(actor(name)):
            assert c.get(d.url).status_code == 200, (name, d.key)
    assert desk_counts(actor("admin")) == []  # the system administrator sees no cases


def test_the_messages_page_lists_every_message_of_the_staff_member_only(world: Any) -> None:
    """我的消息: all of one's inbox notices (read ones too), newest first, paged, with the case link for
    those who may open cases; another clerk's messages are never there; opening it marks nothing read."""
    from onewindow.notify.models import NotificationState
    from onewindow.portal.desk import MESSAGES_PER_PAGE

    for i in range(MESSAGES_PER_PAGE + 2):
        Notification.objects.create(
            channel="inbox", template="supplement_received", user=user("clerk"), subject=f"提醒{i:02d}",
            body=f"第{i}条", case_number=f"N{i:02d}",
        )  # fmt: skip
    Notification.objects.create(
        channel="inbox", template="x", user=user("outsider"), subject="乙镇的消息", body="-"
    )
    Notification.objects.create(
        channel="inbox", template="x", user=user("clerk"), subject="已关闭的渠道", body="-",
        state=NotificationState.SKIPPED,
    )  # fmt: skip
    Notification.objects.create(channel="sms", template="x", user=user("clerk"), subject="短信", body="-")
    c = client_of("clerk")
    home = c.get("/").content.decode()
    assert f"未读消息 {MESSAGES_PER_PAGE + 2} 条" in home and 'href="/desk/messages/"' in home
    first = c.get("/desk/messages/").content.decode()
    assert f'<strong id="unread-count">{MESSAGES_PER_PAGE + 2}</strong>' in first
    assert first.index(f"提醒{MESSAGES_PER_PAGE + 1:02d}") < first.index(f"提醒{MESSAGES_PER_PAGE:02d}")
    assert first.count("data-message=") == MESSAGES_PER_PAGE and 'href="/cases/N31/"' in first
    assert "乙镇的消息" not in first and "已关闭的渠道" not in first and "短信" not in first
    second = c.get("/desk/messages/", {"page": 2}).content.decode()
    assert second.count("data-message=") == 2 and "提醒00" in second
    assert c.get("/desk/messages/", {"page": "x"}).status_code == 200  # a bad page number: the first page
    # still unread after reading the page; "全部标为已读" from here comes back here
    r = c.post("/desk/messages/read/", {"next": "messages"})
    assert r.status_code == 302 and r["Location"] == "/desk/messages/"
    after = c.get("/desk/messages/").content.decode()
    assert "没有未读消息" in after and "提醒00" not in after and f"提醒{MESSAGES_PER_PAGE + 1:02d}" in after
    assert Notification.objects.get(subject="乙镇的消息").read_at is None  # not the outsider's
