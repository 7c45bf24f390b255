"""Issue 15, the village agent's working day: lists with item and resident, the searchable item picker,
the print link after 登记委托, the agent's own cases, hand-over to a carrier without an account, the
receiver-only sign-off, 代为取件 leaving the output list, the pre-review page (form data and photos),
the agent's submission on the case timeline, the proxy case's notices — and the outsider (an agent of
another village) refused each time."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import get_user_model

from onewindow.cases.models import Case
from onewindow.cases.selectors import case_output_list
from onewindow.core import notices
from onewindow.notify.models import Notification
from onewindow.notify.services import render
from onewindow.org.actors import actor_of
from onewindow.proxy.models import Batch, BatchHandover, Entrustment, ProxyRequest
from onewindow.proxy.notices import proxy_variant
from onewindow.proxy.selectors import form_rows, material_rows
from onewindow.proxy.services import published_version
from tests.factories import make_item
from tests.proxy.conftest import entrust, entrust_form, png_bytes
from tests.proxy.test_api import intake

VA, TA = "152522100201", "152522100000"


def _text(html: str) -> str:
    """The visible text of a page (no tags, no attribute values)."""
    return re.sub(r"<[^>]+>", " ", html)


def passed_request(as_user: Any) -> tuple[Any, Any, int, Case]:
    """An agent's request, complete (M01 photo, M02 ticked), submitted and passed by the township clerk."""
    agent, clerk = as_user("agent"), as_user("clerk")
    ent = entrust(agent).json()
    photo = agent.upload(png_bytes((80, 60), "blue"), "身份证.png").json()["id"]
    r = intake(
        agent,
        ent["id"],
        materials=[
            {"code": "M01", "provided": True, "paper_held": True, "files": [photo]},
            {"code": "M02", "provided": True},
        ],
    )
    pk = r.json()["id"]
    assert agent.action(pk, "submit").status_code == 200
    r = clerk.action(pk, "prereview_pass")
    assert r.status_code == 200, r.content
    return agent, clerk, pk, Case.objects.get(number=r.json()["case"])


def ready(as_user: Any, case: Case) -> None:
    reviewer = as_user("reviewer")
    for action in ("approve", "ready"):
        assert reviewer.post(f"/cases/{case.number}/actions", {"action": action}).status_code == 200


# --- 1. lists: item name and resident, no internal codes -------------------------------------------


def test_agent_lists_show_item_and_resident_without_codes(proxy_world: dict[str, Any], as_user: Any) -> None:
    agent = as_user("agent")
    ent = entrust(agent).json()
    pk = intake(agent, ent["id"]).json()["id"]
    home = agent.c.get("/proxy/").content.decode()
    rows = home[home.index('id="all-requests"') :]
    assert "最低生活保障申请" in rows and "巴**" in rows and "已登记（待报送）" in rows
    assert "MZ-001" not in _text(home) and "draft" not in _text(home)
    detail = _text(agent.c.get(f"/proxy/requests/{pk}/").content.decode())
    assert "居民身份证" in detail and "M01" not in detail and "MZ-001" not in detail
    assert "登记受理" in detail  # the trail's labels, never an action key


def test_other_village_agent_sees_none_of_it(proxy_world: dict[str, Any], as_user: Any) -> None:
    _agent, _clerk, pk, _case = passed_request(as_user)
    ent = ProxyRequest.objects.get(pk=pk).entrustment_id
    other = as_user("agent_b")
    assert "最低生活保障申请" not in other.c.get("/proxy/").content.decode()
    assert other.c.get(f"/proxy/requests/{pk}/").status_code == 404
    assert other.c.get(f"/proxy/entrustments/{ent}/document.pdf").status_code == 404
    r = other.c.post(f"/proxy/requests/{pk}/act/", {"action": "collect_result"})
    assert r.status_code == 404
    assert ProxyRequest.objects.get(pk=pk).state == "passed"
    # nor through the API
    assert other.action(pk, "collect_result").status_code == 404


# --- 2 and 3. the item picker and the print link -----------------------------------------------------


