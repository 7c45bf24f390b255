"""Applying online: item search, typed form, content-checked uploads, correction round trip, reuse,
my cases (own only), documents and the plain-words timeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from onewindow.cases import services as case_services
from onewindow.cases.models import Case, CaseEvent, Channel, State
from onewindow.core.errors import DomainError
from onewindow.files.models import StoredFile
from onewindow.files.services import storage_root
from onewindow.notify.models import Notification
from onewindow.org.actors import actor_of
from onewindow.portal.models import CaseUpload, PendingUpload
from tests.portal.resident_helpers import (
    ID_A,
    ID_B,
    PHONE_A,
    PHONE_B,
    apply_data,
    case_needing_correction,
    clerk,
    fake_jpg,
    png,
    resident_client,
    set_online,
    set_reusable,
    shows_message_not_code,
    sign_up,
)

pytestmark = pytest.mark.django_db


def _service_refuses(user: Any, item: str, *, channel: str) -> str:
    """The code with which the intake service itself refuses this user's empty application."""
    with pytest.raises(DomainError) as exc:
        case_services.case_intake(
            actor=actor_of(user), item=item, centre="C-A", applicant={}, materials=[], channel=channel
        )
    return exc.value.code


@pytest.fixture
def online(online: dict[str, Any]) -> dict[str, Any]:
    """MZ-002 is open online too."""
    set_online("MZ-002")
    return online


def files_on_disk() -> list[Path]:
    root = storage_root()
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_apply_list_searches_words_and_pinyin_and_shows_only_online_items(
    online: Any, client: Client
) -> None:
    set_online("MZ-002", False)
    body = client.get("/apply/?q=dbsq").content.decode()
    assert "最低生活保障申请" in body
    assert "最低生活保障申请" in client.get("/apply/?q=低保").content.decode()
    assert "高龄津贴申请" not in client.get("/apply/").content.decode()
    assert "最低生活保障申请" not in client.get("/apply/?q=gaoling").content.decode()


