"""Load the demo county (阿巴嘎旗) from the data files read by :mod:`onewindow.demo.dataset`.

Idempotent: every row is looked up by its natural key (division code, centre code, window number,
department code, username, item code, bundle code, ID-number blind index) and only written when it
is missing or differs, so running the loader twice changes nothing and creates no duplicates.
Items are created through the catalog services (``item_create`` + ``item_version_publish``) only
when their code does not exist yet; an existing item keeps its versions untouched.
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib
import time
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from onewindow.catalog import services as catalog_services
from onewindow.catalog.models import Bundle, Domain, Item, ItemVersion, VersionStatus
from onewindow.core.actor import Actor
from onewindow.demo import integration as integration_demo
from onewindow.demo import otp as otp_demo
from onewindow.demo import portal as portal_demo
from onewindow.demo.dataset import WindowSpec, demo_data
from onewindow.org.actors import actor_of
from onewindow.org.models import (
    Centre,
    Department,
    Duty,
    Jurisdiction,
    Level,
    OpeningHours,
    Resident,
    ResidentKind,
    Shift,
    Staff,
    StaffRole,
    Window,
)
from onewindow.privacy.crypto import blind_index
from onewindow.privacy.identifiers import id_check_digit, validate_id_number, validate_mobile

M = TypeVar("M", bound=Model)


class Writer(Protocol):
    """Where progress goes: a text stream or a management command's ``self.stdout``."""

    def write(self, msg: str, /) -> Any: ...


DUTY_DAYS = 14

# The demo county, read from ``demo/fixtures/`` once.
data = demo_data()


# Apps that add their own demo data, in this order: the seeds kept in this package (portal,
# integration) and ``onewindow/<app>/demo.py`` modules with an idempotent ``seed_demo()``.
APP_SEEDS = ["proxy", "feedback", "portal", "integration", "security", "ledger"]
OWN_SEEDS: dict[str, Callable[[], None]] = {
    "portal": portal_demo.seed_demo,
    "integration": integration_demo.seed_demo,
    "security": otp_demo.seed_demo,  # the demo TOTP device of the accounts that need two factors
}


