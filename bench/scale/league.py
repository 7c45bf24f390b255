"""The league: jurisdictions, centres, windows, departments, items and staff (ORM; a few thousand rows)."""

from __future__ import annotations

import datetime as dt
from typing import Any

TITLES = [
    "最低生活保障申请",
    "高龄津贴申请",
    "临时救助申请",
    "城乡居民养老保险参保登记",
    "医疗费用报销",
    "残疾人两项补贴申请",
]
DEPARTMENTS = (("MZ", "民政局"), ("RS", "人力资源和社会保障局"), ("YB", "医疗保障局"))


def _calendar() -> None:
    """Next two years' calendars published (the deadlines of recent cases reach into them)."""
    from django.db import transaction

    from onewindow.worktime.services import calendar_load

    year = dt.date.today().year  # noqa: DTZ011 - a calendar year
    with transaction.atomic():  # the calendar listeners lock the cases they recount
        calendar_load(
            actor=None,
            text="".join(f"{y}-01-01,holiday,元旦\n" for y in (year + 1, year + 2)),
            source="基准测试数据",
        )


def _jurisdictions(n_banners: int, townships_per: int, villages_per: int) -> tuple[list[Any], ...]:
    from onewindow.org.models import Jurisdiction, Level

    banners: list[Jurisdiction] = []
    townships: list[Jurisdiction] = []
    villages: list[Jurisdiction] = []

    def child(parent: Jurisdiction, code: str, name: str, level: str) -> Jurisdiction:
        j = Jurisdiction(code=code, name=name, level=level)
        j.parent = parent
        j.path = parent.path + j.code + "/"
        return j

    for b in range(n_banners):
        code6 = f"1525{b + 1:02d}"
        banner = Jurisdiction(code=code6 + "000000", name=f"第{b + 1}旗", level=Level.COUNTY)
        banner.path = banner.code + "/"
        banners.append(banner)
        for t in range(townships_per):
            tw = child(banner, f"{code6}{101 + t:03d}000", f"{b + 1}旗第{t + 1}苏木", Level.TOWNSHIP)
            townships.append(tw)
            for v in range(villages_per):
                villages.append(
                    child(tw, f"{tw.code[:9]}{201 + v:03d}", f"{tw.name}{v + 1}嘎查", Level.VILLAGE)
                )
    for rows in (banners, townships, villages):
        Jurisdiction.objects.bulk_create(rows)
    return banners, townships, villages


def _centres(
    banners: list[Any], townships: list[Any], villages: list[Any]
) -> tuple[dict[int, Any], dict[int, Any]]:
    """A centre per banner and township, a station per village, one comprehensive window each."""
    from onewindow.org.models import Centre, Level, Window

    centres = [
        Centre(
            code=f"C-{j.code}",
            name=f"{j.name}{'政务服务中心' if j.level == Level.COUNTY else '便民服务中心'}",
            jurisdiction=j,
            address=f"{j.name}政府路1号",
        )
        for j in banners + townships
    ] + [
        Centre(code=f"C-{j.code}", name=f"{j.name}便民服务站", jurisdiction=j, address=f"{j.name}村委会")
        for j in villages
    ]
    Centre.objects.bulk_create(centres)
    centre_by_j = {c.jurisdiction_id: c for c in Centre.objects.all()}
    Window.objects.bulk_create(
        [Window(centre=c, number=1, name="综合受理", kind="comprehensive") for c in centre_by_j.values()]
    )
    return centre_by_j, {w.centre_id: w for w in Window.objects.all()}


def _departments(banners: list[Any]) -> list[Any]:
    from onewindow.org.models import Department

    depts = [
        Department(
            code=f"D-{banner.code[:6]}-{short}",
            name=f"{banner.name}{name}",
            short_name=name[:2],
            jurisdiction=banner,
        )
        for banner in banners
        for short, name in DEPARTMENTS
    ]
    Department.objects.bulk_create(depts)
    return depts