def test_apply_with_a_missing_material_then_correction_round_trip(online: Any) -> None:
    c, account = resident_client(PHONE_A, "巴特尔", ID_A)
    page = c.get("/apply/MZ-001/").content.decode()
    assert "申请事由" in page and "户口簿" in page and "甲镇便民服务中心" in page
    r = c.post("/apply/MZ-001/", apply_data(**{"file-M01": png("id.png")}))
    assert r.status_code == 302, r.content.decode()[:2000]
    case = Case.objects.get()
    assert r["Location"] == f"/my/cases/{case.number}/"
    assert case.state == State.SUBMITTED and case.channel == Channel.ONLINE
    assert case.centre.code == "C-A" and case.window is not None and case.window.kind == "comprehensive"
    assert case.applicant_id == account.resident_id
    assert case.form_data == {"reason": "家庭困难，收入低于低保标准"}
    assert [m["provided"] for m in case.materials] == [True, False]
    ev = case.events.get()
    assert ev.action == "submit" and ev.role == "resident" and ev.actor_name == ""
    up = CaseUpload.objects.get()
    assert up.material_code == "M01" and up.file.content_type in {"image/png", "image/jpeg"}
    # the resident can open the own file; the inbox and SMS say it was submitted
    assert c.get(f"/my/files/{up.pk}/").status_code == 200
    assert Notification.objects.filter(template="portal_submitted", channel="inbox").count() == 1
    assert Notification.objects.filter(template="portal_submitted", channel="sms").count() == 1

    # The window checks it: ONE notice listing the missing 户口簿 → portal inbox + SMS.
    case_services.case_transition(actor=actor_of(clerk()), number=case.number, action="request_correction")
    inbox = Notification.objects.get(template="portal_correction", channel="inbox")
    assert "户口簿" in inbox.body and inbox.user_id == account.user_id
    sms = Notification.objects.get(template="portal_correction", channel="sms")
    assert sms.recipient == PHONE_A
    page = c.get(f"/my/cases/{case.number}/").content.decode()
    assert "需补正的材料" in page and "户口簿" in page and "一次性告知书" in page
    pdf = c.get(f"/my/cases/{case.number}/documents/correction_notice.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    # The resident supplements online; the case waits for the window.
    r = c.post(f"/my/cases/{case.number}/supplement/", {"file-M02": png("hukou.png", color="blue")})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.state == State.CORRECTION_NEEDED
    assert case.events.order_by("-seq").first().action == "resident_supplement"  # type: ignore[union-attr]
    assert CaseUpload.objects.filter(case=case, stage="supplement", material_code="M02").exists()
    assert "补正材料已提交" in c.get(f"/my/cases/{case.number}/").content.decode()

    # The clerk takes the supplement → accepted with a deadline; the resident is told.
    case_services.case_transition(
        actor=actor_of(clerk()),
        number=case.number,
        action="supplement",
        materials=[{"code": "M02", "provided": True}],
    )
    case.refresh_from_db()
    assert case.state == State.ACCEPTED and case.deadline is not None
    assert Notification.objects.filter(template="portal_accepted", channel="sms").exists()
    page = c.get(f"/my/cases/{case.number}/").content.decode()
    assert "已受理" in page and case.deadline.strftime("%Y-%m-%d") in page
    assert "受理回执" in page
    # plain words, the window but never a staff member's name
    assert "您在网上提交了申请" in page and "甲镇便民服务中心" in page
    assert "综窗甲" not in page
    assert c.get(f"/my/cases/{case.number}/documents/receipt.pdf").status_code == 200


def test_delivered_case_offers_rating(online: Any) -> None:
    c, _account = resident_client(PHONE_A, "巴特尔", ID_A)
    c.post("/apply/MZ-001/", apply_data(**{"file-M01": png(), "file-M02": png()}))
    case = Case.objects.get()
    reviewer = get_user_model().objects.get(username="reviewer")
    case_services.case_transition(actor=actor_of(clerk()), number=case.number, action="accept")
    case_services.case_transition(actor=actor_of(reviewer), number=case.number, action="approve")
    case_services.case_transition(actor=actor_of(clerk()), number=case.number, action="ready")
    assert Notification.objects.filter(template="portal_ready", channel="inbox").exists()
    case_services.case_transition(
        actor=actor_of(clerk()), number=case.number, action="deliver", to="window", signed_by="巴特尔"
    )
    page = c.get(f"/my/cases/{case.number}/").content.decode()
    assert "已办结" in page and "评价本次服务" in page
    assert f"/feedback/rate/?number={case.number}&amp;check=002X" in page
    assert c.get(f"/feedback/rate/?number={case.number}&check=002X").status_code == 200
    assert "办理结果" in page  # result PDF link
    assert c.get(f"/my/cases/{case.number}/documents/result.pdf").content.startswith(b"%PDF")


def test_renamed_non_image_is_refused_the_good_file_is_kept(online: Any) -> None:
    c, _account = resident_client(PHONE_A, "巴特尔", ID_A)
    r = c.post("/apply/MZ-001/", apply_data(**{"file-M01": png("id.png"), "file-M02": fake_jpg()}))
    assert r.status_code == 422 and shows_message_not_code(
        r, "unsupported_file_type", "「scan.jpg」：只能上传 JPEG、PNG 图片或 PDF 文件"
    )
    assert "改扩展名无效" in r.content.decode()
    assert not Case.objects.exists() and not CaseUpload.objects.exists()
    # the renamed file is not stored; the good one is kept for this resident's form, not lost
    assert StoredFile.objects.count() == 1 and len(files_on_disk()) == 1
    assert PendingUpload.objects.get().file.name == "id.png"
    assert "已选择：id.png" in r.content.decode()
    # what the resident typed is still there
    assert "家庭困难，收入低于低保标准" in r.content.decode()


def test_form_missing_required_field_keeps_the_file(online: Any) -> None:
    c, _account = resident_client(PHONE_A, "巴特尔", ID_A)
    r = c.post("/apply/MZ-001/", apply_data(**{"f-reason": "", "file-M01": png("id.png")}))
    assert r.status_code == 422 and "请填写「申请事由」" in r.content.decode()
    assert not Case.objects.exists() and not CaseUpload.objects.exists()
    assert "已选择：id.png" in r.content.decode() and PendingUpload.objects.count() == 1


def test_item_not_online(online: Any) -> None:
    set_online("MZ-002", False)
    c, _account = resident_client(PHONE_A, "巴特尔", ID_A)
    r = c.get("/apply/MZ-002/")
    assert r.status_code == 422 and shows_message_not_code(r, "item_not_online", "暂不支持网上办理")
    r = c.post("/apply/MZ-002/", apply_data(**{"file-M01": png()}))
    assert r.status_code == 422 and not Case.objects.exists()
    # the service refuses it too (the same rule for the API)
    assert _service_refuses(_account.user, "MZ-002", channel="online") == "item_not_online"


def test_real_name_needed_before_applying(online: Any) -> None:
    account = sign_up(PHONE_A)
    c = Client()
    c.force_login(account.user)
    r = c.get("/apply/MZ-001/")
    assert r.status_code == 302 and r["Location"].startswith("/my/realname/")
    assert _service_refuses(account.user, "MZ-001", channel="online") == "real_name_required"
    # a resident cannot use the window channel
    assert _service_refuses(account.user, "MZ-001", channel="window") == "no_staff_profile"


def test_resident_a_cannot_open_resident_bs_case(online: Any) -> None:
    a, _ = resident_client(PHONE_A, "巴特尔", ID_A)
    b, _ = resident_client(PHONE_B, "其木格", ID_B)
    b.post("/apply/MZ-001/", apply_data(**{"file-M01": png()}))
    case = Case.objects.get()
    up = CaseUpload.objects.get()
    assert b.get(f"/my/cases/{case.number}/").status_code == 200
    assert a.get(f"/my/cases/{case.number}/").status_code == 404
    assert a.get(f"/my/cases/{case.number}/documents/receipt.pdf").status_code == 404
    assert a.get(f"/my/files/{up.pk}/").status_code == 404
    assert a.post(f"/my/cases/{case.number}/supplement/", {"file-M02": png()}).status_code == 404
    assert case.number not in a.get("/my/").content.decode()
    assert case.number in b.get("/my/").content.decode()
    assert a.get(f"/api/v1/my/cases/{case.number}").status_code == 404
    assert b.get(f"/api/v1/my/cases/{case.number}").status_code == 200


def test_material_reuse(online: Any) -> None:
    c, _account = resident_client(PHONE_A, "巴特尔", ID_A)
    c.post("/apply/MZ-001/", apply_data(**{"file-M01": png(), "file-M02": png(color="blue")}))
    first = CaseUpload.objects.get(material_code="M02")
    id_card = CaseUpload.objects.get(material_code="M01")
    # 高龄津贴 asks for the same 居民身份证 (a fresh original each time) and 户口簿 (reusable).
    set_reusable("MZ-002", "M01", False)
    page = c.get("/apply/MZ-002/").content.decode()
    assert f'name="reuse-M02" value="{first.pk}"' in page
    assert 'name="reuse-M01"' not in page and "此材料每次须重新提交" in page
    # reusing the fresh-original material is refused (no half-saved case)
    r = c.post("/apply/MZ-002/", apply_data(**{"reuse-M01": str(id_card.pk), "reuse-M02": str(first.pk)}))
    assert r.status_code == 422 and shows_message_not_code(r, "material_not_reusable", "不能复用以前的材料")
    assert Case.objects.count() == 1
    # one tap: reuse 户口簿, upload a fresh ID card
    r = c.post("/apply/MZ-002/", apply_data(**{"file-M01": png(), "reuse-M02": str(first.pk)}))
    assert r.status_code == 302
    case = Case.objects.get(item__code="MZ-002")
    assert all(m["provided"] for m in case.materials)
    reused = CaseUpload.objects.get(case=case, material_code="M02")
    assert reused.reused_from_id == first.pk and reused.file_id == first.file_id
    assert StoredFile.objects.count() == 3  # no copy of the reused file
    # someone else's upload can never be reused
    other, _ = resident_client(PHONE_B, "其木格", ID_B)
    r = other.post("/apply/MZ-002/", apply_data(**{"file-M01": png(), "reuse-M02": str(first.pk)}))
    assert r.status_code == 422 and shows_message_not_code(r, "material_not_reusable", "不能复用以前的材料")


def test_events_of_a_resident_keep_the_hash_chain(online: Any) -> None:
    from onewindow.cases.selectors import chain_verify

    c, _ = resident_client(PHONE_A, "巴特尔", ID_A)
    case = case_needing_correction(c, png())
    c.post(f"/my/cases/{case.number}/supplement/", {"file-M02": png()})
    assert CaseEvent.objects.filter(case=case).count() == 3
    assert chain_verify(case) == []


def test_the_window_sees_the_uploaded_files_outsiders_do_not(online: Any, login: Any) -> None:
    from onewindow.security.models import AuditEntry

    c, _ = resident_client(PHONE_A, "巴特尔", ID_A)
    c.post("/apply/MZ-001/", apply_data(**{"file-M01": png()}))
    case = Case.objects.get()
    up = CaseUpload.objects.get()
    staff = login("clerk")
    rows = staff.get(f"/api/v1/cases/{case.number}/uploads").json()
    assert [r["material"] for r in rows] == ["M01"]
    r = staff.get(rows[0]["url"])
    assert r.status_code == 200 and r["Content-Type"] in {"image/png", "image/jpeg"}
    assert AuditEntry.objects.filter(action="privacy.document_view").exists()
    outsider = Client()
    outsider.force_login(get_user_model().objects.get(username="outsider"))
    assert outsider.get(f"/staff/uploads/{up.pk}/").status_code == 404
    assert outsider.get(f"/api/v1/cases/{case.number}/uploads").status_code == 404
    # the resident is not staff
    assert c.get(f"/staff/uploads/{up.pk}/").status_code == 403