def seed_app_demo(app: str) -> None:
    seed = OWN_SEEDS.get(app)
    if seed is None:
        try:
            module = importlib.import_module(f"onewindow.{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"onewindow.{app}.demo":
                raise
            return
        seed = module.seed_demo
    with transaction.atomic():
        seed()


def load_demo(stdout: Writer | None = None) -> dict[str, int]:
    """Load (or complete) the demo data; return the resulting counts."""
    started = time.monotonic()
    loader = _Loader()
    with transaction.atomic():
        loader.run()
    for app in APP_SEEDS:
        seed_app_demo(app)
    counts = demo_counts()
    if stdout is not None:
        elapsed = time.monotonic() - started
        stdout.write(
            f"演示数据已加载（{data.county['name']}，用时 {elapsed:.1f} 秒）："
            f"新建事项 {loader.created_items} 项。\n"
        )
        for key, label in _COUNT_LABELS.items():
            stdout.write(f"  {label}：{counts[key]}\n")
        stdout.write(
            "演示账号：admin、supervisor、clerk、reviewer、agent、outsider、head、security、auditor，"
            f"密码均为 {data.demo_password}\n"
        )
        stdout.write(
            "动态口令（admin、supervisor、head、security、auditor）：onewindow demo otp 用户名；"
            "群众登录的短信验证码：演示模式下打开 /dev/outbox/\n"
        )
    return counts


_COUNT_LABELS = {
    "townships": "苏木镇",
    "villages": "嘎查（社区）",
    "centres": "服务中心（站）",
    "windows": "窗口",
    "departments": "部门",
    "domains": "领域",
    "items": "已发布事项",
    "bundles": "一件事",
    "staff": "工作人员",
    "duties": "值班安排",
    "residents": "办事群众",
}


def demo_counts() -> dict[str, int]:
    """Counts of the demo county's rows (what the loader creates)."""
    county = Jurisdiction.objects.filter(code=data.county["code"]).first()
    prefix = county.path if county else "\x00"
    in_county = {"jurisdiction__path__startswith": prefix}
    usernames = _all_usernames()
    return {
        "townships": Jurisdiction.objects.filter(level=Level.TOWNSHIP, path__startswith=prefix).count(),
        "villages": Jurisdiction.objects.filter(level=Level.VILLAGE, path__startswith=prefix).count(),
        "centres": Centre.objects.filter(**in_county).count(),
        "windows": Window.objects.filter(centre__jurisdiction__path__startswith=prefix).count(),
        "opening_hours": OpeningHours.objects.filter(centre__jurisdiction__path__startswith=prefix).count(),
        "departments": Department.objects.filter(**in_county).count(),
        "domains": Domain.objects.filter(code__in=[c for c, _n in data.domains]).count(),
        "items": ItemVersion.objects.filter(
            status=VersionStatus.PUBLISHED, item__code__in=[i["code"] for i in data.items]
        ).count(),
        "item_versions": ItemVersion.objects.filter(item__code__in=[i["code"] for i in data.items]).count(),
        "bundles": Bundle.objects.filter(code__in=[b["code"] for b in data.bundles]).count(),
        "users": get_user_model().objects.filter(username__in=usernames).count(),
        "staff": Staff.objects.filter(user__username__in=usernames).count(),
        "roles": StaffRole.objects.filter(staff__user__username__in=usernames).count(),
        "duties": Duty.objects.filter(staff__user__username__in=usernames).count(),
        "residents": Resident.objects.filter(**in_county).count(),
    }


def agent_username(village_code: str) -> str:
    """The persona ``agent`` serves the first 嘎查 of 别力古台镇; other agents are named by code."""
    return "agent" if village_code == "152522100201" else f"agent_{village_code}"


def _all_usernames() -> list[str]:
    names = [s["username"] for s in data.county_staff]
    names += [s["username"] for staff in data.township_staff.values() for s in staff]
    names += [agent_username(code) for t in data.townships for code, _name in t["villages"]]
    return names


def _upsert(
    model: type[M], lookup: dict[str, Any], values: dict[str, Any], create_only: dict[str, Any] | None = None
) -> M:
    """Get the row by ``lookup``; create it, or save it only if one of ``values`` differs."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        return model._default_manager.create(**lookup, **values, **(create_only or {}))
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    if changed:
        obj.save()
    return obj


def _time(text: str) -> dt.time:
    hour, minute = text.split(":")
    return dt.time(int(hour), int(minute))


class _Loader:
    def __init__(self) -> None:
        self.places: dict[str, Jurisdiction] = {}
        self.centres: dict[str, Centre] = {}
        self.windows: dict[tuple[str, int], Window] = {}
        self.departments: dict[str, Department] = {}
        self.domains: dict[str, Domain] = {}
        self.staff: dict[str, Staff] = {}
        self.created_items = 0
        self._password_hash: str | None = None

    def run(self) -> None:
        self.load_domains()
        self.load_places()
        self.load_departments()
        self.load_staff()
        actor = actor_of(self.staff["admin"].user)
        self.load_items(actor)
        self.load_bundles(actor)
        self.load_residents(actor)
        self.load_duties()

    # -- catalog vocabulary -------------------------------------------------------------------

    def load_domains(self) -> None:
        for sort, (code, name) in enumerate(data.domains, start=1):
            self.domains[code] = _upsert(Domain, {"code": code}, {"name": name, "sort": sort})

    # -- places, centres, windows, hours --------------------------------------------------------

    def load_places(self) -> None:
        c = data.county
        county = _upsert(
            Jurisdiction, {"code": c["code"]}, {"name": c["name"], "level": Level.COUNTY, "parent": None}
        )
        self.places[county.code] = county
        self._centre(county, c["centre"], data.county_windows)
        for t_sort, t in enumerate(data.townships, start=1):
            township = _upsert(
                Jurisdiction,
                {"code": t["code"]},
                {"name": t["name"], "level": Level.TOWNSHIP, "parent": county, "sort": t_sort},
            )
            self.places[township.code] = township
            windows = data.township_windows + data.township_extra_windows.get(t["code"], [])
            self._centre(
                township,
                {
                    "code": f"BM-{t['code']}",
                    "name": f"{t['name']}便民服务中心",
                    "address": t["address"],
                    "phone": t["phone"],
                    "supervision_phone": t["supervision_phone"],
                    "complaint_phone": data.complaint_hotline,
                },
                windows,
            )
            for v_sort, (v_code, v_name) in enumerate(t["villages"], start=1):
                village = _upsert(
                    Jurisdiction,
                    {"code": v_code},
                    {"name": v_name, "level": Level.VILLAGE, "parent": township, "sort": v_sort},
                )
                self.places[v_code] = village
                self._centre(
                    village,
                    {
                        "code": f"BMZ-{v_code}",
                        "name": f"{v_name}便民服务站",
                        "address": f"{data.county['name']}{t['name']}{v_name}党群服务中心",
                        "phone": self._agent_phone(v_code),
                        "supervision_phone": t["supervision_phone"],
                        "complaint_phone": data.complaint_hotline,
                    },
                    data.village_windows,
                )

    def _centre(self, place: Jurisdiction, info: dict[str, Any], windows: list[WindowSpec]) -> None:
        values = {k: v for k, v in info.items() if k != "code"}
        centre = _upsert(Centre, {"code": info["code"]}, {**values, "jurisdiction": place, "is_active": True})
        self.centres[place.code] = centre
        hours = data.normal_hours + data.extra_hours.get(place.code, [])
        for session, weekdays, start, end in hours:
            OpeningHours.objects.get_or_create(
                centre=centre, session=session, weekdays=weekdays, start=_time(start), end=_time(end)
            )
        for number, name, kind, domains in windows:
            self.windows[(place.code, number)] = _upsert(
                Window, {"centre": centre, "number": number}, {"name": name, "kind": kind, "domains": domains}
            )

    def _agent_phone(self, village_code: str) -> str:
        index = self._village_index(village_code)
        return f"1394790{2001 + index:04d}"

    @staticmethod
    def _village_index(village_code: str) -> int:
        codes = [code for t in data.townships for code, _name in t["villages"]]
        return codes.index(village_code)

    # -- departments ----------------------------------------------------------------------------

    def load_departments(self) -> None:
        county = self.places[data.county["code"]]
        for code, name, short, phone in data.county_departments:
            self.departments[code] = _upsert(
                Department,
                {"code": code},
                {"name": name, "short_name": short, "jurisdiction": county, "phone": phone},
            )
        for t in data.townships:
            township = self.places[t["code"]]
            for suffix, name, short in data.township_departments:
                code = f"{t['code']}-{suffix}"
                self.departments[code] = _upsert(
                    Department,
                    {"code": code},
                    {
                        "name": f"{t['name']}{name}",
                        "short_name": short,
                        "jurisdiction": township,
                        "phone": t["phone"],
                    },
                )

    # -- people -----------------------------------------------------------------------------------

    def _user(self, username: str, name: str, *, superuser: bool = False) -> Any:
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            if self._password_hash is None:
                self._password_hash = make_password(data.demo_password)
            user = User(username=username, first_name=name, password=self._password_hash)
            user.is_staff = superuser
            user.is_superuser = superuser
            user.save()
        elif superuser and not (user.is_staff and user.is_superuser):
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        return user

    def _staff(
        self,
        spec: dict[str, Any],
        *,
        place: Jurisdiction,
        centre: Centre | None,
        department: Department | None,
    ) -> Staff:
        user = self._user(spec["username"], spec["name"], superuser=spec.get("superuser", False))
        staff = _upsert(
            Staff,
            {"user": user},
            {
                "name": spec["name"],
                "jurisdiction": place,
                "centre": centre,
                "department": department,
                "post": spec.get("post", ""),
                "public_phone": spec.get("public_phone", ""),
            },
            create_only={"mobile": validate_mobile(spec["mobile"]) if spec.get("mobile") else ""},
        )
        for role in spec["roles"]:
            StaffRole.objects.get_or_create(staff=staff, role=role)
        self.staff[spec["username"]] = staff
        return staff

    def load_staff(self) -> None:
        county_code = data.county["code"]
        county = self.places[county_code]
        for spec in data.county_staff:
            dept = self.departments[spec["department"]] if spec.get("department") else None
            centre = self.centres[county_code] if spec.get("centre") else None
            self._staff(spec, place=county, centre=centre, department=dept)
        for t in data.townships:
            township = self.places[t["code"]]
            for spec in data.township_staff.get(t["code"], []):
                dept = (
                    self.departments[f"{t['code']}-{spec['department']}"] if spec.get("department") else None
                )
                self._staff(spec, place=township, centre=self.centres[t["code"]], department=dept)
            for v_code, _v_name in t["villages"]:
                index = self._village_index(v_code)
                spec = {
                    "username": agent_username(v_code),
                    "name": data.agent_names[index % len(data.agent_names)],
                    "roles": ["agent"],
                    "post": data.agent_posts[index % len(data.agent_posts)],
                    "public_phone": self._agent_phone(v_code),
                    "mobile": self._agent_phone(v_code),
                }
                agent = self._staff(
                    spec, place=self.places[v_code], centre=self.centres[v_code], department=None
                )
                for extra in data.agent_extra.get(v_code, []):
                    agent.extra_jurisdictions.add(self.places[extra])
        # AB posts (AB岗): each named partner covers when the other is away.
        specs = data.county_staff + [s for staff in data.township_staff.values() for s in staff]
        for spec in specs:
            partner = self.staff[spec["ab"]] if spec.get("ab") else None
            staff = self.staff[spec["username"]]
            if partner is not None and staff.ab_partner_id != partner.pk:
                staff.ab_partner = partner
                staff.save(update_fields=["ab_partner"])

    # -- items and bundles --------------------------------------------------------------------------

    def load_items(self, actor: Actor) -> None:
        existing = set(
            Item.objects.filter(code__in=[i["code"] for i in data.items]).values_list("code", flat=True)
        )
        for spec in data.items:
            if spec["code"] in existing:
                continue
            guide = {**data.item_defaults, **copy.deepcopy(spec)}
            code = guide.pop("code")
            materials = [
                {**mat, "code": f"M{n:02d}"} for n, mat in enumerate(guide.pop("materials"), start=1)
            ]
            fields = guide.pop("fields")
            department = self.departments[guide.pop("department")]
            guide["domain"] = self.domains[guide["domain"]]
            guide["department"] = department
            guide.setdefault("place", _place_for(guide["accept_levels"]))
            guide.setdefault("consult_phone", department.phone)
            guide.setdefault("change_note", "演示数据初始版本")
            version = catalog_services.item_create(
                actor=actor, code=code, materials=materials, fields=fields, **guide
            )
            catalog_services.item_version_publish(actor=actor, version=version)
            self.created_items += 1

    def load_bundles(self, actor: Actor) -> None:
        for spec in data.bundles:
            bundle = Bundle.objects.filter(code=spec["code"]).first()
            if bundle is not None:
                current = list(bundle.entries.order_by("sort").values_list("item__code", flat=True))
                same = (
                    current == spec["items"]
                    and bundle.name == spec["name"]
                    and bundle.description == spec["description"]
                    and bundle.life_event == spec["life_event"]
                )
                if same:
                    continue
            catalog_services.bundle_save(
                actor=actor,
                code=spec["code"],
                name=spec["name"],
                item_codes=list(spec["items"]),
                description=spec["description"],
                life_event=spec["life_event"],
            )

    # -- residents ----------------------------------------------------------------------------------

    def load_residents(self, actor: Actor) -> None:
        for spec in data.residents:
            first17 = spec["village"][:6] + spec["birth"] + spec["seq"]
            id_number = validate_id_number(first17 + id_check_digit(first17))
            if Resident.objects.filter(id_index=blind_index(id_number)).exists():
                continue
            Resident.objects.create(
                kind=ResidentKind.PERSON,
                name=spec["name"],
                id_number=id_number,
                phone=validate_mobile(spec["phone"]),
                address=spec["address"],
                jurisdiction=self.places[spec["village"]],
                created_by=actor.user,
            )

    # -- duty roster --------------------------------------------------------------------------------

    def load_duties(self) -> None:
        """Township staff on duty every weekday of the next two weeks; 别力古台镇 also on Saturdays."""
        today = timezone.localdate()
        weekend_town = data.townships[0]["code"]
        for t in data.townships:
            specs = [s for s in data.township_staff.get(t["code"], []) if "reviewer" not in s["roles"]]
            clerks = [
                s
                for s in specs
                if s.get("window") and self.windows[(t["code"], s["window"])].kind == "comprehensive"
            ]
            for offset in range(DUTY_DAYS):
                day = today + dt.timedelta(days=offset)
                if day.isoweekday() <= 5:
                    for spec in specs:
                        window = self.windows.get((t["code"], spec["window"])) if spec.get("window") else None
                        note = "" if window else "值班长（大厅巡查、首问负责）"
                        self._duty(spec["username"], day, Shift.FULL, window, note)
                elif day.isoweekday() == 6 and t["code"] == weekend_town and clerks:
                    # Weekend service (周末服务): the comprehensive clerks take turns week by week.
                    spec = clerks[day.isocalendar().week % 2]
                    self._duty(spec["username"], day, Shift.WEEKEND, self.windows[(t["code"], 1)], "周末服务")

    def _duty(self, username: str, day: dt.date, shift: str, window: Window | None, note: str) -> None:
        Duty.objects.get_or_create(
            staff=self.staff[username], date=day, shift=shift, defaults={"window": window, "note": note}
        )


def _place_for(levels: list[str]) -> str:
    if "township" in levels and "county" in levels:
        return data.place_both
    if "township" in levels:
        return data.place_township
    return data.place_county
