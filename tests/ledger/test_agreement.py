"""Every named figure agrees across surfaces: for a generated county (several townships, villages and
a township without cases; cases through the real services with every outcome; ratings including
default ones and ones voided on appeal), the dashboard, ``GET /api/v1/stats``, the Excel ledgers, the
monthly PDF reports, the ranking and the public 好差评 pages show the same number for the same scope
and period, and it is the one :mod:`onewindow.ledger.metrics` computes."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader

from onewindow.feedback import services as feedback
from onewindow.feedback.models import Rating
from onewindow.ledger import exports, metrics
from onewindow.org.actors import actor_of
from onewindow.org.models import Centre
from tests.cases.conftest import act, intake
from tests.factories import make_staff
from tests.ledger.test_metrics import add_centre, add_township

pytestmark = pytest.mark.django_db

PERIOD = {"from": "2026-09-01", "to": "2026-09-30"}
CHECK = "002X"
OUTCOMES = ["open", "on_time", "late", "deny", "rated", "default", "voided"]
FIGURES = [k for k, m in metrics.REGISTRY.items() if m.kind != "score"]
RATING_FIGURES = {"ratings": "total", "good": "satisfied", "bad": "bad", "ratings_default": "defaults"}

case_spec = st.tuples(
    st.integers(0, 3),  # centre: C-A, C-B, and the two extra townships' centres
    st.sampled_from(["window", "online", "proxy"]),
    st.sampled_from(OUTCOMES),
    st.integers(1, 5),  # the level a rated case gets
)


def user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def cell(v: Any) -> Any:
    """As the Excel ledgers show a figure: "—" when it cannot be computed."""
    return "—" if v is None else v


def pct(v: float | None) -> str:
    """As the templates show a rate (``widthratio v 1 100``)."""
    return "—" if v is None else f"{round(v * 100)}%"


def build_county(world: dict[str, Any], clock: Any, cases: list[tuple[int, str, str, int]]) -> None:
    county = world["county"]
    clerks = ["clerk", "outsider"]
    heads = [world["head"].user, world["chief"].user]
    codes = ["C-A", "C-B"]
    for n in (1, 2):
        t = add_township(county, n)
        c = add_centre(t, f"C-X{n}")
        codes.append(c.code)
        clerks.append(make_staff(f"clerkx{n}", f"综窗{n}", t, ["clerk"], centre=c).user.username)
        heads.append(make_staff(f"headx{n}", f"主任{n}", t, ["centre_head"], centre=c).user)
    add_township(county, 3)  # a township with a village and no centre, no case
    clock.set_day(dt.date(2026, 9, 1))
    made = []
    for centre, channel, outcome, level in cases:
        case = intake(actor=user(clerks[centre]), centre=codes[centre], channel=channel)
        if channel != "window":  # online and proxy applications wait for the window's acceptance
            case = act(clerks[centre], case, "accept")
        made.append((case, centre, outcome, level))
    clock.set_day(dt.date(2026, 9, 2))
    for case, _centre, outcome, _lv in made:
        if outcome in {"on_time", "rated", "default", "voided"}:
            act("reviewer", case, "approve")
        elif outcome == "deny":
            act("reviewer", case, "deny", reason="条件不符", basis="《最低生活保障审核确认办法》第十条")
    clock.set_day(dt.date(2026, 9, 3))
    for case, centre, outcome, _lv in made:
        if outcome in {"rated", "default", "voided"}:
            act(clerks[centre], case, "ready")
            act(clerks[centre], case, "deliver", to="window", signed_by="巴特尔")
    clock.set_day(dt.date(2026, 9, 4))
    ratings = {}
    for case, _c, outcome, level in made:
        if outcome in {"rated", "voided"}:
            lv = level if outcome == "rated" else 1 + level % 2
            ratings[case.pk] = feedback.rating_submit(
                number=case.number, check=CHECK, level=lv, comment="太慢" if lv <= 2 else ""
            )
    clock.set_day(dt.date(2026, 9, 14))
    feedback.rating_apply_defaults()
    clock.set_day(dt.date(2026, 9, 15))
    for case, centre, outcome, _lv in made:
        if outcome == "voided":
            a = feedback.rating_appeal(
                actor=actor_of(heads[centre]), rating=ratings[case.pk].pk, reason="非申请人本人评价"
            )
            feedback.rating_appeal_decide(
                actor=actor_of(user("supervisor")), appeal=a.pk, decision="void", note="核实作废"
            )
    clock.set_day(dt.date(2026, 9, 28))
    for case, _c, outcome, _lv in made:
        if outcome == "late":
            act("reviewer", case, "approve")
    clock.set_day(dt.date(2026, 9, 30))


def xlsx_rows(client: Any, table: str, county: str) -> dict[str, dict[str, Any]]:
    r = client.get(f"/ledger/export/{table}.xlsx", {**PERIOD, "j": county})
    assert r.status_code == 200
    rows = list(load_workbook(io.BytesIO(r.content)).worksheets[0].iter_rows(values_only=True))
    headers = list(rows[0])
    return {str(row[0]): dict(zip(headers, row, strict=True)) for row in rows[1:]}


def pdf_text(client: Any, code: str) -> str:
    r = client.get(f"/ledger/report/{code}.pdf", {"month": "2026-09"})
    assert r.status_code == 200
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)


def pdf_value(text: str, label: str) -> str:
    m = re.search(re.escape(label) + r"\s*([^\s]+(?:\s*/\s*[^\s]+)*)", text)
    assert m, (label, text)
    return m.group(1)


def compare(world: dict[str, Any], client: Any) -> None:
    county = world["county"].code
    api = client.get("/api/v1/stats", {**PERIOD, "jurisdiction": county}).json()
    dash = client.get("/ledger/", {**PERIOD, "j": county}).context
    sheet = xlsx_rows(client, "jurisdiction", county)
    headers = {k: h for k, h, _r in exports.COLUMNS}
    # county totals: one function, every surface
    expected = metrics.figures(dash["totals"])
    for k in FIGURES:
        assert api["totals"][k] == dash["totals"][k] == expected[k], k
        if k in headers:
            assert sheet["合计"][headers[k]] == cell(expected[k]), k

    # per centre: API, dashboard, Excel, PDF, public 好差评 pages
    by_api = {
        r["label"]: r for r in client.get("/api/v1/stats", {**PERIOD, "group_by": "centre"}).json()["groups"]
    }
    by_dash = {r["label"]: r for r in dash["centres"]}
    by_xlsx = xlsx_rows(client, "centre", county)
    public = {r["name"]: r for r in client.get("/feedback/results/").context["by_centre"]}
    for name, row in by_api.items():
        for k in FIGURES:
            assert by_dash[name][k] == row[k], (name, k)
            if k in headers:
                assert by_xlsx[name][headers[k]] == cell(row[k]), (name, k)
        code = Centre.objects.get(name=name).code
        if not row["ratings"]:
            assert name not in public  # the public page lists centres with valid ratings
        else:
            pub = public[name]
            assert pub["rate"] == row["satisfaction_rate"], name
            for k, pk in RATING_FIGURES.items():
                assert pub[pk] == row[k], (name, k)
        disc = client.get(f"/feedback/centres/{code}/").context["ratings"]
        assert disc["rate"] == row["satisfaction_rate"] and disc["total"] == row["ratings"]
        assert disc["satisfied"] == row["good"] and disc["bad"] == row["bad"]
        assert disc["voided"] == row["ratings_voided"] and disc["defaults"] == row["ratings_default"]
    for name in public:
        assert name in by_api  # every centre rated publicly has its ratings in the ledger

    # per township: API groups, dashboard children, ranking, and each township centre's PDF score
    by_j = {
        r["key"]: r
        for r in client.get("/api/v1/stats", {**PERIOD, "group_by": "jurisdiction"}).json()["groups"]
    }
    children = {r["key"]: r for r in dash["children"]}
    ranking = client.get("/ledger/ranking/", PERIOD).context["townships"]
    assert {r["j"].code for r in ranking} >= set(children) - {county}
    for r in ranking:
        code = r["j"].code
        for k in FIGURES:
            assert r[k] == by_j[code][k] == children[code][k], (code, k)
        if not r["received"]:
            assert r["score"] is None and r["rank"] is None
    for centre in [world["centres"]["a"], world["centres"]["b"], *[c for c in world["extra"]]]:
        text = pdf_text(client, centre.code)
        row = next(r for r in ranking if r["j"].pk == centre.jurisdiction_id)
        t = by_api.get(centre.name) or metrics.figures({})
        assert pdf_value(text, "同口径）") == ("—" if row["score"] is None else str(row["score"])), (
            centre.code
        )
        assert pdf_value(text, "收件").split()[0] == str(t["received"])
        assert pdf_value(text, "按时办结率").split()[0] == pct(t["on_time_rate"])
        assert pdf_value(text, "有效评价 / 满意率").split(" / ")[:2] == [
            str(t["ratings"]),
            pct(t["satisfaction_rate"]),
        ]
        good_bad = pdf_value(text, "好评 / 差评 / 默认评价 / 已作废").split(" / ")[:4]
        assert [int(x.split()[0]) for x in good_bad] == [
            t["good"],
            t["bad"],
            t["ratings_default"],
            t["ratings_voided"],
        ]


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(
    cases=[(0, "window", o, 3) for o in OUTCOMES]
    + [
        (1, "proxy", "rated", 2),
        (1, "window", "default", 1),
        (2, "online", "voided", 1),
        (2, "window", "late", 5),
    ]
)
@given(cases=st.lists(case_spec, min_size=1, max_size=8))
def test_every_surface_shows_the_same_figures(
    ledger_world: dict[str, Any], clock: Any, login: Any, cases: list[Any]
) -> None:
    with transaction.atomic():
        build_county(ledger_world, clock, cases)
        world = {
            **ledger_world,
            "extra": list(Centre.objects.filter(code__startswith="C-X").order_by("code")),
        }
        compare(world, login("supervisor"))
        assert Rating.objects.exists() or all(c[2] not in {"rated", "default", "voided"} for c in cases)
        transaction.set_rollback(True)