def test_entrust_item_picker_searchable_and_keeps_choices(proxy_world: dict[str, Any], as_user: Any) -> None:
    w = proxy_world
    make_item("LS-001", "临时救助申请", w["department"], w["domain"], proxy_allowed=True)
    agent = as_user("agent").c
    page = agent.get("/proxy/entrust/").content.decode()
    # without JS: the plain list of big rows; the filter box is there for the script to show
    assert page.count('class="px-opt"') == 2
    assert re.search(r'<input type="search" id="item-q" data-px-filter[^>]*hidden>', page)
    assert "proxy/itempick.js" in page and "proxy/proxy.css" in page
    # the rows carry the catalog's search text: name, full pinyin and initials (dbsq)
    assert re.search(r'data-search="[^"]*dbsq[^"]*"><input type="checkbox" name="items" value="MZ-001"', page)
    # a refused submit keeps the chosen items and the confirmation kind
    r = agent.post(
        "/proxy/entrust/",
        entrust_form(id_number="110105194912310021", items=["LS-001"]),  # wrong check digit
    )
    page = r.content.decode()
    assert r.status_code == 200 and Entrustment.objects.count() == 0
    assert 'value="LS-001" checked' in page and 'value="MZ-001" checked' not in page
    assert '<option value="fingerprint" selected>' in page


