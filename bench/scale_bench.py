"""League-scale benchmark on PostgreSQL: synthetic data, intake under load, pgbench as the reference.

1. Recreates two databases on the PostgreSQL server (``ow_bench`` for the application, ``ow_pgbench``
   for pgbench) and migrates the first.
2. Generates a league-sized tree — 10 banners (旗), 100 townships (苏木镇), 1,000 villages (嘎查) with
   their centres and stations, departments, 60 published items, staff — and N cases with realistic
   timelines (online/agent submissions, one-time correction notices, review, decision, output,
   delivery; recent cases still open), each event hash-chained exactly as ``CaseEvent.compute_hash``
   does. Residents (encrypted personal data + blind index), cases and events are loaded with COPY
   (psycopg 3 ``cursor.copy``), secondary indexes and constraints dropped during the load and rebuilt
   after it, then VACUUM ANALYZE.
3. Starts the real server (``onewindow serve``: gunicorn, several workers and threads, persistent
   database connections) and measures, at N cases, the case list (a township clerk, a banner
   supervisor), the case detail and the public progress lookup (sequential requests, p50/p99).
4. Case intake (``POST /api/v1/cases``, token auth, clerks of 32 townships in 10 banners) at 1, 8 and 32
   concurrent clients (threads, keep-alive ``http.client``), each for a fixed time: req/s, p50, p99.
5. ``pgbench -i`` and ``pgbench`` (built-in tpcb-like) at the same client counts on the same server,
   and the ratio intake req/s ÷ pgbench tps.

Prints a Markdown table and writes it to ``bench/results/<date>.md``. No timing is asserted anywhere.

    python bench/scale_bench.py [--cases 1000000] [--seconds 10] [--pg postgres://postgres@127.0.0.1:5432]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import http.client
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from load import run_level  # noqa: E402  (bench/load.py)

T0 = time.perf_counter()
APP_DB = os.environ.get("BENCH_DB", "ow_bench")
PGBENCH_DB = APP_DB.replace("ow_bench", "ow_pgbench") if APP_DB != "ow_bench" else "ow_pgbench"
PORT = int(os.environ.get("BENCH_PORT", "8766"))
TZ = dt.timezone(dt.timedelta(hours=8))
UTC = dt.UTC
SURNAMES = [
    "巴特",
    "其其格",
    "乌力吉",
    "斯琴",
    "王",
    "李",
    "张",
    "刘",
    "陈",
    "杨",
    "赵",
    "包",
    "白",
    "敖",
    "吴",
    "孟",
]
GIVEN = [
    "尔",
    "图雅",
    "格日勒",
    "苏和",
    "明",
    "华",
    "芳",
    "军",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "洋",
    "艳",
    "勇",
]


def log(msg: str) -> None:
    print(f"[{time.perf_counter() - T0:6.1f}s] {msg}", flush=True)


# --- databases -----------------------------------------------------------------------------------


def admin_exec(base: str, *sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        for s in sql:
            conn.execute(s)  # type: ignore[arg-type]


def recreate(base: str, name: str) -> None:
    admin_exec(base, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}")


@contextmanager
def bulk_load(cur: Any, table: str) -> Iterator[None]:
    """Drop the table's secondary indexes, unique and foreign-key constraints; recreate them after."""
    cur.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
        (table,),
    )
    constraints = cur.fetchall()
    for name, _definition in constraints:
        cur.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    cur.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
        (table,),
    )
    indexes = cur.fetchall()
    for name, _definition in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    yield
    for _name, definition in indexes:
        cur.execute(definition)
    for name, definition in constraints:
        cur.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')


def db_default(field: Any, now: dt.datetime) -> Any:
    """The value a COPY row gets for a model field the generator does not set."""
    from django.db import models

    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    if field.has_default():
        value = field.get_default()
        if isinstance(field, models.JSONField):
            return json.dumps(value, ensure_ascii=False)
        return value
    if field.null:
        return None
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, models.CharField | models.TextField):
        return ""
    if isinstance(field, models.IntegerField | models.DecimalField | models.FloatField):
        return 0
    raise RuntimeError(f"{field.model.__name__}.{field.name}: no value and no default for COPY")


def copy_rows(cur: Any, model: Any, rows: Iterator[dict[str, Any]]) -> int:
    """COPY dict rows (keyed by attname; JSON as text) into the model's table; missing → defaults."""
    now = dt.datetime.now(UTC)
    fields = list(model._meta.concrete_fields)
    columns = ", ".join(f'"{f.column}"' for f in fields)
    names = [f.attname for f in fields]
    defaults: dict[str, Any] | None = None
    n = 0
    with cur.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as cp:
        for row in rows:
            if defaults is None:  # from the first row: the fields the generator leaves out
                defaults = {f.attname: db_default(f, now) for f in fields if f.attname not in row}
            cp.write_row([row[k] if k in row else defaults[k] for k in names])
            n += 1
    return n


def reset_sequence(cur: Any, model: Any) -> None:
    table = model._meta.db_table
    cur.execute(
        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
        f'(SELECT COALESCE(MAX(id), 1) FROM "{table}"))'
    )


# --- the league ----------------------------------------------------------------------------------


