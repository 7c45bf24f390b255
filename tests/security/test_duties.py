"""Separation of duties (三员分立) and the audit admin's pages; exports of personal data need a reason."""

from __future__ import annotations

from typing import Any

import pytest
from openpyxl import load_workbook

from onewindow.core.errors import Invalid
from onewindow.security import audit
from onewindow.security.models import AuditEntry
from tests.cases.conftest import intake

pytestmark = pytest.mark.django_db


def test_administrators_cannot_read_residents_data(sworld: dict[str, Any], login: Any) -> None:
    case = intake()
    resident = case.applicant
    for name in ("admin", "security_admin", "audit_admin"):
        client = login(name)
        assert client.get(f"/cases/{case.number}/").status_code == 403
        assert client.get("/cases/").status_code == 403
        assert client.get(f"/manage/org/residents/{resident.pk}/").status_code == 403
        r = client.get(f"/api/v1/cases/{case.number}")
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    # Nor through the Django admin (the system admin may run it, with two factors).
    user = sworld["people"]["admin"].user
    user.is_staff = user.is_superuser = True
    user.save()
    client = login("admin")
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/org/resident/").status_code == 403
    assert client.get(f"/admin/org/resident/{resident.pk}/change/").status_code == 403
    denied = AuditEntry.objects.filter(action="privacy.admin_denied", result="denied")
    assert denied.filter(username="admin").exists()
    # The working roles still can.
    assert login("clerk").get(f"/cases/{case.number}/").status_code == 200
    assert login("reviewer").get(f"/api/v1/cases/{case.number}").status_code == 200


def test_only_the_audit_admin_reads_and_exports_the_audit_log(sworld: dict[str, Any], login: Any) -> None:
    audit.record("test.marker", obj="case:X", details={"k": "v"})
    for name in ("admin", "security_admin", "supervisor", "clerk"):
        client = login(name)
        assert client.get("/security/audit/").status_code == 403
        assert client.get("/security/audit/export.xlsx").status_code == 403
    client = login("audit_admin")
    page = client.get("/security/audit/?action=test.").content.decode()
    assert "test.marker" in page
    assert "哈希链校验通过" in client.get("/security/audit/?verify=1").content.decode()
    r = client.get("/security/audit/export.xlsx?action=test.")
    assert r.status_code == 200
    import io

    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "序号" and any(row[5] == "test.marker" for row in rows[1:])
    assert AuditEntry.objects.filter(action="audit.export", username="audit_admin").exists()
    # The audit admin has nothing else.
    assert client.get("/manage/org/staff/").status_code == 403
    assert client.get("/security/accounts/").status_code == 403


def test_personal_data_export_needs_a_reason(sworld: dict[str, Any]) -> None:
    with pytest.raises(Invalid) as exc:
        audit.record_personal_data_export("residents", reason=" ", rows=3)
    assert exc.value.code == "export_reason_required"
    entry = audit.record_personal_data_export("residents", reason="年度低保复核", rows=3)
    assert entry.action == "export.residents" and entry.details == {"reason": "年度低保复核", "rows": 3}


def test_full_view_of_personal_data_is_audited(sworld: dict[str, Any], login: Any) -> None:
    case = intake()
    client = login("centre_head")
    r = client.post(f"/manage/org/residents/{case.applicant.pk}/reveal/", {"purpose": "核对身份信息"})
    assert r.status_code in (200, 302)
    entry = AuditEntry.objects.filter(action="privacy.full_view").latest("pk")
    assert entry.username == "centre_head" and entry.obj.endswith(str(case.applicant.pk))
    assert "11010519491231002X" not in str(entry.details)
