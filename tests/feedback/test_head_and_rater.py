"""Issue 15, the centre head and the supervisor: the complainant's contact for the assigned handler
only (logged), one-go handling for one person holding every role, a complaint naming a case, the
resident's complaints in 我的办件; the rectification page's case link and the rater's contact for the
call back; a 差评 needs a reason; the rater is told about the rectification and its outcome."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from onewindow.core import signals
from onewindow.core.errors import Forbidden, Invalid, NotFound
from onewindow.feedback import services
from onewindow.feedback.models import Complaint, ComplaintState, Rating, Rectification
from onewindow.notify.models import Notification
from onewindow.org.actors import actor_of
from onewindow.portal.models import ResidentAccount
from onewindow.privacy.identifiers import id_check_digit
from onewindow.privacy.models import PersonalDataAccess
from tests.cases.conftest import applicant, intake
from tests.conftest import otp_verify_session
from tests.feedback.conftest import delivered_case

pytestmark = pytest.mark.django_db
CHECK = "002X"
PHONE = "13912345678"


def user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def staff_client(username: str) -> Client:
    c = Client()
    c.force_login(user(username))
    otp_verify_session(c, user(username))
    return c


def resident_client(username: str, resident: Any, phone: str) -> tuple[Client, Any]:
    u = get_user_model().objects.create(username=username)
    ResidentAccount.objects.create(user=u, phone=phone, phone_index=f"idx-{username}", resident=resident)
    c = Client()
    c.force_login(u)
    return c, u


def other_id() -> str:
    first17 = "15252219800101001"
    return first17 + id_check_digit(first17)


def submit(**kw: Any) -> Complaint:
    args: dict[str, Any] = {"category": "complaint", "content": "窗口让我跑了三趟", "contact": PHONE}
    args.update(kw)
    return services.complaint_submit(centre="C-A", **args)


# --- the complainant's contact --------------------------------------------------------------------


def test_contact_only_for_the_assigned_handler_and_each_view_logged(world: Any, head: Any) -> None:
    c = submit()
    services.complaint_act(actor=actor_of(user("clerk")), number=c.number, action="report")
    url = f"/feedback/complaints/{c.number}/"
    head_page = staff_client("head_a").get(url).content.decode()
    assert PHONE not in head_page and "仅交办的承办人可见" in head_page  # not assigned to the head
    assert not PersonalDataAccess.objects.exists()
    services.complaint_act(actor=actor_of(head.user), number=c.number, action="assign", to="clerk")
    assert PHONE not in staff_client("head_a").get(url).content.decode()
    clerk_page = staff_client("clerk").get(url).content.decode()
    assert f'href="tel:{PHONE}"' in clerk_page and "本次查看已记录" in clerk_page
    log = PersonalDataAccess.objects.get()
    assert log.actor == user("clerk") and log.object_type == "Complaint" and log.fields == "contact"
    assert log.object_id == str(c.pk)
    # another centre's clerk neither sees the complaint (404) nor acts on it
    outsider = staff_client("outsider")
    assert outsider.get(url).status_code == 404
    r = outsider.post(url, {"action": "fast_track", "answer": "已处理"})
    assert r.status_code == 404
    assert Complaint.objects.get(pk=c.pk).state == ComplaintState.ASSIGNED
    with pytest.raises(NotFound):
        services.complaint_fast_track(actor=actor_of(user("outsider")), number=c.number, answer="x")
    # once closed the contact is no longer shown, even to the handler
    services.complaint_fast_track(actor=actor_of(user("clerk")), number=c.number, answer="已道歉")
    services.complaint_act(
        actor=actor_of(head.user), number=c.number, action="close", public_summary="已整改"
    )
    assert PHONE not in staff_client("clerk").get(url).content.decode()
    assert PersonalDataAccess.objects.count() == 1


# --- one person, several roles --------------------------------------------------------------------


def test_head_answers_in_one_go_and_every_step_is_recorded(world: Any, head: Any) -> None:
    events: list[str] = []

    def rec(sender: Any, complaint: Complaint, action: str, **kw: Any) -> None:
        events.append(action)

    c = submit()
    url = f"/feedback/complaints/{c.number}/"
    client = staff_client("head_a")
    page = client.get(url).content.decode()
    assert 'id="fast-track"' in page and "报送、交办本人、开始办理、反馈答复" in page
    signals.complaint_event.connect(rec, weak=False)
    try:
        r = client.post(url, {"action": "fast_track", "answer": ""})
        assert r.status_code == 302 and Complaint.objects.get(pk=c.pk).state == ComplaintState.COLLECTED
        client.post(url, {"action": "fast_track", "answer": "已约谈窗口人员并向您致歉"})
    finally:
        signals.complaint_event.disconnect(rec)
    c.refresh_from_db()
    assert c.state == ComplaintState.ANSWERED and c.answer == "已约谈窗口人员并向您致歉"
    assert events == ["report", "assign", "start", "answer"]
    steps = list(c.steps.order_by("started_at", "pk"))
    assert [s.state for s in steps] == ["collected", "reported", "assigned", "handling", "answered"]
    assert all(s.finished_at for s in steps[:-1]) and steps[2].owner == head.user
    assert all(s.actor == head.user for s in steps[:-1])
    assert Notification.objects.get(template="complaint_answered").recipient == PHONE
    # the head was the assigned handler: she sees the contact for the reply
    assert PHONE in client.get(url).content.decode()


def test_one_go_needs_every_role(world: Any, head: Any) -> None:
    c = submit()
    clerk = actor_of(user("clerk"))
    # a clerk cannot assign: no one-go from 收集, and the page offers none
    assert services.complaint_fast_track_steps(clerk, c) == []
    assert (
        'id="fast-track"'
        not in staff_client("clerk").get(f"/feedback/complaints/{c.number}/").content.decode()
    )
    with pytest.raises(Forbidden):
        services.complaint_fast_track(actor=clerk, number=c.number, answer="好的")
    assert Complaint.objects.get(pk=c.pk).state == ComplaintState.COLLECTED
    services.complaint_act(actor=clerk, number=c.number, action="report")
    services.complaint_act(actor=actor_of(head.user), number=c.number, action="assign", to="clerk")
    c.refresh_from_db()
    # the assignee starts and answers in one go
    assert services.complaint_fast_track_steps(clerk, c) == ["start", "answer"]
    c = services.complaint_fast_track(actor=clerk, number=c.number, answer="已处理")
    assert c.state == ComplaintState.ANSWERED
    assert [s.state for s in c.steps.order_by("started_at", "pk")][-2:] == ["handling", "answered"]


# --- a complaint names a case; the resident's 我的办件 --------------------------------------------


def test_a_complaint_names_a_case_validated_by_who_submits(world: Any) -> None:
    mine = intake()
    theirs = intake(applicant=applicant(name="其木格", id_number=other_id(), phone="13700000000"))
    me, me_user = resident_client("r-bt", mine.applicant, PHONE)
    form = {"category": "complaint", "content": "办理太慢", "contact": PHONE}
    # anonymous: no case without logging in
    r = Client().post("/feedback/complaints/new/", {**form, "case": mine.number})
    assert r.status_code == 422 and "须先登录" in r.content.decode() and not Complaint.objects.exists()
    # a resident: only her own case; another's reads like an unknown number
    for number in (theirs.number, "NOPE-1"):
        r = me.post("/feedback/complaints/new/", {**form, "case": number})
        page = r.content.decode()
        assert r.status_code == 422 and "只能关联您本人的办件" in page and "办理太慢" in page
    assert not Complaint.objects.exists()
    r = me.post("/feedback/complaints/new/", {**form, "case": mine.number})
    assert r.status_code == 200
    c = Complaint.objects.get()
    assert c.case == mine and c.submitted_by == me_user
    # staff recording a complaint (window source) may name any existing case, not an unknown one
    staff = actor_of(user("clerk"))
    with pytest.raises(Invalid) as exc:
        services.complaint_submit(
            category="complaint", content="x", source="window", actor=staff, case="NOPE"
        )
    assert exc.value.code == "unknown_case" and "case" in exc.value.details
    s = services.complaint_submit(
        category="complaint", content="x", source="window", actor=staff, case=theirs.number
    )
    assert s.case == theirs and s.submitted_by is None
    # the handler sees the case linked on the complaint page
    page = staff_client("clerk").get(f"/feedback/complaints/{c.number}/").content.decode()
    assert f'href="/cases/{mine.number}/"' in page and c.centre == mine.centre


def test_resident_sees_her_complaints_in_my_cases_and_nobody_elses(world: Any) -> None:
    mine = intake()
    other = intake(applicant=applicant(name="其木格", id_number=other_id(), phone="13700000000"))
    me, _ = resident_client("r-bt", mine.applicant, PHONE)
    her, _ = resident_client("r-qmg", other.applicant, "13700000000")
    me.post(
        "/feedback/complaints/new/", {"category": "complaint", "content": "我的投诉内容", "case": mine.number}
    )
    her.post("/feedback/complaints/new/", {"category": "suggestion", "content": "她的建议内容"})
    Client().post("/feedback/complaints/new/", {"category": "complaint", "content": "匿名的投诉"})
    assert Complaint.objects.count() == 3
    page = me.get("/my/").content.decode()
    assert "我的投诉建议" in page and "我的投诉内容" in page and mine.number in page
    assert "她的建议内容" not in page and "匿名的投诉" not in page
    page = her.get("/my/").content.decode()
    assert "她的建议内容" in page and "我的投诉内容" not in page
    # the answer reaches her page
    c = Complaint.objects.get(content="我的投诉内容")
    Complaint.objects.filter(pk=c.pk).update(answer="已加派人手")
    assert "已加派人手" in me.get("/my/").content.decode()


# --- rectification: case link, the rater's contact, telling the rater ------------------------------


def test_rectification_links_the_case_shows_the_raters_contact_and_tells_her(
    world: Any, today: Any, head: Any
) -> None:
    case = delivered_case()
    services.rating_submit(number=case.number, check=CHECK, level=1, comment="来回跑")
    rect = Rectification.objects.get()
    url = f"/feedback/rectifications/{rect.pk}/"
    client = staff_client("head_a")
    page = client.get(url).content.decode()
    assert f'href="/cases/{case.number}/"' in page
    assert f'href="tel:{PHONE}"' in page and "巴特尔" not in page and "巴**" in page  # masked name
    log = PersonalDataAccess.objects.get()
    assert log.actor == head.user and log.object_type == "Case" and log.fields == "applicant_phone"
    # another township's staff: 404
    assert staff_client("outsider").get(url).status_code == 404
    client.post(url, {"action": "callback", "note": "已电话回访"})
    told = Notification.objects.get(template="rating_rectifying")
    assert told.recipient == PHONE and case.number in told.body and "正在整改" in told.body
    client.post(url, {"action": "explained", "note": "依法不能办理", "public_note": "已向群众解释政策"})
    done = Notification.objects.get(template="rating_rectified")
    assert done.recipient == PHONE and "已解释说明" in done.body and "已向群众解释政策" in done.body
    # closed: the contact is no longer shown
    page = client.get(url).content.decode()
    assert PHONE not in page and "整改已结束" in page


def test_rater_with_an_online_account_is_told_in_her_inbox(world: Any, today: Any, head: Any) -> None:
    case = delivered_case()
    _, u = resident_client("r-bt", case.applicant, PHONE)
    services.rating_submit(number=case.number, check=CHECK, level=2, comment="慢")
    rect = Rectification.objects.get()
    services.rectification_callback(actor=actor_of(head.user), pk=rect.pk, note="已回访")
    assert Notification.objects.filter(template="rating_rectifying", channel="inbox", user=u).exists()


def test_a_bad_rating_needs_a_reason(world: Any, today: Any, client: Client) -> None:
    case = delivered_case()
    r = client.post("/feedback/rate/", {"number": case.number, "check": CHECK, "level": "2", "comment": " "})
    page = r.content.decode()
    assert r.status_code == 422 and "请写明不满意的原因" in page and not Rating.objects.exists()
    assert 'value="2" required checked' in page and 'id="err-comment"' in page
    with pytest.raises(Invalid) as exc:
        services.rating_submit(number=case.number, check=CHECK, level=1, channel="sms")
    assert exc.value.code == "reason_required" and "comment" in exc.value.details
    api = client.post(
        f"/api/v1/cases/{case.number}/rating", {"level": 1, "check": CHECK}, content_type="application/json"
    )
    assert api.status_code == 422 and api.json()["error"]["code"] == "reason_required"
    # a good rating needs none
    assert services.rating_submit(number=case.number, check=CHECK, level=4).level == 4
