"""The demo county loader (`python -m django demo`)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from onewindow.catalog.models import Bundle, ItemVersion, VersionStatus
from onewindow.catalog.selectors import bundle_materials, item_list
from onewindow.demo.dataset import demo_data
from onewindow.demo.loader import demo_counts, load_demo
from onewindow.org.access import in_scope
from onewindow.org.models import (
    Centre,
    Duty,
    Jurisdiction,
    Level,
    OpeningHours,
    Resident,
    Staff,
    Window,
    WindowKind,
)
from onewindow.privacy.identifiers import validate_id_number, validate_mobile
from tests.conftest import otp_verify_session

DEMO_PASSWORD = demo_data().demo_password


pytestmark = pytest.mark.django_db


def staff(username: str) -> Staff:
    return Staff.objects.select_related("jurisdiction", "centre", "department").get(user__username=username)


def test_loading_twice_changes_nothing(demo: dict[str, int]) -> None:
    versions_before = list(ItemVersion.objects.order_by("pk").values_list("pk", "status"))
    entries_before = sorted(Bundle.objects.values_list("entries__pk", flat=True))
    out = io.StringIO()
    again = load_demo(stdout=out)
    assert again == demo
    assert demo_counts() == demo
    assert list(ItemVersion.objects.order_by("pk").values_list("pk", "status")) == versions_before
    assert sorted(Bundle.objects.values_list("entries__pk", flat=True)) == entries_before
    assert "新建事项 0 项" in out.getvalue()


def test_management_command_runs(demo: dict[str, int]) -> None:
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "演示数据已加载" in out.getvalue()
    assert DEMO_PASSWORD in out.getvalue()
    assert demo_counts() == demo


def test_places_follow_the_banner_layout(demo: dict[str, int]) -> None:
    county = Jurisdiction.objects.get(code="152522000000")
    assert county.name == "阿巴嘎旗" and county.level == Level.COUNTY
    townships = Jurisdiction.objects.filter(level=Level.TOWNSHIP, parent=county)
    names = set(townships.values_list("name", flat=True))
    assert {"别力古台镇", "洪格尔高勒镇", "查干淖尔镇"} <= names
    assert {"那仁宝拉格苏木", "伊和高勒苏木", "吉尔嘎郎图苏木", "巴彦图嘎苏木"} <= names
    assert demo["townships"] >= 5 and demo["villages"] >= 20
    for t in townships:
        assert t.code[:6] == "152522" and t.code.endswith("000")
        assert t.code[6] == ("1" if t.name.endswith("镇") else "2")
        villages = list(t.children.all())
        assert 3 <= len(villages) <= 4
        for v in villages:
            assert v.level == Level.VILLAGE and v.code[:9] == t.code[:9] and v.code[9:] != "000"
    assert Jurisdiction.objects.get(code="152522100000").name == "别力古台镇"


def test_every_place_has_its_centre_hours_and_windows(demo: dict[str, int]) -> None:
    for place in Jurisdiction.objects.filter(path__startswith="152522000000/"):
        centre = Centre.objects.get(jurisdiction=place)
        assert centre.address and centre.supervision_phone and centre.complaint_phone
        normal = OpeningHours.objects.filter(centre=centre, session="normal")
        assert {(h.start.strftime("%H:%M"), h.end.strftime("%H:%M")) for h in normal} == {
            ("08:30", "12:00"),
            ("14:30", "18:00"),
        }
        kinds = list(Window.objects.filter(centre=centre).values_list("kind", flat=True))
        if place.level == Level.VILLAGE:
            assert centre.name.endswith("便民服务站") and kinds == [WindowKind.PROXY]
        elif place.level == Level.TOWNSHIP:
            assert centre.name == f"{place.name}便民服务中心"
            assert 2 <= len(kinds) <= 4 and WindowKind.PROXY in kinds and WindowKind.OUTPUT in kinds
        else:
            assert centre.name == "阿巴嘎旗政务服务中心"
            assert kinds.count(WindowKind.COMPREHENSIVE) == 3
            domain_windows = Window.objects.filter(centre=centre, kind=WindowKind.DOMAIN)
            assert {d for w in domain_windows for d in w.domains} >= {
                "social_insurance",
                "real_estate",
                "household",
            }
    county_centre = Centre.objects.get(code="ABG-ZWFW")
    assert county_centre.hours.filter(session="extended").exists()
    assert county_centre.hours.filter(session="weekend", weekdays="6").exists()
    assert Centre.objects.get(code="BM-152522100000").hours.filter(session="weekend").exists()


def test_catalog_size_and_guides_are_valid(demo: dict[str, int]) -> None:
    published = ItemVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related("domain")
    assert published.count() >= 60
    assert published.values("domain").distinct().count() >= 10
    types = set(published.values_list("type", flat=True))
    assert types == {"immediate", "promised", "joint", "escalated"}
    for v in published.prefetch_related("materials", "fields"):
        v.full_clean()
        assert v.legal_days >= v.promised_days
        assert v.basis and v.steps and v.result and v.consult_phone and v.complaint_phone
        mats = list(v.materials.all())
        assert 1 <= len(mats) <= 6, v.name
        assert [m.code for m in mats] == [f"M{i:02d}" for i in range(1, len(mats) + 1)]
        for m in mats:
            m.full_clean()
        fields = list(v.fields.all())
        assert 1 <= len(fields) <= 4, v.name
        for fld in fields:
            fld.full_clean()
        if "village" in v.accept_levels:
            assert v.proxy_allowed, f"{v.name}: 嘎查受理的事项应可帮办代办"


def test_dbsq_finds_minimum_living_allowance(demo: dict[str, int]) -> None:
    names = list(item_list(q="dbsq").values_list("name", flat=True))
    assert "最低生活保障申请" in names
    dibao = ItemVersion.objects.get(item__code="MZ-0001", status=VersionStatus.PUBLISHED)
    assert dibao.department.name == "阿巴嘎旗民政局"
    assert "township" in dibao.accept_levels and dibao.decide_level == "county"
    assert "最低生活保障申请" in list(item_list(q="dibao").values_list("name", flat=True))


def test_bundles_merge_shared_materials(demo: dict[str, int]) -> None:
    codes = set(Bundle.objects.values_list("name", flat=True))
    assert {"新生儿出生一件事", "退休一件事", "身后一件事"} <= codes
    for bundle in Bundle.objects.all():
        merged = bundle_materials(bundle)
        names = [m.name for m in merged]
        total = sum(
            e.item.published.materials.count() for e in bundle.entries.select_related("item__published")
        )
        assert len(names) == len(set(names))
        assert len(merged) < total, f"{bundle.name} 的材料应合并去重"
    newborn = {m.name: m for m in bundle_materials(Bundle.objects.get(name="新生儿出生一件事"))}
    assert len(newborn["出生医学证明"].items) >= 2 and newborn["出生医学证明"].required
    after = {m.name: m for m in bundle_materials(Bundle.objects.get(name="身后一件事"))}
    assert len(after["居民死亡医学证明（推断）书"].items) >= 4


def test_personas_log_in_with_the_demo_password(demo: dict[str, int]) -> None:
    User = get_user_model()
    personas = [
        "admin",
        "supervisor",
        "clerk",
        "reviewer",
        "agent",
        "outsider",
        "head",
        "security",
        "auditor",
    ]
    users = User.objects.filter(username__in=personas, is_active=True)
    assert users.count() == len(personas)
    # Every demo account shares one password hash, so checking two of them covers all.
    demo_users = User.objects.filter(staff__isnull=False)
    assert demo_users.values("password").distinct().count() == 1
    assert authenticate(username="outsider", password=DEMO_PASSWORD) is not None
    client = Client()
    assert client.login(username="admin", password=DEMO_PASSWORD)
    assert client.get("/admin/").status_code == 302  # the second factor (TOTP) comes first
    otp_verify_session(client, User.objects.get(username="admin"))
    assert client.get("/admin/").status_code == 200


def test_security_and_audit_personas(demo: dict[str, int]) -> None:
    """三员分立: the security and the audit administrator at the county, each reaching only their page."""
    security, auditor = staff("security"), staff("auditor")
    assert security.role_list == ["security_admin"] and auditor.role_list == ["audit_admin"]
    assert security.jurisdiction.level == Level.COUNTY and auditor.jurisdiction.level == Level.COUNTY
    assert not security.user.is_superuser and not auditor.user.is_superuser
    for username, own, other in (
        ("security", "/security/accounts/", "/security/audit/"),
        ("auditor", "/security/audit/", "/security/accounts/"),
    ):
        client = Client()
        assert client.login(username=username, password=DEMO_PASSWORD)
        otp_verify_session(client, get_user_model().objects.get(username=username))
        home = client.get("/").content.decode()
        assert f'href="{own}"' in home and f'href="{other}"' not in home
        assert client.get(own).status_code == 200
        assert client.get(other).status_code == 403


def test_personas_have_roles_and_jurisdictions(demo: dict[str, int]) -> None:
    admin = staff("admin")
    assert admin.role_list == ["admin"] and admin.jurisdiction.level == Level.COUNTY
    assert admin.user.is_staff and admin.user.is_superuser
    assert staff("supervisor").role_list == ["supervisor"]
    clerk = staff("clerk")
    assert clerk.role_list == ["clerk"]
    assert clerk.jurisdiction.name == "别力古台镇" and clerk.centre.name == "别力古台镇便民服务中心"
    reviewer = staff("reviewer")
    assert reviewer.role_list == ["reviewer"] and reviewer.department.name == "阿巴嘎旗民政局"
    assert reviewer.jurisdiction.level == Level.COUNTY
    agent = staff("agent")
    assert agent.role_list == ["agent"]
    assert agent.jurisdiction.level == Level.VILLAGE and agent.jurisdiction.parent == clerk.jurisdiction
    outsider = staff("outsider")
    assert outsider.role_list == ["clerk"] and outsider.jurisdiction.level == Level.TOWNSHIP
    assert outsider.jurisdiction != clerk.jurisdiction
    assert not in_scope(outsider.user, agent.jurisdiction)
    assert in_scope(clerk.user, agent.jurisdiction)
    head = staff("head")
    assert head.role_list == ["centre_head"] and head.jurisdiction == clerk.jurisdiction
    assert clerk.ab_partner is not None and clerk.ab_partner.ab_partner == clerk
    assert clerk.mobile and validate_mobile(clerk.mobile) == clerk.mobile


def test_staff_board_and_duty_roster(demo: dict[str, int]) -> None:
    today = timezone.localdate()
    for t in Jurisdiction.objects.filter(level=Level.TOWNSHIP):
        board = Staff.objects.filter(centre__jurisdiction=t, on_board=True)
        assert board.count() >= 3
        assert all(s.post and s.public_phone for s in board)
        duties = Duty.objects.filter(staff__centre__jurisdiction=t)
        assert duties.exists()
        assert min(d.date for d in duties) >= today
        assert max(d.date for d in duties) < today + dt.timedelta(days=14)
    for v in Jurisdiction.objects.filter(level=Level.VILLAGE):
        assert Staff.objects.filter(jurisdiction=v, roles__role="agent").exists(), v.name


def test_residents_have_valid_identifiers(demo: dict[str, int]) -> None:
    residents = list(Resident.objects.select_related("jurisdiction"))
    assert len(residents) >= 5
    for r in residents:
        assert validate_id_number(r.id_number) == r.id_number
        assert r.id_number.startswith("152522")
        assert validate_mobile(r.phone) == r.phone
        assert r.jurisdiction.level == Level.VILLAGE