def test_print_link_right_after_entrustment(proxy_world: dict[str, Any], as_user: Any) -> None:
    agent = as_user("agent").c
    r = agent.post("/proxy/entrust/", entrust_form(confirmation_kind="signature"), follow=True)
    ent = Entrustment.objects.get()
    page = r.content.decode()
    link = f'class="px-print" href="/proxy/entrustments/{ent.pk}/document.pdf"'
    assert link in page and "打印委托书" in page and "最低生活保障申请" in page
    pdf = agent.get(f"/proxy/entrustments/{ent.pk}/document.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    # a plain visit of the intake page has no "just registered" card
    assert 'class="px-print"' not in agent.get(f"/proxy/intake/?entrustment={ent.pk}").content.decode()


# --- 4. the agent's own cases ---------------------------------------------------------------------------


def test_agent_home_lists_the_cases_of_his_requests(proxy_world: dict[str, Any], as_user: Any) -> None:
    agent, _clerk, _pk, case = passed_request(as_user)
    home = agent.c.get("/proxy/").content.decode()
    mine = home[home.index('id="my-cases"') : home.index('id="all-requests"')]
    assert case.number in mine and "已受理" in mine and "最低生活保障申请" in mine
    ready(as_user, case)
    mine = agent.c.get("/proxy/").content.decode()
    assert "待取件" in mine[mine.index('id="my-cases"') :]
    other = as_user("agent_b").c.get("/proxy/").content.decode()
    assert case.number not in other


# --- 5. hand-over to a carrier, receiver-only sign-off, 代为取件 leaves the output list -------------------


def test_hand_over_to_a_carrier_without_an_account(proxy_world: dict[str, Any], as_user: Any) -> None:
    agent = as_user("agent")
    ent = entrust(agent).json()
    pk = intake(agent, ent["id"]).json()["id"]
    b = agent.post("/proxy/batches", {"from": VA, "to": TA, "requests": [pk]}).json()
    users = get_user_model().objects.count()

    # the sender sees no sign-off form, only the hand-over
    page = agent.c.get(f"/proxy/batches/{b['id']}/").content.decode()
    assert 'id="receive"' not in page and "mark_" not in page and 'id="hand-over"' in page
    assert "in_transit" not in _text(page) and "在途" in page

    # validated: a name and a real mobile number
    r = agent.c.post(
        f"/proxy/batches/{b['id']}/",
        {"op": "hand_over", "carrier_name": "王", "carrier_phone": "12345"},
        follow=True,
    )
    assert "请填写携带人姓名" in r.content.decode()
    r = agent.c.post(
        f"/proxy/batches/{b['id']}/",
        {"op": "hand_over", "carrier_name": "王师傅", "carrier_phone": "1381234567"},
        follow=True,
    )
    assert "手机号码应为以1开头的11位数字" in r.content.decode()
    assert Batch.objects.get(pk=b["id"]).holder_id == ProxyRequest.objects.get(pk=pk).agent_id

    r = agent.c.post(
        f"/proxy/batches/{b['id']}/",
        {"op": "hand_over", "carrier_name": "王师傅", "carrier_phone": "138-1234-5678"},
    )
    assert r.status_code == 302
    batch = Batch.objects.get(pk=b["id"])
    assert batch.holder is None and (batch.carrier_name, batch.carrier_phone) == ("王师傅", "13812345678")
    assert get_user_model().objects.count() == users  # no account for the carrier
    assert not get_user_model().objects.filter(username__in=["王师傅", "13812345678"]).exists()
    page = agent.c.get(f"/proxy/batches/{b['id']}/").content.decode()
    assert "王师傅（13812345678）" in page and 'id="hand-over"' not in page  # no longer his
    r = agent.post(f"/proxy/batches/{b['id']}/hand_over", {"to": "clerk"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_holder"

    # another village's agent: not even the page
    assert as_user("agent_b").c.get(f"/proxy/batches/{b['id']}/").status_code == 404

    # the receiving township signs it off: the hop is from the carrier
    clerk = as_user("clerk")
    page = clerk.c.get(f"/proxy/batches/{b['id']}/").content.decode()
    assert 'id="receive"' in page and f'name="mark_{pk}"' in page
    r = clerk.c.post(
        f"/proxy/batches/{b['id']}/", {"op": "receive", f"mark_{pk}": "received", "signed_by": "综窗甲"}
    )
    assert r.status_code == 302
    batch.refresh_from_db()
    assert batch.state == "received" and batch.holder is not None and batch.holder.username == "clerk"
    assert batch.carrier_name == ""
    last = BatchHandover.objects.filter(batch=batch).order_by("-pk").first()
    assert last is not None and last.from_user is None and last.from_name == "王师傅"


def test_api_hand_over_to_a_carrier(proxy_world: dict[str, Any], as_user: Any) -> None:
    agent = as_user("agent")
    ent = entrust(agent).json()
    pk = intake(agent, ent["id"]).json()["id"]
    b = agent.post("/proxy/batches", {"from": VA, "to": TA, "requests": [pk]}).json()
    r = agent.post(f"/proxy/batches/{b['id']}/hand_over", {"carrier_name": "王师傅", "carrier_phone": "abc"})
    assert r.status_code == 422 and r.json()["error"]["details"]["carrier_phone"]
    r = agent.post(
        f"/proxy/batches/{b['id']}/hand_over", {"carrier_name": "王师傅", "carrier_phone": "13812345678"}
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["holder"] is None and body["carrier_name"] == "王师傅"
    assert body["handovers"][-1]["to_user"] is None and body["handovers"][-1]["to_phone"] == "13812345678"


def test_collected_result_leaves_the_output_list(proxy_world: dict[str, Any], as_user: Any) -> None:
    agent, clerk, pk, case = passed_request(as_user)
    ready(as_user, case)
    head = actor_of(get_user_model().objects.get(username="reviewer"))
    assert case in case_output_list(actor=head)
    assert case.number in clerk.c.get("/cases/output/").content.decode()
    assert agent.action(pk, "collect_result").json()["state"] == "collected"
    case.refresh_from_db()
    assert case.state == "ready"  # delivered only when the resident signs
    assert case not in case_output_list(actor=head)
    assert case.number not in clerk.c.get("/cases/output/").content.decode()
    r = agent.action(pk, "hand_over", signed_by="巴特尔")
    assert r.status_code == 200 and r.json()["case_state"] == "delivered"


# --- 6. the pre-review page and the case timeline ----------------------------------------------------


def test_prereview_page_shows_form_data_and_photos(proxy_world: dict[str, Any], as_user: Any) -> None:
    agent = as_user("agent")
    ent = entrust(agent).json()
    pk = intake(agent, ent["id"], form={"reason": "家中老人重病，收入不足"}).json()["id"]
    assert agent.action(pk, "submit").status_code == 200
    req = ProxyRequest.objects.get(pk=pk)
    photo = next(m for m in req.materials if m["code"] == "M01")["files"][0]
    page = as_user("clerk").c.get(f"/proxy/requests/{pk}/").content.decode()
    form = page[page.index('id="form-data"') :]
    assert "申请事由" in form and "家中老人重病，收入不足" in form
    assert f'<img src="/proxy/files/{photo}/" alt="居民身份证 照片1"' in page
    assert "预审通过并受理" in page
    # the outsider clerk and agent: 404
    assert as_user("outsider").c.get(f"/proxy/requests/{pk}/").status_code == 404
    assert as_user("agent_b").c.get(f"/proxy/files/{photo}/").status_code == 404


def test_form_rows_and_material_rows(proxy_world: dict[str, Any], as_user: Any) -> None:
    agent = as_user("agent")
    ent = entrust(agent).json()
    pk = intake(agent, ent["id"]).json()["id"]
    req = ProxyRequest.objects.get(pk=pk)
    version = published_version(req.item)
    assert form_rows(version, {"reason": "困难", "old_key": True}) == [
        ("申请事由", "困难"),
        ("old_key", "是"),
    ]
    assert form_rows(version, {}) == [("申请事由", "（未填）")]
    rows = {m["code"]: m for m in material_rows(req)}
    assert len(rows["M01"]["photos"]) == 1 and rows["M01"]["documents"] == []
    assert rows["M02"]["photos"] == []


def test_case_timeline_attributes_the_submission_to_the_agent(
    proxy_world: dict[str, Any], as_user: Any
) -> None:
    _agent, clerk, _pk, case = passed_request(as_user)
    submit, accept = case.events.order_by("seq")
    assert submit.action == "submit" and submit.actor is not None and submit.actor.username == "agent"
    assert submit.role == "agent" and submit.actor_name == "代办员甲一"
    assert accept.action == "accept" and accept.actor is not None and accept.actor.username == "clerk"
    page = clerk.c.get(f"/cases/{case.number}/").content.decode()
    row = page[page.index("代办员报送（帮办代办）") :].split("</tr>")[0]
    assert "代办员甲一" in row and "综窗甲" not in row


# --- 7. the applicant hears who brings the result ----------------------------------------------------


def test_proxy_case_notices_name_the_agent(proxy_world: dict[str, Any], as_user: Any) -> None:
    _agent, _clerk, _pk, case = passed_request(as_user)
    ready(as_user, case)
    sms = Notification.objects.filter(case_number=case.number, template="proxy_case_ready", channel="sms")
    assert sms.count() == 1 and "结果将由代办员 代办员甲一 送达" in sms.get().body
    assert sms.get().recipient == "13912345678"
    assert "携带身份证件" not in sms.get().body
    assert not Notification.objects.filter(case_number=case.number, template="ready").exists()


def test_proxy_variant_leaves_other_cases_alone(proxy_world: dict[str, Any], as_user: Any) -> None:
    _agent, _clerk, _pk, case = passed_request(as_user)
    ready_notice = notices.ApplicantNotice("ready", {"number": case.number})
    assert proxy_variant(case, ready_notice) == notices.ApplicantNotice(
        "proxy_case_ready", {"number": case.number, "agent": "代办员甲一"}
    )
    accepted = proxy_variant(case, notices.ApplicantNotice("portal_accepted", {"deadline": "x"}, inbox=True))
    assert accepted is not None and accepted.template == "proxy_case_accepted" and accepted.inbox
    _subject, body = render("proxy_case_accepted", {**accepted.context, "item": "低保", "number": "1"})
    assert "结果将由代办员 代办员甲一 送达" in body
    rating = notices.ApplicantNotice("rating_invitation", {})
    assert proxy_variant(case, rating) is rating
    case.channel = "window"
    assert proxy_variant(case, ready_notice) is ready_notice