def build_league(n_banners: int = 10, townships_per: int = 10, villages_per: int = 10) -> dict[str, Any]:
    """Jurisdictions, centres, windows, departments, items and staff via the ORM (a few thousand rows)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from onewindow.catalog import services as catalog_services
    from onewindow.catalog.models import Domain
    from onewindow.org.models import Centre, Department, Jurisdiction, Level, Staff, StaffRole, Window
    from onewindow.worktime.services import calendar_load

    year = dt.date.today().year  # noqa: DTZ011 - a calendar year
    with transaction.atomic():  # the calendar listeners lock the cases they recount
        calendar_load(
            actor=None,
            text="".join(f"{y}-01-01,holiday,元旦\n" for y in (year + 1, year + 2)),
            source="基准测试数据",
        )
    banners: list[Jurisdiction] = []
    townships: list[Jurisdiction] = []
    villages: list[Jurisdiction] = []
    for b in range(n_banners):
        code6 = f"1525{b + 1:02d}"
        banner = Jurisdiction(code=code6 + "000000", name=f"第{b + 1}旗", level=Level.COUNTY)
        banner.path = banner.code + "/"
        banners.append(banner)
        for t in range(townships_per):
            tw = Jurisdiction(
                code=f"{code6}{101 + t:03d}000", name=f"{b + 1}旗第{t + 1}苏木", level=Level.TOWNSHIP
            )
            tw.parent = banner
            tw.path = banner.path + tw.code + "/"
            townships.append(tw)
            for v in range(villages_per):
                vg = Jurisdiction(
                    code=f"{tw.code[:9]}{201 + v:03d}", name=f"{tw.name}{v + 1}嘎查", level=Level.VILLAGE
                )
                vg.parent = tw
                vg.path = tw.path + vg.code + "/"
                villages.append(vg)
    Jurisdiction.objects.bulk_create(banners)
    Jurisdiction.objects.bulk_create(townships)
    Jurisdiction.objects.bulk_create(villages)
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
    window_by_centre = {w.centre_id: w for w in Window.objects.all()}
    domain, _ = Domain.objects.get_or_create(code="social", defaults={"name": "社会服务", "sort": 1})
    depts: list[Department] = []
    for banner in banners:
        for short, name in (("MZ", "民政局"), ("RS", "人力资源和社会保障局"), ("YB", "医疗保障局")):
            depts.append(
                Department(
                    code=f"D-{banner.code[:6]}-{short}",
                    name=f"{banner.name}{name}",
                    short_name=name[:2],
                    jurisdiction=banner,
                )
            )
    Department.objects.bulk_create(depts)
    items: list[Any] = []
    titles = [
        "最低生活保障申请",
        "高龄津贴申请",
        "临时救助申请",
        "城乡居民养老保险参保登记",
        "医疗费用报销",
        "残疾人两项补贴申请",
    ]
    for banner in banners:
        for d_i, dept in enumerate(d for d in depts if d.jurisdiction_id == banner.pk):
            for k in range(2):
                title = titles[(d_i * 2 + k) % len(titles)]
                v = catalog_services.item_create(
                    actor=None,
                    code=f"{dept.code[2:]}-{k + 1:03d}",
                    name=title,
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
    users: list[Any] = []
    staff_specs: list[tuple[str, str, Any, list[str], Any, Any]] = []
    password = make_password(None)
    for tw in townships:
        staff_specs.append(
            (f"clerk-{tw.code[:9]}", f"{tw.name}综窗", tw, ["clerk"], centre_by_j[tw.pk], None)
        )
    for banner in banners:
        staff_specs.append(
            (f"sup-{banner.code[:6]}", f"{banner.name}督查", banner, ["supervisor"], None, None)
        )
        for dept in (d for d in depts if d.jurisdiction_id == banner.pk):
            staff_specs.append(
                (
                    f"rev-{dept.code[2:]}",
                    f"{dept.name}审批",
                    banner,
                    ["reviewer"],
                    centre_by_j[banner.pk],
                    dept,
                )
            )
    user_model = get_user_model()
    users = [user_model(username=s[0], password=password) for s in staff_specs]
    user_model.objects.bulk_create(users)
    user_by_name = {
        u.username: u for u in user_model.objects.filter(username__in=[s[0] for s in staff_specs])
    }
    staff_rows = [
        Staff(user=user_by_name[u], name=name, jurisdiction=j, centre=c, department=d)
        for u, name, j, _roles, c, d in staff_specs
    ]
    Staff.objects.bulk_create(staff_rows)
    staff_by_user = {s.user_id: s for s in Staff.objects.all()}
    StaffRole.objects.bulk_create(
        [StaffRole(staff=staff_by_user[user_by_name[s[0]].pk], role=r) for s in staff_specs for r in s[3]]
    )
    return {
        "banners": banners,
        "townships": townships,
        "villages": villages,
        "centre_by_j": centre_by_j,
        "window_by_centre": window_by_centre,
        "items": items,
        "users": user_by_name,
    }


# --- synthetic residents, cases and timelines ------------------------------------------------------


def id_number(region6: str, i: int) -> str:
    from onewindow.privacy.identifiers import id_check_digit

    birth = dt.date(1940, 1, 1) + dt.timedelta(days=i % 25000)
    first17 = f"{region6}{birth:%Y%m%d}{i // 25000:03d}"
    return first17 + id_check_digit(first17)


# resident id → the case's applicant snapshot columns (the same ciphertexts as the resident row)
SNAPSHOTS: dict[int, dict[str, str]] = {}


def load_residents(cur: Any, league: dict[str, Any], n: int) -> dict[str, list[tuple[int, str]]]:
    """``n`` residents spread over the villages; returns banner code → [(id, check)]."""
    from onewindow.org.models import Resident
    from onewindow.privacy.crypto import blind_index, encrypt

    villages = league["villages"]
    by_banner: dict[str, list[tuple[int, str]]] = {}

    def rows() -> Iterator[dict[str, Any]]:
        for i in range(n):
            v = villages[i % len(villages)]
            number = id_number(v.code[:6], i)
            rid = i + 1
            by_banner.setdefault(v.code[:6], []).append((rid, number[-4:]))
            name = random.choice(SURNAMES) + random.choice(GIVEN)
            row = {
                "id": rid,
                "kind": "person",
                "name": name,
                "id_number": encrypt(number),
                "id_index": blind_index(number),
                "phone": encrypt(f"139{i:08d}"),
                "address": encrypt(f"{v.name}{i % 9 + 1}组"),
                "jurisdiction_id": v.pk,
            }
            SNAPSHOTS[rid] = {
                "applicant_kind": "person",
                "applicant_name": encrypt(name),
                "applicant_id_number": row["id_number"],
                "applicant_phone": row["phone"],
                "applicant_address": row["address"],
            }
            yield row

    with bulk_load(cur, Resident._meta.db_table):
        copy_rows(cur, Resident, rows())
    reset_sequence(cur, Resident)
    return by_banner


class Deadlines:
    """Working-day deadlines, memoised per (start, days): the calendar walk runs a few thousand times."""

    def __init__(self) -> None:
        from onewindow.worktime.calendar import WorkCalendar

        self.cal = WorkCalendar()
        self.memo: dict[tuple[dt.date, int], dt.date] = {}

    def __call__(self, start: dt.date, days: int) -> dt.date:
        key = (start, days)
        if key not in self.memo:
            self.memo[key] = self.cal.add_workdays(start, days)
        return self.memo[key]


def event_hash(prev: str, payload: dict[str, Any]) -> str:
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((prev + body).encode("utf-8")).hexdigest()


def fast_event_hash(prev: str, p: dict[str, Any]) -> str:
    """``event_hash`` with the fixed key order written out (3× faster than json.dumps(sort_keys=True))."""
    window = "null" if p["window"] is None else p["window"]
    data = (
        json.dumps(p["data"], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        if p["data"]
        else "{}"
    )
    body = (
        f'{{"action":"{p["action"]}","actor":{p["actor"]},'
        f'"actor_name":{json.dumps(p["actor_name"], ensure_ascii=False)},'
        f'"at":"{p["at"]}","case":{p["case"]},"centre":{p["centre"]},"data":{data},"note":"","role":"{p["role"]}",'
        f'"seq":{p["seq"]},"state_from":"{p["state_from"]}","state_to":"{p["state_to"]}","window":{window}}}'
    )
    return hashlib.sha256((prev + body).encode("utf-8")).hexdigest()


def load_cases(
    cur: Any, league: dict[str, Any], residents: dict[str, list[tuple[int, str]]], n: int, days: int = 365
) -> dict[str, Any]:
    from onewindow.cases.models import Case, CaseEvent

    # Every ORM read happens before the bulk load: dropping foreign keys locks the referenced tables.
    from onewindow.org.models import Jurisdiction, Staff

    staff_by_user = {s.user_id: s for s in Staff.objects.all()}
    path_by_j = dict(Jurisdiction.objects.values_list("pk", "path"))  # Case.centre_path / queue_path
    for u in league["users"].values():
        u.staff = staff_by_user[u.pk]
    rnd = random.Random(20261126)
    now = dt.datetime.now(UTC)
    today = now.astimezone(TZ).date()
    deadlines = Deadlines()
    workdays = [
        d for d in (today - dt.timedelta(days=k) for k in range(days, -1, -1)) if deadlines.cal.is_workday(d)
    ]
    for start in {d for d in workdays} | {today + dt.timedelta(days=k) for k in range(1, 40)}:
        for promised in {v.promised_days for v in league["items"]}:
            deadlines(start, promised)
    for v in league["items"]:
        v.department  # noqa: B018 - load it now
    centre_by_j = league["centre_by_j"]
    window_by_centre = league["window_by_centre"]
    users = league["users"]
    items_by_banner: dict[str, list[Any]] = {}
    for v in league["items"]:
        items_by_banner.setdefault(v.department.code[2:8], []).append(v)
    townships = league["townships"]
    villages_by_t: dict[int, list[Any]] = {}
    for vg in league["villages"]:
        villages_by_t.setdefault(vg.parent_id, []).append(vg)
    counters: dict[str, int] = {}
    events_total = 0
    samples: list[tuple[str, str]] = []  # (case number, progress check)
    materials_ok = json.dumps(
        [
            {
                "code": "M01",
                "name": "居民身份证",
                "required": True,
                "provided": True,
                "note": "",
                "original": True,
                "copies": 1,
            },
            {
                "code": "M02",
                "name": "户口簿",
                "required": True,
                "provided": True,
                "note": "",
                "original": False,
                "copies": 1,
            },
        ],
        ensure_ascii=False,
    )
    missing = [{"code": "M02", "name": "户口簿", "reason": "未提交（需复印件1份）"}]
    form = json.dumps({"reason": "家庭困难"}, ensure_ascii=False)
    case_rows: list[dict[str, Any]] = []
    event_rows: list[dict[str, Any]] = []

    def at_workday(day: dt.date, minute: int) -> dt.datetime:
        local = dt.datetime.combine(day, dt.time(8, 30), TZ) + dt.timedelta(minutes=minute)
        return local.astimezone(UTC)

    def later(t: dt.datetime, lo_h: float, hi_h: float) -> dt.datetime:
        return (t + dt.timedelta(hours=rnd.uniform(lo_h, hi_h))).replace(microsecond=0)

    def generate() -> Iterator[None]:
        nonlocal events_total
        event_id = 0
        for case_id in range(1, n + 1):
            tw = townships[rnd.randrange(len(townships))]
            banner6 = tw.code[:6]
            channel = rnd.choices(("window", "online", "proxy", "kiosk"), (70, 15, 10, 5))[0]
            at_county = channel == "window" and rnd.random() < 0.2
            centre = centre_by_j[tw.parent_id] if at_county else centre_by_j[tw.pk]
            window = window_by_centre[centre.pk]
            clerk = users[f"clerk-{tw.code[:9]}"]
            v = rnd.choice(items_by_banner[banner6])
            reviewer = users[f"rev-{v.department.code[2:]}"]
            resident_id, check = rnd.choice(residents[banner6])
            day = workdays[min(len(workdays) - 1, int(len(workdays) * (rnd.random() ** 0.8)))]
            received = at_workday(day, rnd.randrange(0, 480)).replace(microsecond=0)
            if received > now:  # today, later than now
                received = (now - dt.timedelta(minutes=rnd.randrange(1, 600))).replace(microsecond=0)
            prefix = banner6 + day.strftime("%Y%m%d")
            counters[prefix] = counters.get(prefix, 0) + 1
            number = f"{prefix}{counters[prefix]:05d}"
            if len(samples) < 2000 and rnd.random() < 0.01:
                samples.append((number, check))
            # the timeline: (action, state_from, state_to, at, actor, role, data)
            steps: list[tuple[str, str, str, dt.datetime, Any, str, dict[str, Any]]] = []
            t = received
            state = ""
            notice = "{}"
            correction = 0

            def step(
                action: str,
                to: str,
                when: dt.datetime,
                actor: Any,
                role: str,
                data: dict[str, Any] | None = None,
            ) -> bool:
                nonlocal state
                if when > now:
                    return False
                steps.append((action, state, to, when, actor, role, data or {}))  # noqa: B023 - used within the iteration
                state = to
                return True

            accepted_at = decided = ready_at = delivered_at = None
            deadline = accept_date = None
            rejected = False
            if channel in ("online", "proxy"):
                step("submit", "submitted", t, clerk, "clerk")
                t = later(t, 1, 30)
            fate = rnd.random()
            if fate < 0.06 and step(
                "request_correction", "correction_needed", t, clerk, "clerk", {"missing": missing}
            ):
                correction = 1
                notice = json.dumps(
                    {"kind": "correction", "missing": missing, "issued_at": t.isoformat()}, ensure_ascii=False
                )
                t = later(t, 24, 24 * 7)
                if fate < 0.01:
                    rejected = step("reject", "not_accepted", t, clerk, "clerk")
                    decided = t if rejected else None
                elif step("supplement", "accepted", t, clerk, "clerk"):
                    accepted_at = t
            elif not rejected and (state in ("", "submitted")):
                if state == "submitted" and fate > 0.985:
                    rejected = step("reject", "not_accepted", t, clerk, "clerk")
                    decided = t if rejected else None
                elif step("accept", "accepted", t, clerk, "clerk"):
                    accepted_at = t
            if accepted_at is not None:
                accept_date = accepted_at.astimezone(TZ).date()
                deadline = deadlines(accept_date, v.promised_days)
                steps[-1][6]["deadline"] = deadline.isoformat()
                t = later(t, 2, 48)
                if fate > 0.98:
                    if step("withdraw", "withdrawn", t, clerk, "clerk"):
                        decided = t
                elif step("assign", "in_review", t, reviewer, "reviewer"):
                    t = later(t, 24, 24 * v.promised_days * 1.2)
                    outcome = "deny" if fate > 0.95 else "approve"
                    if step(outcome, "denied" if outcome == "deny" else "approved", t, reviewer, "reviewer"):
                        decided = t
                        t = later(t, 2, 30)
                        if step("ready", "ready", t, clerk, "clerk"):
                            ready_at = t
                            t = later(t, 4, 24 * 5)
                            if fate > 0.03 and step("deliver", "delivered", t, clerk, "clerk"):
                                delivered_at = t
            warning = "none"
            if state in ("accepted", "in_review") and deadline is not None:
                left = (deadline - today).days
                warning = "red" if left < 0 else ("yellow" if left <= 1 else "none")
            case_rows.append(
                {
                    "id": case_id,
                    "number": number,
                    "item_id": v.item_id,
                    "item_version_id": v.pk,
                    "channel": channel,
                    "centre_id": centre.pk,
                    "window_id": window.pk,
                    "applicant_id": resident_id,
                    **SNAPSHOTS[resident_id],
                    "state": state,
                    "version": len(steps),
                    "form_data": form,
                    "materials": materials_ok,
                    "notice": notice,
                    "correction_count": correction,
                    "queue_department_id": v.department_id,
                    "centre_path": path_by_j[centre.jurisdiction_id],
                    "queue_path": path_by_j[v.department.jurisdiction_id],
                    "queue_level": v.decide_level,
                    "assignee_id": reviewer.pk
                    if state in ("in_review", "approved", "denied", "ready", "delivered")
                    else None,
                    "received_at": received,
                    "state_since": steps[-1][3],
                    "accepted_at": accepted_at,
                    "accept_date": accept_date,
                    "promised_days": v.promised_days,
                    "deadline": deadline,
                    "warning": warning,
                    "decided_at": decided,
                    "ready_at": ready_at,
                    "delivered_at": delivered_at,
                    "delivery": "window" if delivered_at else "",
                    "signed_by": "本人" if delivered_at else "",
                    "decision_reason": "不符合条件" if state in ("denied", "not_accepted") else "",
                }
            )
            prev = ""
            for seq, (action, s_from, s_to, when, actor, role, data) in enumerate(steps, start=1):
                event_id += 1
                actor_centre = centre.pk if role == "clerk" else centre_by_j[tw.parent_id].pk
                payload = {
                    "case": case_id,
                    "seq": seq,
                    "at": when.isoformat(),
                    "actor": actor.pk,
                    "actor_name": actor.staff.name,
                    "role": role,
                    "centre": actor_centre,
                    "window": window.pk if role == "clerk" else None,
                    "action": action,
                    "state_from": s_from,
                    "state_to": s_to,
                    "note": "",
                    "data": data,
                }
                h = fast_event_hash(prev, payload)
                if event_id <= 50:  # the fast serialisation is byte-for-byte the model's
                    assert h == event_hash(prev, payload)
                event_rows.append(
                    {
                        "id": event_id,
                        "case_id": case_id,
                        "seq": seq,
                        "at": when,
                        "actor_id": actor.pk,
                        "actor_name": payload["actor_name"],
                        "role": role,
                        "centre_id": actor_centre,
                        "window_id": payload["window"],
                        "action": action,
                        "state_from": s_from,
                        "state_to": s_to,
                        "note": "",
                        "data": json.dumps(data, ensure_ascii=False),
                        "prev_hash": prev,
                        "hash": h,
                    }
                )
                prev = h
            events_total += len(steps)
            if len(case_rows) >= 20000:
                yield

    with bulk_load(cur, Case._meta.db_table), bulk_load(cur, CaseEvent._meta.db_table):
        for _ in generate():
            copy_rows(cur, Case, iter(case_rows))
            copy_rows(cur, CaseEvent, iter(event_rows))
            case_rows.clear()
            event_rows.clear()
        copy_rows(cur, Case, iter(case_rows))
        copy_rows(cur, CaseEvent, iter(event_rows))
        log(f"  {n} cases and {events_total} events copied; rebuilding indexes and constraints")
    reset_sequence(cur, Case)
    reset_sequence(cur, CaseEvent)
    return {"events": events_total, "samples": samples, "counters": counters}


# --- HTTP -----------------------------------------------------------------------------------------


class HttpClient:
    """One keep-alive connection (reconnects when the server closes it)."""

    def __init__(self, token: str = "", source: str = "127.0.0.1"):
        self.token = token
        self.source = source
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, bytes]:
        headers = {"Content-Type": "application/json", "Connection": "keep-alive"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(
                    "127.0.0.1", PORT, timeout=60, source_address=(self.source, 0)
                )
            try:
                self.conn.request(method, path, body=data, headers=headers)
                r = self.conn.getresponse()
                content = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return r.status, content
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s)) - 1))]


def timed(fn: Callable[[], tuple[int, bytes]], repeat: int) -> tuple[list[float], list[int]]:
    times, codes = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        code, _body = fn()
        times.append((time.perf_counter() - t) * 1000)
        codes.append(code)
    return times, codes


def intake_body(i: int, item: str, centre: str) -> dict[str, Any]:
    return {
        "item": item,
        "centre": centre,
        "channel": "window",
        "applicant": {
            "kind": "person",
            "name": "基准测试",
            "id_number": id_number("152599", 900000 + i),
            "phone": f"137{i:08d}",
        },
        "materials": [{"code": "M01", "provided": True}, {"code": "M02", "provided": True}],
        "form": {"reason": "基准测试"},
    }


def pgbench(base: str, clients: int, seconds: int) -> float:
    url = urllib.parse.urlsplit(base)
    args = [
        "pgbench",
        "-h",
        url.hostname or "127.0.0.1",
        "-p",
        str(url.port or 5432),
        "-U",
        url.username or "postgres",
    ]
    out = subprocess.run(
        [*args, "-n", "-c", str(clients), "-j", str(min(clients, 2)), "-T", str(seconds), PGBENCH_DB],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    m = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out) or re.search(
        r"tps = ([\d.]+)", out
    )
    assert m, out
    return float(m.group(1))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=int(os.environ.get("BENCH_CASES", "1000000")))
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", "10")))
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "4")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", "4")))
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    args = parser.parse_args()
    base = args.pg.rstrip("/")
    data_dir = tempfile.mkdtemp(prefix="ow-scale-")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        ONEWINDOW_DATA_DIR=data_dir,
        DATABASE_URL=f"{base}/{APP_DB}",
        DJANGO_SETTINGS_MODULE="onewindow.settings",
        DEBUG="0",
        # anonymous writes (ticket issue, the ceiling view) come from one address here
        PUBLIC_POST_RATE_LIMIT="100000000",
    )
    os.environ.update(env)
    log(f"databases {APP_DB} and {PGBENCH_DB} on {base}; data dir {data_dir}")
    recreate(base, APP_DB)
    recreate(base, PGBENCH_DB)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    log("migrated")
    league = build_league()
    log(
        f"league: {len(league['banners'])} banners, {len(league['townships'])} townships, "
        f"{len(league['villages'])} villages, {len(league['centre_by_j'])} centres, "
        f"{len(league['items'])} items"
    )
    import psycopg

    t_load = time.perf_counter()
    with psycopg.connect(f"{base}/{APP_DB}") as pg, pg.cursor() as cur:
        residents = load_residents(cur, league, max(5000, min(250_000, args.cases // 4)))
        pg.commit()
        log(f"residents: {sum(len(v) for v in residents.values())}")
        loaded = load_cases(cur, league, residents, args.cases)
        pg.commit()
    from onewindow.cases.models import CaseCounter

    CaseCounter.objects.bulk_create(
        [CaseCounter(prefix=p, last=last) for p, last in loaded["counters"].items()]
    )
    with psycopg.connect(f"{base}/{APP_DB}", autocommit=True) as pg:
        pg.execute("VACUUM (ANALYZE) cases_case")
        pg.execute("VACUUM (ANALYZE) cases_caseevent")
        pg.execute("VACUUM (ANALYZE) org_resident")
        size = pg.execute(f"SELECT pg_size_pretty(pg_database_size('{APP_DB}'))").fetchone()[0]  # type: ignore[index]
    load_s = time.perf_counter() - t_load
    log(f"loaded {args.cases} cases / {loaded['events']} events in {load_s:.0f} s; database {size}")

    # the chain of a few synthetic cases verifies like a real one
    from onewindow.cases.models import Case
    from onewindow.cases.selectors import chain_verify

    for number, _check in loaded["samples"][:20]:
        broken = chain_verify(Case.objects.get(number=number))
        assert not broken, (number, broken)

    from onewindow.api.tokens import token_create

    clerks = []
    for tw in league["townships"][:: max(1, len(league["townships"]) // 32)][:32]:
        item = next(v for v in league["items"] if v.department.code[2:8] == tw.code[:6])
        clerks.append(
            (
                token_create(username=f"clerk-{tw.code[:9]}")[1],
                item.item.code,
                league["centre_by_j"][tw.pk].code,
            )
        )
    sup_token = token_create(username=f"sup-{league['banners'][0].code[:6]}")[1]
    ticket_centres = [c for _t, _i, c in clerks]
    statements = count_statements(clerks[0], ticket_centres, loaded["samples"][-1])
    with psycopg.connect(f"{base}/{APP_DB}", autocommit=True) as pg:
        pg.execute(f"CREATE TABLE IF NOT EXISTS {CEILING} (id bigserial PRIMARY KEY, note text)")
    connection.close()

    pg_target = (f"{base}/postgres", APP_DB)
    server = start_server(ROOT, env | {"DJANGO_SETTINGS_MODULE": "bench_settings"}, PORT, args)
    try:
        lookups = read_figures(clerks, sup_token, loaded["samples"], league)
        intake = [
            run_level(
                PORT, intake_build(clerks, 0), c, args.seconds, server_pid=server.pid, pg=pg_target, log=log
            )
            for c in (1, 8, 32)
        ]
        for r in intake:
            log_level("intake", r)
        short = max(3.0, args.seconds / 2)
        tickets = [
            run_level(
                PORT, ticket_build(ticket_centres), c, short, server_pid=server.pid, pg=pg_target, log=log
            )
            for c in (1, 8, 32)
        ]
        for r in tickets:
            log_level("ticket issue", r)
        ceiling = [
            run_level(PORT, ceiling_build, c, short, server_pid=server.pid, pg=pg_target, log=log)
            for c in (1, 8, 32)
        ]
        for r in ceiling:
            log_level("framework ceiling (one-row insert view)", r)
    finally:
        server.terminate()
        server.wait(timeout=30)

    # psycopg's pool (DB_POOL, CONN_MAX_AGE 0) against the default persistent connections, 8 clients
    pooled: list[dict[str, Any]] = []
    pool_size = int(os.environ.get("BENCH_POOL", str(args.threads)))
    if pool_size:
        pool_env = env | {"DJANGO_SETTINGS_MODULE": "bench_settings", "DB_POOL": str(pool_size)}
        pool_server = start_server(ROOT, pool_env, PORT + 2, args)
        try:
            pooled = [
                run_level(
                    PORT + 2,
                    intake_build(clerks, 2 * 10**6),
                    8,
                    args.seconds,
                    server_pid=pool_server.pid,
                    pg=pg_target,
                    log=log,
                ),
                run_level(
                    PORT + 2, ceiling_build, 8, short, server_pid=pool_server.pid, pg=pg_target, log=log
                ),
            ]
            log_level(f"intake, DB_POOL={pool_size}", pooled[0])
            log_level(f"framework ceiling, DB_POOL={pool_size}", pooled[1])
        finally:
            pool_server.terminate()
            pool_server.wait(timeout=30)

    baseline: list[dict[str, Any]] = []
    rev = os.environ.get("BENCH_BASELINE", "")
    if rev:
        tree = Path(tempfile.mkdtemp(prefix="ow-baseline-"))
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
        old = start_server(tree, env | {"PYTHONPATH": str(tree)}, PORT + 1, args)
        try:
            baseline = [
                run_level(
                    PORT + 1,
                    intake_build(clerks, 10**6),
                    c,
                    args.seconds,
                    server_pid=old.pid,
                    pg=pg_target,
                    log=log,
                )
                for c in (1, 8, 32)
            ]
            for r in baseline:
                log_level(f"intake, baseline {rev}", r)
        finally:
            old.terminate()
            old.wait(timeout=30)

    # --- pgbench on the same server --------------------------------------------------------------
    url = urllib.parse.urlsplit(base)
    pg_args = [
        "-h",
        url.hostname or "127.0.0.1",
        "-p",
        str(url.port or 5432),
        "-U",
        url.username or "postgres",
    ]
    subprocess.run(["pgbench", *pg_args, "-i", "-q", "-s", "10", PGBENCH_DB], check=True, capture_output=True)
    tps = {}
    for conc in (1, 8, 32):
        tps[conc] = pgbench(base, conc, int(args.seconds))
        log(f"  pgbench tpcb-like {conc:2d} clients: {tps[conc]:.0f} tps")

    pg_version = psycopg.connect(f"{base}/postgres").execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    report = render_report(
        args=args,
        league=league,
        loaded=loaded,
        residents=residents,
        load_s=load_s,
        size=size,
        pg_version=pg_version,
        figures={
            "intake": intake,
            "tickets": tickets,
            "ceiling": ceiling,
            "baseline": baseline,
            "rev": rev,
            "pooled": pooled,
            "pool_size": pool_size,
        },
        tps=tps,
        statements=statements,
        lookups=lookups,
    )
    print()
    print(report)
    today = dt.date.today().isoformat()  # noqa: DTZ011
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{today}.md").write_text(report, encoding="utf-8")
    log(f"written to {out / (today + '.md')}")
    return 0


CEILING = "bench_ceiling"


def log_level(what: str, r: dict[str, Any]) -> None:
    log(
        f"  {what} {r['clients']:2d} clients: {r['rps']:.1f} req/s, p50 {r['p50']:.1f} ms, "
        f"p99 {r['p99']:.1f} ms, {r['errors']} errors / {r['requests']}, "
        f"CPU per request: app {r['app_ms']:.1f} ms, PostgreSQL {r['pg_ms']:.2f} ms"
    )


def intake_build(clerks: list[tuple[str, str, str]], offset: int) -> Any:
    def build(k: int, i: int) -> tuple[str, str, str, Any, int]:
        token, item, centre = clerks[k % len(clerks)]
        return token, "POST", "/api/v1/cases", intake_body(offset + 100_000 * k + i, item, centre), 201

    return build


def ticket_build(centres: list[str]) -> Any:
    def build(k: int, i: int) -> tuple[str, str, str, Any, int]:
        return (
            "",
            "POST",
            "/api/v1/tickets",
            {"centre": centres[k % len(centres)], "category": "comprehensive"},
            201,
        )

    return build


def ceiling_build(k: int, i: int) -> tuple[str, str, str, Any, int]:
    return "", "POST", "/bench/insert", {"k": k, "i": i}, 201


def count_statements(
    clerk: tuple[str, str, str], centres: list[str], sample: tuple[str, str]
) -> dict[str, dict[str, Any]]:
    """Statements and transactions of one intake, ticket issue and progress lookup (in-process)."""
    from intake_statements import measure, open_all_day, print_report

    from onewindow.org.models import Centre

    for code in centres:
        open_all_day(Centre.objects.get(code=code))
    token, item, centre = clerk
    number, check = sample
    results = measure(
        [
            (
                "intake (POST /api/v1/cases)",
                "POST",
                "/api/v1/cases",
                lambda i: intake_body(800_000 + i, item, centre),
                {"HTTP_AUTHORIZATION": f"Bearer {token}"},
            ),
            (
                "ticket issue (POST /api/v1/tickets)",
                "POST",
                "/api/v1/tickets",
                {"centre": centre, "category": "comprehensive"},
                {},
            ),
            (
                "progress lookup (GET /api/v1/progress)",
                "GET",
                f"/api/v1/progress?number={number}&check={check}",
                None,
                {},
            ),
        ]
    )
    print_report(results)
    return results


def start_server(tree: Path, env: dict[str, str], port: int, args: Any) -> subprocess.Popen[bytes]:
    env = dict(env)
    env["PYTHONPATH"] = os.pathsep.join([str(tree / "bench"), env.get("PYTHONPATH") or str(tree)])
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "onewindow.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
        ],
        env=env,
        cwd=tree,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                break
        except OSError:
            time.sleep(0.2)
    log(f"server up ({tree}): gunicorn, {args.workers} workers × {args.threads} threads, port {port}")
    return server


def read_figures(
    clerks: list[tuple[str, str, str]], sup_token: str, numbers: list[tuple[str, str]], league: dict[str, Any]
) -> dict[str, tuple[list[float], list[int]]]:
    """List, detail and progress at N cases (sequential, one client)."""
    clerk = HttpClient(clerks[0][0])
    sup = HttpClient(sup_token)
    lookups: dict[str, tuple[list[float], list[int]]] = {}
    for name, client, path in (
        ("case list, township clerk (page 1 of ~N/100)", clerk, "/api/v1/cases?page=1&page_size=50"),
        ("case list, banner supervisor (page 1 of ~N/10)", sup, "/api/v1/cases?page=1&page_size=50"),
        ("case list, supervisor, state=in_review", sup, "/api/v1/cases?state=in_review&page=1&page_size=50"),
        ("case list, supervisor, page 100", sup, "/api/v1/cases?page=100&page_size=50"),
    ):
        client.request("GET", path)
        lookups[name] = timed(lambda c=client, p=path: c.request("GET", p), 30)  # type: ignore[misc]
    banner1 = league["banners"][0].code[:6]
    it = iter([n for n in numbers if n[0].startswith(banner1)] * 60)
    lookups["case detail (supervisor)"] = timed(
        lambda: sup.request("GET", f"/api/v1/cases/{next(it)[0]}"), 60
    )
    # public progress: rate-limited per address (30/min): rotate loopback source addresses
    progress_lat: list[float] = []
    progress_codes: list[int] = []
    for a in range(4):
        anon = HttpClient(source=f"127.0.0.{10 + a}")
        for number, check in numbers[a * 25 : (a + 1) * 25]:
            t = time.perf_counter()
            code, _ = anon.request("GET", f"/api/v1/progress?number={number}&check={check}")
            progress_lat.append((time.perf_counter() - t) * 1000)
            progress_codes.append(code)
    lookups["progress lookup (public, number + check)"] = (progress_lat, progress_codes)
    for name, (lat, codes) in lookups.items():
        bad = [c for c in codes if c != 200]
        log(
            f"  {name}: p50 {pct(lat, 50):.1f} ms, p99 {pct(lat, 99):.1f} ms"
            + (f", non-200: {bad[:5]}" if bad else "")
        )
    return lookups


def render_report(**kw: Any) -> str:
    args, league, fig, tps = kw["args"], kw["league"], kw["figures"], kw["tps"]
    today = dt.date.today().isoformat()  # noqa: DTZ011
    lines = [
        f"# OneWindow benchmark — {today}",
        "",
        f"Machine: {os.cpu_count()} CPU cores, {platform.system()} {platform.machine()}, Python "
        f"{platform.python_version()}, PostgreSQL {kw['pg_version']} (same host, loopback). Server: gunicorn "
        f"`onewindow serve` {args.workers} workers × {args.threads} threads, persistent DB connections.",
        f"Data: 10 banners, 100 townships, 1,000 villages, 1,110 centres, {len(league['items'])} items; "
        f"{args.cases:,} cases with {kw['loaded']['events']:,} hash-chained events, "
        f"{sum(len(v) for v in kw['residents'].values()):,} residents (encrypted), "
        f"loaded with COPY in {kw['load_s']:.0f} s (database {kw['size']}).",
        "",
        "## Statements per request (one request, warm caches, in-process)",
        "",
        "| request | statements | transactions | health-check `SELECT 1` |",
        "|---|---:|---:|---:|",
    ]
    for name, r in kw["statements"].items():
        lines.append(f"| {name} | {r['statements']} | {r['transactions']} | {r['health_checks']} |")
    intake = kw["statements"].get("intake (POST /api/v1/cases)")
    if intake:
        lines += [
            "",
            f"statements per intake: {intake['statements']} / "
            f"transactions per intake: {intake['transactions']}",
            "",
            "Statements of one intake by origin: "
            + ", ".join(f"{origin} {n}" for origin, n in intake["origins"].items()),
        ]
    lines += [
        "",
        f"## Under load ({args.seconds:.0f} s per intake level) vs pgbench tpcb-like",
        "",
        "| request | clients | req/s | p50 ms | p99 ms | errors | app CPU ms/req | PostgreSQL CPU ms/req "
        "| pgbench tps | ÷ pgbench |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rows = [("intake", fig["intake"])]
    if fig["baseline"]:
        rows.append((f"intake, baseline `{fig['rev']}`", fig["baseline"]))
    rows += [("ticket issue", fig["tickets"]), ("framework ceiling (1-row insert view)", fig["ceiling"])]
    if fig["pooled"]:
        rows += [
            (f"intake, psycopg pool `DB_POOL={fig['pool_size']}`", fig["pooled"][:1]),
            (f"framework ceiling, `DB_POOL={fig['pool_size']}`", fig["pooled"][1:]),
        ]
    for what, levels in rows:
        for r in levels:
            c = r["clients"]
            lines.append(
                f"| {what} | {c} | {r['rps']:.1f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['errors']} | "
                f"{r['app_ms']:.1f} | {r['pg_ms']:.2f} | {tps[c]:.0f} | {r['rps'] / tps[c]:.3f} |"
            )
    if fig["baseline"]:
        lines += [
            "",
            "intake ÷ baseline (same run): "
            + ", ".join(
                (
                    f"{n['clients']} clients {n['rps'] / b['rps']:.2f}×"
                    if b["rps"]
                    else f"{n['clients']} clients —"
                )
                for n, b in zip(fig["intake"], fig["baseline"], strict=True)
            ),
        ]
    if fig["pooled"]:
        eight = next(r for r in fig["intake"] if r["clients"] == 8)
        ceil8 = next(r for r in fig["ceiling"] if r["clients"] == 8)
        lines += [
            "",
            "persistent connections ÷ psycopg pool at 8 clients (same run): "
            f"intake {eight['rps'] / fig['pooled'][0]['rps']:.2f}×, "
            f"framework ceiling {ceil8['rps'] / fig['pooled'][1]['rps']:.2f}×",
        ]
    lines += [
        "",
        f"## Reads at {args.cases:,} cases (sequential, one client)",
        "",
        "| request | n | p50 ms | p99 ms |",
        "|---|---:|---:|---:|",
    ]
    for name, (lat, _codes) in kw["lookups"].items():
        lines.append(f"| {name} | {len(lat)} | {pct(lat, 50):.1f} | {pct(lat, 99):.1f} |")
    lines += [
        "",
        "CPU per request: user + system time of the server's processes (`/proc`) and of the PostgreSQL "
        "backends of the application database (`pg_stat_activity` pids), over the level, ÷ successful "
        "requests. A pgbench tpcb-like transaction is 5 SQL statements; the ratio says how many raw "
        "database transactions' worth of capacity one request costs on this machine.",
        f"Total benchmark time: {time.perf_counter() - T0:.0f} s.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
