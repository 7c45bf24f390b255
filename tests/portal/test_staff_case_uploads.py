"""The clerk's case page shows what the resident uploaded online and labels the resident's steps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.org.actors import actor_of
from onewindow.portal.models import CaseUpload
from tests.cases.conftest import applicant, intake
from tests.portal.resident_helpers import ID_A, PHONE_A, apply_data, png, resident_client, set_online

pytestmark = pytest.mark.django_db


@pytest.fixture
def online(world: Any, settings: Any, tmp_path: Path) -> dict[str, Any]:
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    set_online("MZ-001")
    return world


def test_case_detail_lists_online_uploads_and_the_residents_supplement(online: Any, login: Any) -> None:
    c, _ = resident_client(PHONE_A, "巴特尔", ID_A)
    c.post("/apply/MZ-001/", apply_data(**{"file-M01": png("id.png")}))
    case = Case.objects.get()
    clerk = get_user_model().objects.get(username="clerk")
    case_services.case_transition(actor=actor_of(clerk), number=case.number, action="request_correction")
    assert c.post(f"/my/cases/{case.number}/supplement/", {"file-M02": png("hukou.png")}).status_code == 302

    staff = login("clerk")
    html = staff.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "群众网上提交的材料" in html
    for up in CaseUpload.objects.filter(case=case):
        url = reverse("portal:staff_upload", args=[up.pk])
        assert f'href="{url}"' in html
        assert staff.get(url).status_code == 200
    assert "申请时提交" in html and "补正时提交" in html
    # the timeline names the resident's steps in words, not codes
    assert "群众网上申请" in html and "群众网上补正" in html and "<td>申请人</td>" in html
    assert "resident_supplement" not in html and "<td>resident</td>" not in html
    # a case without online uploads has no such section
    other = intake(applicant=applicant(name="其其格", phone="13900000077"))
    assert (
        "群众网上提交的材料" not in staff.get(reverse("cases:detail", args=[other.number])).content.decode()
    )
