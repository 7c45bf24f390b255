"""Issue 15, the resident on a phone: a validation error never loses chosen files; a material may have
several files (with limits); missing required materials are named; hostile files get clear Chinese
errors and never a 500."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from onewindow.cases.models import Case
from onewindow.files.models import StoredFile
from onewindow.org.actors import actor_of
from onewindow.portal import pending
from onewindow.portal.models import CaseUpload, PendingUpload
from tests.portal.resident_helpers import (
    ID_A,
    ID_B,
    PHONE_A,
    PHONE_B,
    apply_data,
    fake_jpg,
    png,
    resident_client,
    set_online,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def online(world: dict[str, Any], settings: Any, tmp_path: Path) -> dict[str, Any]:
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    set_online("MZ-001")
    return world


def files_on_disk() -> list[Path]:
    from onewindow.files.services import storage_root

    return [p for p in storage_root().rglob("*") if p.is_file()]


def pending_ids(html: str, code: str) -> list[str]:
    return re.findall(rf'name="pending-{code}" value="([0-9a-f-]+)"', html)


def test_a_validation_error_keeps_the_chosen_files_and_the_resubmission_uses_them(online: Any) -> None:
    c, _account = resident_client(PHONE_A, "巴特尔", ID_A)
    r = c.post(
        "/apply/MZ-001/",
        apply_data(
            **{"f-reason": "", "file-M01": [png("身份证正面.png"), png("身份证反面.png", color="blue")]}
        ),
    )
    html = r.content.decode()
    assert r.status_code == 422 and "请填写「申请事由」" in html
    assert "已选择：身份证正面.png" in html and "已选择：身份证反面.png" in html and "移除" in html
    ids = pending_ids(html, "M01")
    assert len(ids) == 2 and not Case.objects.exists()
    stored_before = StoredFile.objects.count()
    token = re.search(r'name="token" value="([0-9a-f]+)"', html).group(1)  # type: ignore[union-attr]

    # resubmit: nothing chosen again, the kept files travel with the form
    r = c.post("/apply/MZ-001/", apply_data(**{"pending-M01": ids, "token": token}))
    assert r.status_code == 302
    case = Case.objects.get()
    ups = list(CaseUpload.objects.filter(case=case).order_by("pk"))
    assert [u.material_code for u in ups] == ["M01", "M01"]
    assert {u.file.name for u in ups} == {"身份证正面.png", "身份证反面.png"}
    assert not PendingUpload.objects.exists()  # claimed
    assert StoredFile.objects.count() == stored_before == 2  # nothing stored twice
    assert case.materials[0]["provided"] is True and case.materials[1]["provided"] is False
    # the checklist says how many files came with each material (the clerk's case page shows it)
    assert case.materials[0]["note"] == "网上提交 2 个文件" and case.materials[1]["note"] == ""


def test_remove_a_chosen_file(online: Any) -> None:
    c, _account = resident_client(PHONE_A, "巴特尔", ID_A)
    r = c.post("/apply/MZ-001/", apply_data(**{"f-reason": "", "file-M01": [png("a.png"), png("b.png")]}))
    ids = pending_ids(r.content.decode(), "M01")
    drop = PendingUpload.objects.get(file__name="b.png")
    r = c.post("/apply/MZ-001/", apply_data(**{"pending-M01": ids, "drop": str(drop.pk)}))
    assert r.status_code == 302
    assert [u.file.name for u in CaseUpload.objects.all()] == ["a.png"]
    assert StoredFile.objects.count() == 1 and len(files_on_disk()) == 1  # the removed one is gone


def test_another_resident_can_never_claim_pending_files(online: Any) -> None:
    a, account_a = resident_client(PHONE_A, "巴特尔", ID_A)
    r = a.post("/apply/MZ-001/", apply_data(**{"f-reason": "", "file-M01": png("a-id.png")}))
    ids = pending_ids(r.content.decode(), "M01")
    assert len(ids) == 1
    b, _account_b = resident_client(PHONE_B, "其其格", ID_B)
    r = b.post("/apply/MZ-001/", apply_data(**{"pending-M01": ids}))
    html = r.content.decode()
    assert r.status_code == 422 and "之前选择的文件已失效，请重新选择文件" in html
    assert "a-id.png" not in html and not Case.objects.exists()
    # nor remove them, nor use them in a supplement
    b.post("/apply/MZ-001/", apply_data(**{"drop": ids[0], "f-reason": ""}))
    p = PendingUpload.objects.get()
    assert p.account == account_a and str(p.pk) == ids[0]
    # A still can
    assert a.post("/apply/MZ-001/", apply_data(**{"pending-M01": ids})).status_code == 302
    assert CaseUpload.objects.get().case.applicant_id == account_a.resident_id
    # garbage ids are a clear error, not a 500
    r = b.post("/apply/MZ-001/", apply_data(**{"pending-M01": "../../etc/passwd"}))
    assert r.status_code == 422 and "已失效" in r.content.decode()


def test_missing_required_materials_are_named_server_side(online: Any) -> None:
    c, _account = resident_client(PHONE_A, "巴特尔", ID_A)
    r = c.post("/apply/MZ-001/", apply_data(incomplete="", **{"file-M01": png("id.png")}))
    html = r.content.decode()
    assert r.status_code == 422 and "您还缺 1 项必需材料：户口簿" in html
    assert not Case.objects.exists() and "已选择：id.png" in html
    r = c.post("/apply/MZ-001/", apply_data(incomplete=""))
    assert "您还缺 2 项必需材料：居民身份证、户口簿" in r.content.decode()
    # every error at once: the empty field and the missing material
    r = c.post("/apply/MZ-001/", apply_data(incomplete="", **{"f-reason": ""}))
    html = r.content.decode()
    assert "请填写「申请事由」" in html and "您还缺 2 项必需材料" in html
    # submitting anyway is the resident's right: the window then issues the one-time notice
    ids = pending_ids(c.post("/apply/MZ-001/", apply_data(incomplete="")).content.decode(), "M01")
    r = c.post("/apply/MZ-001/", apply_data(**{"pending-M01": pending_ids(html, "M01") or ids}))
    assert r.status_code == 302 and Case.objects.count() == 1


def test_the_form_shows_the_client_hint_box_and_multiple_inputs(online: Any) -> None:
    c, _account = resident_client(PHONE_A, "巴特尔", ID_A)
    html = c.get("/apply/MZ-001/").content.decode()
    assert 'id="missing-hint"' in html and 'name="incomplete"' in html
    assert html.count("multiple") >= 2 and 'data-required="1"' in html
    assert "portal/uploads.js" in html and "portal/uploads.css" in html


def test_per_material_and_per_application_limits(online: Any, settings: Any) -> None:
    settings.UPLOAD_MAX_FILES_PER_MATERIAL = 2
    c, _account = resident_client(PHONE_A, "巴特尔", ID_A)
    r = c.post("/apply/MZ-001/", apply_data(**{"file-M01": [png("1.png"), png("2.png"), png("3.png")]}))
    assert r.status_code == 422
    assert "「居民身份证」最多上传 2 个文件，现在有 3 个，请删去一些" in r.content.decode()
    assert not StoredFile.objects.exists()
    # kept files count towards the limit
    r = c.post("/apply/MZ-001/", apply_data(**{"f-reason": "", "file-M01": [png("1.png"), png("2.png")]}))
    ids = pending_ids(r.content.decode(), "M01")
    r = c.post("/apply/MZ-001/", apply_data(**{"pending-M01": ids, "file-M01": png("3.png")}))
    assert r.status_code == 422 and "现在有 3 个" in r.content.decode()
    assert PendingUpload.objects.count() == 2

    settings.UPLOAD_MAX_FILES_PER_MATERIAL = 10
    settings.UPLOAD_MAX_FILES_PER_APPLICATION = 3
    r = c.post(
        "/apply/MZ-001/",
        apply_data(**{"pending-M01": ids, "file-M02": [png("h1.png"), png("h2.png")]}),
    )
    assert r.status_code == 422 and "一次申请最多上传 3 个文件，现在有 4 个" in r.content.decode()

    settings.UPLOAD_MAX_FILES_PER_APPLICATION = 30
    size = png("big.png", size=(400, 400)).size
    settings.UPLOAD_MAX_MATERIAL_BYTES = size - 1
    r = c.post("/apply/MZ-001/", apply_data(**{"file-M02": png("big.png", size=(400, 400))}))
    assert r.status_code == 422 and "「户口簿」的文件合计不能超过" in r.content.decode()
    settings.UPLOAD_MAX_MATERIAL_BYTES = 10**9
    settings.UPLOAD_MAX_APPLICATION_BYTES = 10
    r = c.post("/apply/MZ-001/", apply_data(**{"file-M02": png("h.png")}))
    assert r.status_code == 422 and "一次申请的文件合计不能超过" in r.content.decode()
    assert not Case.objects.exists()


def test_hostile_files_get_clear_chinese_errors_and_the_good_ones_are_kept(
    online: Any, settings: Any
) -> None:
    c, _account = resident_client(PHONE_A, "巴特尔", ID_A)
    exe = SimpleUploadedFile("setup.jpg", b"MZ\x90\x00" + b"\x00" * 4000, content_type="image/jpeg")
    big = SimpleUploadedFile(
        "big.jpg", b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024), content_type="image/jpeg"
    )
    names = ["ᠮᠣᠩᠭᠣᠯ ᠪᠢᠴᠢᠭ.png", "🐎户口簿🏠.png"]
    r = c.post(
        "/apply/MZ-001/",
        apply_data(**{"file-M01": [exe, png(names[0])], "file-M02": [big, png(names[1])]}),
    )
    html = r.content.decode()
    assert r.status_code == 422
    assert "「setup.jpg」：只能上传 JPEG、PNG 图片或 PDF 文件" in html
    assert "「big.jpg」：文件过大：最大 10 MB" in html
    for name in names:
        assert f"已选择：{name}" in html
    assert set(PendingUpload.objects.values_list("file__name", flat=True)) == set(names)
    assert len(files_on_disk()) == 2
    ids = pending_ids(html, "M01") + pending_ids(html, "M02")
    r = c.post("/apply/MZ-001/", apply_data(**{"pending-M01": ids[:1], "pending-M02": ids[1:]}))
    assert r.status_code == 302 and CaseUpload.objects.count() == 2


def test_nul_in_a_file_name_is_refused_in_chinese_never_a_500(online: Any) -> None:
    c, _account = resident_client(PHONE_A, "巴特尔", ID_A)
    token = c.get("/apply/MZ-001/").cookies.get("csrftoken")
    body = (
        b'--B\r\nContent-Disposition: form-data; name="f-reason"\r\n\r\nx\r\n'
        b'--B\r\nContent-Disposition: form-data; name="centre"\r\n\r\nC-A\r\n'
        b'--B\r\nContent-Disposition: form-data; name="incomplete"\r\n\r\n1\r\n'
        b'--B\r\nContent-Disposition: form-data; name="file-M01"; filename="id\x00.png"\r\n'
        b"Content-Type: image/png\r\n\r\n" + png().read() + b"\r\n--B--\r\n"
    )
    r = c.generic(
        "POST",
        "/apply/MZ-001/",
        body,
        content_type="multipart/form-data; boundary=B",
        HTTP_X_CSRFTOKEN=token.value if token else "",
    )
    # Django's parser cuts the name at the NUL, or the boundary refuses it: never a 500, never a NUL stored
    assert r.status_code in (302, 422), r.status_code
    if r.status_code == 422:
        assert "内容包含不允许的控制字符（NUL）" in r.content.decode()
        assert not Case.objects.exists()
    else:
        assert "\x00" not in CaseUpload.objects.get().file.name
    assert all("\x00" not in f.name for f in StoredFile.objects.all())


def test_a_second_submission_of_the_same_form_is_told_not_doubled(online: Any) -> None:
    c, _account = resident_client(PHONE_A, "巴特尔", ID_A)
    html = c.get("/apply/MZ-001/").content.decode()
    token = re.search(r'name="token" value="([0-9a-f]+)"', html).group(1)  # type: ignore[union-attr]
    data = apply_data(token=token, **{"file-M01": png(), "file-M02": png()})
    assert c.post("/apply/MZ-001/", data).status_code == 302
    data = apply_data(token=token, **{"file-M01": png(), "file-M02": png()})
    r = c.post("/apply/MZ-001/", data)
    assert r.status_code == 409 and "这份申请已经提交过了" in r.content.decode()
    assert Case.objects.count() == 1 and CaseUpload.objects.count() == 2


def test_supplement_keeps_files_through_an_error_and_takes_several_files(online: Any) -> None:
    from django.contrib.auth import get_user_model

    from onewindow.cases import services as case_services

    c, _account = resident_client(PHONE_A, "巴特尔", ID_A)
    c.post("/apply/MZ-001/", apply_data(**{"file-M01": png("id.png")}))
    case = Case.objects.get()
    clerk = get_user_model().objects.get(username="clerk")
    case_services.case_transition(actor=actor_of(clerk), number=case.number, action="request_correction")
    url = f"/my/cases/{case.number}/supplement/"
    r = c.post(url, {"file-M02": [png("户口簿首页.png"), fake_jpg("户口簿本人页.jpg")]})
    html = r.content.decode()
    assert r.status_code == 422 and "「户口簿本人页.jpg」：只能上传" in html
    assert "已选择：户口簿首页.png" in html and 'class="upload-form"' in html
    ids = pending_ids(html, "M02")
    # another resident cannot use them
    b, _ = resident_client(PHONE_B, "其其格", ID_B)
    assert b.post(url, {"pending-M02": ids}).status_code == 404
    r = c.post(url, {"pending-M02": ids, "file-M02": png("户口簿本人页.png")})
    assert r.status_code == 302
    got = CaseUpload.objects.filter(case=case, stage="supplement").order_by("pk")
    assert [u.file.name for u in got] == ["户口簿首页.png", "户口簿本人页.png"]

    # the clerk's case page lists every file of each material
    staff = Client()
    staff.force_login(clerk)
    page = staff.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "群众网上提交的材料（3 个文件）" in page and "2 个文件" in page
    for up in CaseUpload.objects.filter(case=case):
        assert reverse("portal:staff_upload", args=[up.pk]) in page


def test_api_supplement_takes_several_files_per_material(online: Any) -> None:
    from django.contrib.auth import get_user_model

    from onewindow.cases import services as case_services

    c, _account = resident_client(PHONE_A, "巴特尔", ID_A)
    c.post("/apply/MZ-001/", apply_data(**{"file-M01": png("id.png")}))
    case = Case.objects.get()
    clerk = get_user_model().objects.get(username="clerk")
    case_services.case_transition(actor=actor_of(clerk), number=case.number, action="request_correction")
    url = f"/api/v1/my/cases/{case.number}/supplement"
    r = c.post(url, {"file-M02": [png("p1.png"), fake_jpg("p2.jpg")]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "unsupported_file_type"
    assert not PendingUpload.objects.exists() and StoredFile.objects.count() == 1  # API: nothing kept
    r = c.post(url, {"file-M02": [png("p1.png"), png("p2.png")]})
    assert r.status_code == 200, r.content
    assert CaseUpload.objects.filter(case=case, material_code="M02").count() == 2


def test_expired_pending_files_are_purged(online: Any) -> None:
    c, _account = resident_client(PHONE_A, "巴特尔", ID_A)
    c.post("/apply/MZ-001/", apply_data(**{"f-reason": "", "file-M01": png()}))
    p = PendingUpload.objects.get()
    PendingUpload.objects.filter(pk=p.pk).update(
        created_at=p.created_at - dt.timedelta(hours=pending.PENDING_HOURS + 1)
    )
    assert pending.pending_purge() == 1
    assert not PendingUpload.objects.exists() and not StoredFile.objects.exists() and files_on_disk() == []


def test_reusing_a_material_brings_every_file_of_it(online: Any) -> None:
    from onewindow.portal import applications

    v2 = set_online("MZ-002")
    c, account = resident_client(PHONE_A, "巴特尔", ID_A)
    r = c.post(
        "/apply/MZ-001/",
        apply_data(**{"file-M01": [png("正面.png"), png("反面.png")], "file-M02": png("h.png")}),
    )
    assert r.status_code == 302
    offered = applications.reusable_uploads(account, v2)
    r = c.post("/apply/MZ-002/", apply_data(**{"reuse-M01": str(offered["M01"].pk), "file-M02": png()}))
    assert r.status_code == 302
    case = Case.objects.get(item_version__item__code="MZ-002")
    reused = CaseUpload.objects.filter(case=case, material_code="M01")
    assert sorted(u.file.name for u in reused) == ["反面.png", "正面.png"]
    assert all(u.reused_from_id is not None for u in reused)
    assert case.materials[0]["note"] == "网上提交 2 个文件（复用以前的材料）"
