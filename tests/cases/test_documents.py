"""The case PDFs: real PDF bytes whose text carries the case number, the applicant (masked) and,
for the one-time notice, every missing material with its reason and the law's 5-day rule."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from pypdf import PdfReader

from onewindow.api.tokens import token_create
from onewindow.cases import documents
from onewindow.core.errors import NotFound
from tests.cases.conftest import ALL_MATERIALS, GOOD_ID, act, applicant, intake


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() or "" for page in reader.pages)
    return re.sub(r"\s+", "", text)  # CJK lines wrap anywhere; compare without white space


def test_correction_notice_lists_every_missing_material(world: Any, today: Any) -> None:
    case = intake(
        materials=[
            {"code": "M01", "provided": False},
            {"code": "M02", "provided": False, "note": "复印件不清晰"},
        ]
    )
    assert documents.document_kinds(case) == ["correction_notice"]
    text = pdf_text(documents.case_document_pdf(case, "correction_notice", site_url="http://test.local/"))
    assert "一次性告知书" in text.replace(" ", "")
    assert case.number in text
    assert "居民身份证" in text and "未提交（需原件1份）" in text
    assert "户口簿" in text and "材料不符合要求：复印件不清晰" in text
    assert "五日内一次告知" in text and "第三十二条" in text
    assert "甲镇便民服务中心" in text and "最低生活保障申请" in text
    # the applicant is masked on paper
    assert "巴**" in text and "1101**********002X" in text
    assert "巴特尔" not in text and GOOD_ID not in text and "13912345678" not in text


def test_receipt_shows_dates_deadline_and_qr_to_progress(world: Any, today: Any) -> None:
    case = intake()
    assert documents.document_kinds(case) == ["receipt"]
    text = pdf_text(documents.case_document_pdf(case, "receipt", site_url="http://test.local/"))
    assert "受理回执" in text and case.number in text
    assert "2026年10月19日" in text and "10个工作日" in text
    html = documents.case_document_html(case, "receipt", site_url="http://test.local/")
    assert "data:image/svg+xml" in html
    assert f"http://test.local/progress/?number={case.number}" in html


def test_rejection_notice_has_reason_and_basis(world: Any, today: Any) -> None:
    case = intake(reject_reason="申请人户籍不在本辖区", reject_basis="《最低生活保障审核确认办法》第九条")
    assert documents.document_kinds(case) == ["rejection_notice"]
    text = pdf_text(documents.case_document_pdf(case, "rejection_notice"))
    assert "不予受理通知书" in text and case.number in text
    assert "申请人户籍不在本辖区" in text and "《最低生活保障审核确认办法》第九条" in text
    assert "行政复议" in text


def test_result_notice_for_approved_and_denied(world: Any, today: Any) -> None:
    case = intake()
    act("reviewer", case, "approve", note="符合条件")
    act("clerk", case, "ready")
    case = act("clerk", case, "deliver", to="window", signed_by="巴特尔")
    assert documents.document_kinds(case) == ["receipt", "result"]
    text = pdf_text(documents.case_document_pdf(case, "result"))
    assert "办理结果通知书" in text and "准予许可" in text and "符合条件" in text and case.number in text

    other = intake(applicant=applicant(kind="enterprise", credit_code="91350100M000100Y43", name="某合作社"))
    act(
        "reviewer",
        other,
        "deny",
        reason="家庭人均收入高于当地低保标准",
        basis="《最低生活保障审核确认办法》第十条",
    )
    other = act("clerk", other, "ready")
    text = pdf_text(documents.case_document_pdf(other, "result"))
    assert "不予许可" in text and "家庭人均收入高于当地低保标准" in text and "行政复议" in text
    assert "91350100M000100Y43" in text  # an enterprise's code is public registry data


def test_kind_that_does_not_apply_or_is_unknown_is_not_found(world: Any, today: Any) -> None:
    case = intake(materials=[{"code": "M01", "provided": False}])
    for kind in ("receipt", "rejection_notice", "result", "nope"):
        with pytest.raises(NotFound):
            documents.case_document_pdf(case, kind)
    # after the correction the notice still prints (it was issued), and the receipt applies too
    case = act("clerk", case, "supplement", materials=ALL_MATERIALS)
    assert documents.document_kinds(case) == ["correction_notice", "receipt"]
    assert "居民身份证" in pdf_text(documents.case_document_pdf(case, "correction_notice"))


def test_pdf_pages_and_api_are_scoped(world: Any, client: Client, login: Any, today: Any) -> None:
    case = intake(materials=[{"code": "M01", "provided": True}, {"code": "M02", "provided": False}])
    c = login("clerk")
    r = c.get(f"/cases/{case.number}/correction_notice.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert "户口簿" in pdf_text(r.content) and case.number in pdf_text(r.content)
    assert c.get(f"/cases/{case.number}/receipt.pdf").status_code == 404
    assert c.get(f"/cases/{case.number}/bogus.pdf").status_code == 404
    assert login("outsider").get(f"/cases/{case.number}/correction_notice.pdf").status_code == 404
    client.logout()
    assert client.get(f"/cases/{case.number}/correction_notice.pdf").status_code == 302  # to login

    _row, key = token_create(username="clerk")
    url = f"/api/v1/cases/{case.number}/documents/correction_notice.pdf"
    r = client.get(url, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    r = client.get(f"/api/v1/cases/{case.number}/documents/receipt.pdf", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.status_code == 404 and r.json()["error"]["code"] == "document_not_applicable"
    _row, other = token_create(username="outsider")
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 404
    assert client.get(url).status_code == 401


# ---- 中止办理告知书 (art. 45) and 延期告知书 (art. 42) ---------------------------------------------------


def test_suspension_notice_has_date_reason_and_deadline_before(world: Any, today: Any) -> None:
    case = intake()  # accepted 2026-09-29, deadline 2026-10-19
    assert "suspension_notice" not in documents.document_kinds(case)
    with pytest.raises(NotFound):
        documents.case_document_pdf(case, "suspension_notice")
    # suspended at 17:30 UTC = 01:30 the next day in Asia/Shanghai
    stopped = dt.datetime(2026, 9, 30, 17, 30, tzinfo=dt.UTC)
    with mock.patch("django.utils.timezone.now", return_value=stopped):
        case = act("reviewer", case, "suspend", reason="需组织听证并入户核查家庭收入")
    assert documents.document_kinds(case) == ["receipt", "suspension_notice"]
    text = pdf_text(documents.case_document_pdf(case, "suspension_notice", site_url="http://test.local/"))
    assert "中止办理告知书" in text and case.number in text
    assert "需组织听证并入户核查家庭收入" in text
    assert "2026年10月1日01:30" in text  # the clock stopped, in Asia/Shanghai
    assert "中止前办结期限2026年10月19日前" in text
    assert "不计算在办理时限内" in text and "第四十五条" in text
    assert "巴**" in text and "巴特尔" not in text and GOOD_ID not in text
    html = documents.case_document_html(case, "suspension_notice", site_url="http://test.local/")
    assert f"http://test.local/progress/?number={case.number}" in html and "data:image/svg+xml" in html
    assert "恢复办理时间" not in html

    # after resuming the notice still prints, with the pause and the postponed deadline
    today.return_value = dt.date(2026, 10, 13)
    case = act("reviewer", case, "resume")
    assert "suspension_notice" in documents.document_kinds(case)
    text = pdf_text(documents.case_document_pdf(case, "suspension_notice"))
    assert "需组织听证并入户核查家庭收入" in text and "中止前办结期限2026年10月19日前" in text
    new = case.deadline
    assert new is not None and new > dt.date(2026, 10, 19)
    assert f"顺延后办结期限{new.year}年{new.month}月{new.day}日前" in text


def test_extension_notice_has_days_reason_and_new_deadline(world: Any, today: Any) -> None:
    from tests.factories import make_staff

    make_staff("countyhead", "中心主任", world["county"], ["centre_head"], centre=world["centres"]["county"])
    make_staff("mzhead", "民政局长", world["county"], ["dept_head"], department=world["department"])
    case = intake()
    assert "extension_notice" not in documents.document_kinds(case)
    with pytest.raises(NotFound):
        documents.case_document_pdf(case, "extension_notice")
    case = act("countyhead", case, "extend", reason="情况复杂需实地核查", days=5, approver="mzhead")
    assert documents.document_kinds(case) == ["receipt", "extension_notice"]
    text = pdf_text(documents.case_document_pdf(case, "extension_notice"))
    assert "延期告知书" in text and case.number in text
    assert "情况复杂需实地核查" in text and "5个工作日" in text
    assert "原办结期限2026年10月19日前" in text
    assert case.deadline == dt.date(2026, 10, 26)
    assert "延期后办结期限2026年10月26日前" in text
    assert "本行政机关负责人民政局长批准" in text and "批准人民政局长" in text and "第四十二条" in text
    assert "巴**" in text and "巴特尔" not in text

    # a second extension: the notice tells the latest one and the total
    case = act("countyhead", case, "extend", reason="需补充调查", days=3, approver="mzhead")
    text = pdf_text(documents.case_document_pdf(case, "extension_notice"))
    assert "需补充调查" in text and "累计延期8个工作日" in text
    assert "原办结期限2026年10月26日前" in text and "延期后办结期限2026年10月29日前" in text


def test_suspension_and_extension_pdfs_through_pages_and_api(
    world: Any, client: Client, login: Any, today: Any
) -> None:
    case = intake()
    act("reviewer", case, "suspend", reason="需专家评审")
    c = login("clerk")
    page = c.get(f"/cases/{case.number}/").content.decode()
    assert f"/cases/{case.number}/suspension_notice.pdf" in page and "中止办理告知书（PDF）" in page
    assert "extension_notice.pdf" not in page
    r = c.get(f"/cases/{case.number}/suspension_notice.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert "需专家评审" in pdf_text(r.content) and case.number in pdf_text(r.content)
    assert c.get(f"/cases/{case.number}/extension_notice.pdf").status_code == 404
    assert login("outsider").get(f"/cases/{case.number}/suspension_notice.pdf").status_code == 404

    _row, key = token_create(username="clerk")
    base = f"/api/v1/cases/{case.number}/documents"
    r = client.get(f"{base}/suspension_notice.pdf", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.status_code == 200 and "需专家评审" in pdf_text(r.content)
    r = client.get(f"{base}/extension_notice.pdf", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.status_code == 404 and r.json()["error"]["code"] == "document_not_applicable"
