"""Case timelines as the application writes them: working-day deadlines, hash-chained events."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from dataclasses import dataclass, field
from typing import Any

from .common import TZ, UTC
from .people import SNAPSHOTS

MATERIALS_OK = json.dumps(
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
MISSING = [{"code": "M02", "name": "户口簿", "reason": "未提交（需复印件1份）"}]
FORM = json.dumps({"reason": "家庭困难"}, ensure_ascii=False)
ASSIGNED_STATES = ("in_review", "approved", "denied", "ready", "delivered")


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


@dataclass
class Draft:
    """Who, where and what of one synthetic case, before its timeline."""

    case_id: int
    tw: Any
    channel: str
    centre: Any
    window: Any
    clerk: Any
    version: Any
    reviewer: Any
    resident_id: int
    check: str
    received: dt.datetime
    number: str


@dataclass
class Timeline:
    """The steps of one case: (action, state_from, state_to, at, actor, role, data); none in the future."""

    now: dt.datetime
    steps: list[tuple[str, str, str, dt.datetime, Any, str, dict[str, Any]]] = field(default_factory=list)
    state: str = ""
    notice: str = "{}"
    correction: int = 0
    accepted_at: dt.datetime | None = None
    decided: dt.datetime | None = None
    ready_at: dt.datetime | None = None
    delivered_at: dt.datetime | None = None
    deadline: dt.date | None = None
    accept_date: dt.date | None = None

    def step(
        self,
        action: str,
        to: str,
        when: dt.datetime,
        actor: Any,
        role: str,
        data: dict[str, Any] | None = None,
    ) -> bool:
        if when > self.now:
            return False
        self.steps.append((action, self.state, to, when, actor, role, data or {}))
        self.state = to
        return True


class CaseFactory:
    """Generates case rows and their event rows, deterministic for a seed."""

    def __init__(
        self,
        league: dict[str, Any],
        residents: dict[str, list[tuple[int, str]]],
        path_by_j: dict[int, str],
        days: int,
    ) -> None:
        self.rnd = random.Random(20261126)
        self.now = dt.datetime.now(UTC)
        self.today = self.now.astimezone(TZ).date()
        self.deadlines = Deadlines()
        self.workdays = [
            d
            for d in (self.today - dt.timedelta(days=k) for k in range(days, -1, -1))
            if self.deadlines.cal.is_workday(d)
        ]
        for start in set(self.workdays) | {self.today + dt.timedelta(days=k) for k in range(1, 40)}:
            for promised in {v.promised_days for v in league["items"]}:
                self.deadlines(start, promised)
        self.league, self.residents, self.path_by_j = league, residents, path_by_j
        self.items_by_banner: dict[str, list[Any]] = {}
        for v in league["items"]:
            self.items_by_banner.setdefault(v.department.code[2:8], []).append(v)
        self.counters: dict[str, int] = {}
        self.samples: list[tuple[str, str]] = []  # (case number, progress check)
        self.event_id = 0
        self.events_total = 0

    def later(self, t: dt.datetime, lo_h: float, hi_h: float) -> dt.datetime:
        return (t + dt.timedelta(hours=self.rnd.uniform(lo_h, hi_h))).replace(microsecond=0)

    def draft(self, case_id: int) -> Draft:
        rnd, league = self.rnd, self.league
        tw = league["townships"][rnd.randrange(len(league["townships"]))]
        banner6 = tw.code[:6]
        channel = rnd.choices(("window", "online", "proxy", "kiosk"), (70, 15, 10, 5))[0]
        at_county = channel == "window" and rnd.random() < 0.2
        centre = league["centre_by_j"][tw.parent_id] if at_county else league["centre_by_j"][tw.pk]
        v = rnd.choice(self.items_by_banner[banner6])
        resident_id, check = rnd.choice(self.residents[banner6])
        day = self.workdays[min(len(self.workdays) - 1, int(len(self.workdays) * (rnd.random() ** 0.8)))]
        local = dt.datetime.combine(day, dt.time(8, 30), TZ) + dt.timedelta(minutes=rnd.randrange(0, 480))
        received = local.astimezone(UTC).replace(microsecond=0)
        if received > self.now:  # today, later than now
            received = (self.now - dt.timedelta(minutes=rnd.randrange(1, 600))).replace(microsecond=0)
        prefix = banner6 + day.strftime("%Y%m%d")
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        number = f"{prefix}{self.counters[prefix]:05d}"
        if len(self.samples) < 2000 and rnd.random() < 0.01:
            self.samples.append((number, check))
        users = league["users"]
        return Draft(
            case_id=case_id,
            tw=tw,
            channel=channel,
            centre=centre,
            window=league["window_by_centre"][centre.pk],
            clerk=users[f"clerk-{tw.code[:9]}"],
            version=v,
            reviewer=users[f"rev-{v.department.code[2:]}"],
            resident_id=resident_id,
            check=check,
            received=received,
            number=number,
        )

    def timeline(self, d: Draft) -> Timeline:
        """Submission, correction or acceptance (or refusal), then review, decision, output, delivery."""
        tl, t, clerk = Timeline(self.now), d.received, d.clerk
        if d.channel in ("online", "proxy"):
            tl.step("submit", "submitted", t, clerk, "clerk")
            t = self.later(t, 1, 30)
        fate = self.rnd.random()
        if fate < 0.06 and tl.step(
            "request_correction", "correction_needed", t, clerk, "clerk", {"missing": MISSING}
        ):
            tl.correction = 1
            tl.notice = json.dumps(
                {"kind": "correction", "missing": MISSING, "issued_at": t.isoformat()}, ensure_ascii=False
            )
            t = self.later(t, 24, 24 * 7)
            if fate < 0.01:
                tl.decided = t if tl.step("reject", "not_accepted", t, clerk, "clerk") else None
            elif tl.step("supplement", "accepted", t, clerk, "clerk"):
                tl.accepted_at = t
        elif tl.state in ("", "submitted"):
            if tl.state == "submitted" and fate > 0.985:
                tl.decided = t if tl.step("reject", "not_accepted", t, clerk, "clerk") else None
            elif tl.step("accept", "accepted", t, clerk, "clerk"):
                tl.accepted_at = t
        if tl.accepted_at is not None:
            self.after_acceptance(d, tl, fate)
        return tl

    def after_acceptance(self, d: Draft, tl: Timeline, fate: float) -> None:
        assert tl.accepted_at is not None
        v, clerk, t = d.version, d.clerk, tl.accepted_at
        tl.accept_date = tl.accepted_at.astimezone(TZ).date()
        tl.deadline = self.deadlines(tl.accept_date, v.promised_days)
        tl.steps[-1][6]["deadline"] = tl.deadline.isoformat()
        t = self.later(t, 2, 48)
        if fate > 0.98:
            if tl.step("withdraw", "withdrawn", t, clerk, "clerk"):
                tl.decided = t
            return
        if not tl.step("assign", "in_review", t, d.reviewer, "reviewer"):
            return
        t = self.later(t, 24, 24 * v.promised_days * 1.2)
        outcome = "deny" if fate > 0.95 else "approve"
        if not tl.step(outcome, "denied" if outcome == "deny" else "approved", t, d.reviewer, "reviewer"):
            return
        tl.decided = t
        t = self.later(t, 2, 30)
        if not tl.step("ready", "ready", t, clerk, "clerk"):
            return
        tl.ready_at = t
        t = self.later(t, 4, 24 * 5)
        if fate > 0.03 and tl.step("deliver", "delivered", t, clerk, "clerk"):
            tl.delivered_at = t

    def case_row(self, d: Draft, tl: Timeline) -> dict[str, Any]:
        v, warning = d.version, "none"
        if tl.state in ("accepted", "in_review") and tl.deadline is not None:
            left = (tl.deadline - self.today).days
            warning = "red" if left < 0 else ("yellow" if left <= 1 else "none")
        return {
            "id": d.case_id,
            "number": d.number,
            "item_id": v.item_id,
            "item_version_id": v.pk,
            "channel": d.channel,
            "centre_id": d.centre.pk,
            "window_id": d.window.pk,
            "applicant_id": d.resident_id,
            **SNAPSHOTS[d.resident_id],
            "state": tl.state,
            "version": len(tl.steps),
            "form_data": FORM,
            "materials": MATERIALS_OK,
            "notice": tl.notice,
            "correction_count": tl.correction,
            "queue_department_id": v.department_id,
            "centre_path": self.path_by_j[d.centre.jurisdiction_id],
            "queue_path": self.path_by_j[v.department.jurisdiction_id],
            "queue_level": v.decide_level,
            "assignee_id": d.reviewer.pk if tl.state in ASSIGNED_STATES else None,
            "received_at": d.received,
            "state_since": tl.steps[-1][3],
            "accepted_at": tl.accepted_at,
            "accept_date": tl.accept_date,
            "promised_days": v.promised_days,
            "deadline": tl.deadline,
            "warning": warning,
            "decided_at": tl.decided,
            "ready_at": tl.ready_at,
            "delivered_at": tl.delivered_at,
            "delivery": "window" if tl.delivered_at else "",
            "signed_by": "本人" if tl.delivered_at else "",
            "decision_reason": "不符合条件" if tl.state in ("denied", "not_accepted") else "",
        }

    def event_rows(self, d: Draft, tl: Timeline) -> list[dict[str, Any]]:
        rows, prev = [], ""
        county_centre = self.league["centre_by_j"][d.tw.parent_id].pk
        for seq, (action, s_from, s_to, when, actor, role, data) in enumerate(tl.steps, start=1):
            self.event_id += 1
            payload = {
                "case": d.case_id,
                "seq": seq,
                "at": when.isoformat(),
                "actor": actor.pk,
                "actor_name": actor.staff.name,
                "role": role,
                "centre": d.centre.pk if role == "clerk" else county_centre,
                "window": d.window.pk if role == "clerk" else None,
                "action": action,
                "state_from": s_from,
                "state_to": s_to,
                "note": "",
                "data": data,
            }
            h = fast_event_hash(prev, payload)
            if self.event_id <= 50:  # the fast serialisation is byte-for-byte the model's
                assert h == event_hash(prev, payload)
            rows.append(
                {
                    "id": self.event_id,
                    "case_id": d.case_id,
                    "seq": seq,
                    "at": when,
                    "actor_id": actor.pk,
                    "actor_name": payload["actor_name"],
                    "role": role,
                    "centre_id": payload["centre"],
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
        self.events_total += len(rows)
        return rows

    def case(self, case_id: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        d = self.draft(case_id)
        tl = self.timeline(d)
        return self.case_row(d, tl), self.event_rows(d, tl)