def _items(banners: list[Any], depts: list[Any]) -> list[Any]:
    """Two published items per department (promised 5, 10 or 15 working days)."""
    from onewindow.catalog import services as catalog_services
    from onewindow.catalog.models import Domain
    from onewindow.core.actor import system

    domain, _ = Domain.objects.get_or_create(code="social", defaults={"name": "社会服务", "sort": 1})
    items: list[Any] = []
    for banner in banners:
        for d_i, dept in enumerate(d for d in depts if d.jurisdiction_id == banner.pk):
            for k in range(2):
                v = catalog_services.item_create(
                    actor=system(),
                    code=f"{dept.code[2:]}-{k + 1:03d}",
                    name=TITLES[(d_i * 2 + k) % len(TITLES)],
                    domain=domain,
                    department=dept,
                    type="promised",
                    accept_levels=["township", "county"],
                    decide_level="county",
                    legal_days=20,
                    promised_days=(5, 10, 15)[(d_i + k) % 3],
                    steps=["申请", "受理", "审核", "办结"],
                    online=True,
                    proxy_allowed=True,
                    materials=[
                        {"code": "M01", "name": "居民身份证", "original": True, "copies": 1},
                        {"code": "M02", "name": "户口簿", "original": False, "copies": 1},
                    ],
                    fields=[{"key": "reason", "label": "申请事由", "kind": "text", "required": True}],
                )
                items.append(catalog_services.item_version_publish(actor=None, version=v))
    return items


def _staff_specs(
    banners: list[Any], townships: list[Any], depts: list[Any], centre_by_j: dict[int, Any]
) -> list[tuple[str, str, Any, list[str], Any, Any]]:
    """(username, name, jurisdiction, roles, centre, department): a clerk per township, a supervisor per
    banner, a reviewer per department."""
    specs = [
        (f"clerk-{tw.code[:9]}", f"{tw.name}综窗", tw, ["clerk"], centre_by_j[tw.pk], None)
        for tw in townships
    ]
    for banner in banners:
        specs.append((f"sup-{banner.code[:6]}", f"{banner.name}督查", banner, ["supervisor"], None, None))
        specs += [
            (f"rev-{dept.code[2:]}", f"{dept.name}审批", banner, ["reviewer"], centre_by_j[banner.pk], dept)
            for dept in depts
            if dept.jurisdiction_id == banner.pk
        ]
    return specs


def _staff(specs: list[tuple[str, str, Any, list[str], Any, Any]]) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from onewindow.org.models import Staff, StaffRole

    user_model = get_user_model()
    password = make_password(None)
    user_model.objects.bulk_create([user_model(username=s[0], password=password) for s in specs])
    user_by_name = {u.username: u for u in user_model.objects.filter(username__in=[s[0] for s in specs])}
    Staff.objects.bulk_create(
        [
            Staff(user=user_by_name[u], name=name, jurisdiction=j, centre=c, department=d)
            for u, name, j, _roles, c, d in specs
        ]
    )
    staff_by_user = {s.user_id: s for s in Staff.objects.all()}
    StaffRole.objects.bulk_create(
        [StaffRole(staff=staff_by_user[user_by_name[s[0]].pk], role=r) for s in specs for r in s[3]]
    )
    return user_by_name


def build_league(n_banners: int = 10, townships_per: int = 10, villages_per: int = 10) -> dict[str, Any]:
    """Jurisdictions, centres, windows, departments, items and staff via the ORM (a few thousand rows)."""
    _calendar()
    banners, townships, villages = _jurisdictions(n_banners, townships_per, villages_per)
    centre_by_j, window_by_centre = _centres(banners, townships, villages)
    depts = _departments(banners)
    items = _items(banners, depts)
    users = _staff(_staff_specs(banners, townships, depts, centre_by_j))
    return {
        "banners": banners,
        "townships": townships,
        "villages": villages,
        "centre_by_j": centre_by_j,
        "window_by_centre": window_by_centre,
        "items": items,
        "users": users,
    }
