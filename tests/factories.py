"""factory_boy factories and the recurring personas used by every app's tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.contrib.auth import get_user_model

from onewindow.catalog import services as catalog_services
from onewindow.catalog.models import Domain, ItemVersion
from onewindow.core.actor import system
from onewindow.org.models import (
    Centre,
    Department,
    Jurisdiction,
    Level,
    OpeningHours,
    Staff,
    StaffRole,
    Window,
)
from onewindow.queueing.models import Appointment

PASSWORD = "Test-pass-2026"


class JurisdictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jurisdiction
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"1525{n:08d}")
    name = factory.Sequence(lambda n: f"区域{n}")
    level = Level.VILLAGE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)


def make_staff(username: str, name: str, jurisdiction: Jurisdiction, roles: list[str], **kw: Any) -> Staff:
    user = UserFactory(username=username)
    staff = Staff.objects.create(user=user, name=name, jurisdiction=jurisdiction, **kw)
    for r in roles:
        StaffRole.objects.create(staff=staff, role=r)
    return staff


def make_item(
    code: str, name: str, department: Department, domain: Domain, *, publish: bool = True, **kw: Any
) -> ItemVersion:
    guide: dict[str, Any] = {
        "name": name,
        "domain": domain,
        "department": department,
        "type": "promised",
        "accept_levels": ["township", "county"],
        "decide_level": "county",
        "legal_days": 20,
        "promised_days": 10,
        "steps": ["申请", "受理", "审核", "办结"],
    }
    guide.update(kw)
    materials = guide.pop(
        "materials",
        [
            {"code": "M01", "name": "居民身份证", "original": True, "copies": 1},
            {"code": "M02", "name": "户口簿", "original": False, "copies": 1},
        ],
    )
    fields = guide.pop("fields", [{"key": "reason", "label": "申请事由", "kind": "text", "required": True}])
    v = catalog_services.item_create(actor=system(), code=code, materials=materials, fields=fields, **guide)
    if publish:
        v = catalog_services.item_version_publish(actor=None, version=v)
    return v


def make_appointment(centre: Centre, date: dt.date, start: dt.time, end: dt.time, **kw: Any) -> Appointment:
    """An appointment row as the booking service leaves it (no slot counting, no SMS): 巴特尔 for the
    comprehensive window, 预约码 123456; override any field."""
    fields: dict[str, Any] = {
        "session": "normal",
        "category": "comprehensive",
        "name": "巴特尔",
        "phone": "13912345678",
        "code": "123456",
    }
    fields.update(kw)
    return Appointment.objects.create(centre=centre, date=date, start=start, end=end, **fields)


def load_test_calendar_years() -> None:
    """Tests run on any date: give them 2027–2028 as an administrator would load them (test data:
    weekends off plus New Year's Day), so deadlines computed from "today" never hit an unknown year."""
    from onewindow.worktime.services import calendar_load

    calendar_load(actor=None, text="2027-01-01,holiday,元旦\n2028-01-01,holiday,元旦\n", source="测试数据")


def build_world() -> dict[str, Any]:
    """County C with townships A (village A1) and B; staff personas; two items."""
    load_test_calendar_years()
    county = JurisdictionFactory(code="152522000000", name="测试旗", level=Level.COUNTY)
    ta = JurisdictionFactory(code="152522100000", name="甲镇", level=Level.TOWNSHIP, parent=county)
    va = JurisdictionFactory(code="152522100201", name="甲一嘎查", level=Level.VILLAGE, parent=ta)
    tb = JurisdictionFactory(code="152522200000", name="乙苏木", level=Level.TOWNSHIP, parent=county)
    vb = JurisdictionFactory(code="152522200201", name="乙一嘎查", level=Level.VILLAGE, parent=tb)
    cc = Centre.objects.create(
        code="C-COUNTY", name="测试旗政务服务中心", jurisdiction=county, address="旗府路1号"
    )
    ca = Centre.objects.create(code="C-A", name="甲镇便民服务中心", jurisdiction=ta, address="甲镇1号")
    cb = Centre.objects.create(code="C-B", name="乙苏木便民服务中心", jurisdiction=tb, address="乙苏木1号")
    for c in (cc, ca, cb):
        OpeningHours.objects.create(centre=c, weekdays="12345", start=dt.time(8, 30), end=dt.time(17, 30))
        Window.objects.create(centre=c, number=1, name="综合受理", kind="comprehensive")
    minzheng = Department.objects.create(
        code="D-MZ", name="测试旗民政局", short_name="民政", jurisdiction=county
    )
    domain, _ = Domain.objects.get_or_create(code="social", defaults={"name": "社会服务", "sort": 1})
    items = {
        "dibao": make_item(
            "MZ-001", "最低生活保障申请", minzheng, domain, aliases="低保申请", proxy_allowed=True
        ),
        "gaoling": make_item("MZ-002", "高龄津贴申请", minzheng, domain),
    }
    people = {
        "admin": make_staff("admin", "管理员", county, ["admin"]),
        "supervisor": make_staff("supervisor", "监督员", county, ["supervisor"]),
        "reviewer": make_staff("reviewer", "审批员", county, ["reviewer"], department=minzheng, centre=cc),
        "clerk": make_staff("clerk", "综窗甲", ta, ["clerk"], centre=ca, mobile="13800000001"),
        "agent": make_staff("agent", "代办员甲一", va, ["agent"]),
        "outsider": make_staff("outsider", "综窗乙", tb, ["clerk"], centre=cb, mobile="13800000002"),
    }
    return {
        "county": county,
        "ta": ta,
        "va": va,
        "tb": tb,
        "vb": vb,
        "centres": {"county": cc, "a": ca, "b": cb},
        "department": minzheng,
        "domain": domain,
        "items": items,
        "people": people,
    }
