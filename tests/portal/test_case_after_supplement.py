"""The resident's case page after an online supplement says what happens next, and residents never see
machine error codes (issue 15)."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.cases import services as case_services
from onewindow.cases.models import State
from onewindow.org.actors import actor_of
from tests.portal.resident_helpers import (
    ID_A,
    ID_B,
    PHONE_A,
    PHONE_B,
    case_needing_correction,
    clerk,
    png,
    resident_client,
)

pytestmark = pytest.mark.django_db


def test_after_the_supplement_the_page_says_what_happens_next(online: Any) -> None:
    c, _account = resident_client(PHONE_A, "巴特尔", ID_A)
    case = case_needing_correction(c)
    page = c.get(f"/my/cases/{case.number}/").content.decode()
    assert "待补正" in page and "请按一次性告知书补正材料" in page
    assert c.post(f"/my/cases/{case.number}/supplement/", {"file-M02": png("hukou.png")}).status_code == 302
    case.refresh_from_db()
    assert case.state == State.CORRECTION_NEEDED  # the window checks next
    page = c.get(f"/my/cases/{case.number}/").content.decode()
    state_line = page[page.index('class="state-line"') :][:400]
    assert "补正材料已提交" in state_line and "等待窗口审核" in state_line and "待补正" not in state_line
    assert "请按一次性告知书补正材料" not in page
    assert 'id="supplement-status"' in page
    listing = c.get("/my/").content.decode()
    assert "补正材料已提交" in listing and "待补正" not in listing
    # the window accepts: the page says so
    case_services.case_transition(
        actor=actor_of(clerk()),
        number=case.number,
        action="supplement",
        materials=[{"code": "M02", "provided": True}],
    )
    page = c.get(f"/my/cases/{case.number}/").content.decode()
    assert "补正材料已提交，等待窗口审核" not in page and "已受理" in page


def test_a_second_notice_asks_again(online: Any, world: Any) -> None:
    """A notice after the supplement (centre head's approved second notice) is 待补正 again."""
    from tests.factories import make_staff

    head = make_staff("head", "中心主任", world["ta"], ["centre_head"], centre=world["centres"]["a"])
    c, _account = resident_client(PHONE_A, "巴特尔", ID_A)
    case = case_needing_correction(c)
    c.post(f"/my/cases/{case.number}/supplement/", {"file-M02": png("hukou.png")})
    case_services.case_transition(
        actor=actor_of(head.user),
        number=case.number,
        action="request_correction",
        materials=[{"code": "M01", "provided": True}, {"code": "M02", "provided": False, "note": "照片模糊"}],
        override_reason="户口簿照片无法辨认",
    )
    page = c.get(f"/my/cases/{case.number}/").content.decode()
    assert "补正材料已提交，等待窗口审核" not in page and "待补正" in page


def test_residents_see_the_message_never_the_code(online: Any) -> None:
    c, _account = resident_client(PHONE_A, "巴特尔", ID_A)
    case = case_needing_correction(c)
    r = c.post(f"/my/cases/{case.number}/supplement/", {})  # nothing uploaded
    body = r.content.decode()
    assert r.status_code == 422 and "请上传需补正的材料" in body
    assert "错误代码" not in body and "invalid" not in body.split('id="form-error"')[1][:400]
    # another resident opening this case: the Chinese message only
    other, _ = resident_client(PHONE_B, "其木格", ID_B)
    r = other.get(f"/my/cases/{case.number}/")
    body = r.content.decode()
    assert r.status_code == 404 and "办件不存在" in body
    assert "错误代码" not in body and "not_found" not in body


def test_staff_error_pages_keep_the_code_for_the_helpdesk(online: Any, login: Any) -> None:
    r = login("clerk").get("/cases/0000/")
    assert r.status_code == 404 and "错误代码" in r.content.decode()
