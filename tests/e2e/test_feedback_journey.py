"""好差评 in a real browser: a resident rates a delivered case on a phone by number + check code; the
差评 appears in the centre head's rectification list, who calls back and closes it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.sessions import session_cookie, signed_in_page
from tests.factories import make_staff

pytestmark = pytest.mark.e2e


def test_resident_rates_case_and_head_sees_rectification(
    phone: Any, browser: Any, live_server: Any, e2e_world: Any
) -> None:
    from playwright.sync_api import expect

    from tests.feedback.conftest import delivered_case

    base = live_server.url
    case = delivered_case()

    # 1. The resident, on a 360 px phone, finds the case by number + the last 4 of the ID number.
    phone.goto(f"{base}/feedback/rate/")
    phone.fill("#id_number", case.number)
    phone.fill("#id_check", "002x")
    phone.get_by_role("button", name="查找办件").click()
    expect(phone.locator("main")).to_contain_text("最低生活保障申请")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone.get_by_role("radio", name="不满意", exact=True).check()
    phone.locator("main details summary").click()
    phone.select_option("#ind-efficiency", "2")
    phone.fill("#id_comment", "来回跑了三趟")
    phone.get_by_role("button", name="提交评价").click()
    expect(phone.get_by_role("status")).to_contain_text("评价成功")
    expect(phone.get_by_role("status")).to_contain_text("不满意")

    # 2. The centre head (created here; logged in by session cookie, past the TOTP step).
    head = make_staff(
        "head_a", "甲镇中心主任", e2e_world["ta"], ["centre_head"], centre=e2e_world["centres"]["a"]
    )
    context, page = signed_in_page(browser, base, head.user)
    try:
        page.goto(f"{base}/feedback/rectifications/")
        row = page.locator("table.rect-list tbody tr").filter(has_text=case.number)
        expect(row).to_contain_text("不满意")
        expect(row).to_contain_text("待回访核实")
        row.get_by_role("link", name=case.number).click()
        expect(page.locator("main")).to_contain_text("来回跑了三趟")
        page.fill("#cb-note", "已电话回访，情况属实")
        page.get_by_role("button", name="登记回访").click()
        page.fill("#cl-note", "推行一次性告知，窗口人员培训")
        page.fill("#cl-public", "已落实一次性告知制度")
        page.get_by_role("button", name="已整改").click()
        expect(page.locator("main")).to_contain_text("已办结")
    finally:
        context.close()

    # 3. The outcome is public, without the resident's words.
    phone.goto(f"{base}/feedback/results/")
    expect(phone.locator("main")).to_contain_text("已落实一次性告知制度")
    expect(phone.locator("main")).not_to_contain_text("来回跑了三趟")


def test_resident_complains_about_her_case_and_the_head_answers_in_one_go(
    phone: Any, browser: Any, live_server: Any, e2e_world: Any
) -> None:
    """A logged-in resident names her case in a complaint; the centre head sees the case linked,
    answers in one go (报送、交办本人、开始办理、反馈答复 recorded as four steps) and then sees the
    contact; the resident finds the complaint and the answer in 我的办件. A 差评 without a reason is
    refused with a clear message; the rectification page links the case and shows the rater's phone."""
    from django.contrib.auth import get_user_model
    from playwright.sync_api import expect

    from onewindow.feedback.models import Complaint
    from onewindow.portal.models import ResidentAccount
    from onewindow.privacy.models import PersonalDataAccess
    from tests.feedback.conftest import delivered_case

    base = live_server.url
    case = delivered_case()
    resident = get_user_model().objects.create(username="r-e2e")
    ResidentAccount.objects.create(
        user=resident, phone="13912345678", phone_index="idx-e2e", resident=case.applicant
    )
    phone.context.add_cookies([session_cookie(resident, base)])

    # 1. the resident, on her phone, complains about her case
    phone.goto(f"{base}/feedback/complaints/new/")
    expect(phone.locator("main")).to_contain_text("只能填写您本人的办件")
    phone.fill("#id_case", "152522-NOT-MINE")
    phone.fill("#id_content", "领取结果时等了两个小时")
    phone.fill("#id_contact", "13912345678")
    phone.get_by_role("button", name="提交").click()
    expect(phone.locator("#err-case")).to_contain_text("只能关联您本人的办件")
    expect(phone.locator("#id_content")).to_have_value("领取结果时等了两个小时")  # nothing lost
    phone.fill("#id_case", case.number)
    phone.get_by_role("button", name="提交").click()
    expect(phone.get_by_role("status")).to_contain_text("已登记")
    c = Complaint.objects.get()
    assert c.case == case and c.centre == case.centre

    # 2. the centre head: the case is linked, the contact hidden until she takes it on
    head = make_staff(
        "head_a", "甲镇中心主任", e2e_world["ta"], ["centre_head"], centre=e2e_world["centres"]["a"]
    )
    context, page = signed_in_page(browser, base, head.user, height=800)
    try:
        page.goto(f"{base}/feedback/complaints/{c.number}/")
        expect(page.locator("#complaint-case")).to_have_attribute("href", f"/cases/{case.number}/")
        expect(page.locator("#complaint-contact")).to_contain_text("仅交办的承办人可见")
        expect(page.locator("#complaint-contact")).not_to_contain_text("13912345678")
        fast = page.locator("#fast-track")
        expect(fast).to_contain_text("报送、交办本人、开始办理、反馈答复")
        page.fill("#id_fast_answer", "已调整出件窗口人手，并向您致歉")
        fast.get_by_role("button").click()
        expect(page.locator("h1")).to_contain_text("反馈")
        steps = page.locator(".steps-list li")
        expect(steps).to_have_count(5)
        for i, name in enumerate(["收集", "报送", "交办", "办理", "反馈"]):
            expect(steps.nth(i)).to_contain_text(name)
        expect(page.locator("#complaint-contact a")).to_have_attribute("href", "tel:13912345678")
        assert PersonalDataAccess.objects.filter(actor=head.user, object_type="Complaint").count() == 1
    finally:
        context.close()

    # 3. another centre's clerk cannot open it
    context, page = signed_in_page(
        browser, base, get_user_model().objects.get(username="outsider"), height=800
    )
    try:
        resp = page.goto(f"{base}/feedback/complaints/{c.number}/")
        assert resp is not None and resp.status == 404
        expect(page.locator("body")).not_to_contain_text("13912345678")
    finally:
        context.close()

    # 4. the resident sees it and its answer in 我的办件
    phone.goto(f"{base}/my/")
    mine = phone.locator("#my-complaints")
    expect(mine).to_contain_text(c.number)
    expect(mine).to_contain_text("已调整出件窗口人手")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    # 5. a 差评 without a reason asks for one, keeping the chosen level
    phone.goto(f"{base}/feedback/rate/?number={case.number}&check=002x")
    phone.get_by_role("radio", name="非常不满意").check()
    phone.get_by_role("button", name="提交评价").click()
    expect(phone.get_by_role("alert")).to_contain_text("请写明不满意的原因")
    expect(phone.get_by_role("radio", name="非常不满意")).to_be_checked()
    phone.fill("#id_comment", "出件窗口无人")
    phone.get_by_role("button", name="提交评价").click()
    expect(phone.get_by_role("status")).to_contain_text("评价成功")

    # 6. the rectification page links the case and shows the rater's phone for the call back
    context, page = signed_in_page(browser, base, head.user, height=800)
    try:
        page.goto(f"{base}/feedback/rectifications/")
        page.locator("table.rect-list tbody tr").filter(has_text=case.number).get_by_role(
            "link"
        ).first.click()
        expect(page.locator("#rect-case")).to_have_attribute("href", f"/cases/{case.number}/")
        expect(page.locator("#rater-contact a")).to_have_attribute("href", "tel:13912345678")
        page.fill("#cb-note", "已电话回访")
        page.get_by_role("button", name="登记回访").click()
        expect(page.locator("main")).to_contain_text("整改中")
    finally:
        context.close()
    # the rater hears about it in her inbox
    phone.goto(f"{base}/my/inbox/")
    expect(phone.locator("main")).to_contain_text("正在整改")
