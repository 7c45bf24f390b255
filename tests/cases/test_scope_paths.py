"""The case scope on the paths stored on the case equals the old rule on the joined tables.

Old rule (kept here as the oracle): a user sees a case when the jurisdiction path of the accepting
centre, or of the department whose queue holds it, starts with the path of one of the user's scope roots
(``Staff.jurisdiction`` plus ``Staff.extra_jurisdictions``); a user without a staff record sees none.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from onewindow.cases import selectors
from onewindow.cases.models import Case
from onewindow.org import access
from onewindow.org.actors import actor_of
from onewindow.org.models import Centre, Department, Jurisdiction, Level
from tests.cases.conftest import act, intake, user
from tests.factories import JurisdictionFactory, UserFactory, make_item, make_staff

pytestmark = pytest.mark.django_db


def old_case_scope(u: Any, qs: QuerySet[Case]) -> QuerySet[Case]:
    """The rule before the paths were stored on the case (joins through centre and department)."""
    roots = access.scope_roots(u)
    if not roots:
        return qs.none()
    q = Q()
    for root in roots:
        q |= Q(centre__jurisdiction__path__startswith=root.path)
        q |= Q(queue_department__jurisdiction__path__startswith=root.path)
    return qs.filter(q)


def fresh(username: str) -> Any:
    return user(username)  # a new User object: no cached staff record


def assert_same(usernames: list[str]) -> dict[str, set[str]]:
    seen: dict[str, set[str]] = {}
    for name in usernames:
        new = set(
            selectors.case_scope(actor_of(fresh(name)), Case.objects.all()).values_list("number", flat=True)
        )
        old = set(old_case_scope(fresh(name), Case.objects.all()).values_list("number", flat=True))
        assert new == old, name
        seen[name] = new
    assert set(selectors.case_scope(actor_of(AnonymousUser()), Case.objects.all())) == set()
    return seen


@pytest.fixture
def league(world: dict[str, Any]) -> dict[str, Any]:
    """Cases at county, township and village centres, queued at county and township departments,
    some accepted in one township for another township's department, some escalated."""
    dom = world["domain"]
    dept_a = Department.objects.create(
        code="D-A-MZ", name="甲镇社会事务办", short_name="民政", jurisdiction=world["ta"]
    )
    dept_b = Department.objects.create(
        code="D-B-MZ", name="乙苏木社会事务办", short_name="民政", jurisdiction=world["tb"]
    )
    ca1 = Centre.objects.create(
        code="C-A1", name="甲一嘎查便民服务站", jurisdiction=world["va"], address="甲一"
    )
    levels = ["village", "township", "county"]
    make_item("MZ-A", "甲镇临时救助", dept_a, dom, decide_level="township", accept_levels=levels)
    make_item("MZ-B", "乙苏木临时救助", dept_b, dom, decide_level="township", accept_levels=levels)
    make_staff("countyclerk", "旗综窗", world["county"], ["clerk"], centre=world["centres"]["county"])
    make_staff("vclerk", "甲一代办站", world["va"], ["clerk"], centre=ca1)
    make_staff("areviewer", "甲镇审批员", world["ta"], ["reviewer"], department=dept_a)
    make_staff("breviewer", "乙苏木审批员", world["tb"], ["reviewer"], department=dept_b)
    multi = make_staff("multi", "跨区监督员", world["va"], ["supervisor"])
    multi.extra_jurisdictions.add(world["vb"])
    make_staff("vbagent", "代办员乙一", world["vb"], ["agent"])
    UserFactory(username="nostaff")
    cases: dict[str, Case] = {}
    for centre in ("C-COUNTY", "C-A", "C-B", "C-A1"):
        for item in ("MZ-001", "MZ-A", "MZ-B"):
            if centre == "C-A1" and item == "MZ-001":
                continue  # county-dept item: township or county centres only
            cases[f"{centre}/{item}"] = intake(actor=actor_of(user("countyclerk")), centre=centre, item=item)
    cases["C-A1/MZ-A"] = act("areviewer", cases["C-A1/MZ-A"], "escalate", note="超出镇级权限")
    cases["C-B/MZ-B"] = act("breviewer", cases["C-B/MZ-B"], "escalate", note="超出苏木级权限")
    return {"cases": cases, "dept_a": dept_a, "dept_b": dept_b, "ca1": ca1, **world}


PERSONAS = [
    "admin",
    "supervisor",
    "reviewer",
    "clerk",
    "agent",
    "outsider",
    "countyclerk",
    "vclerk",
    "areviewer",
    "breviewer",
    "multi",
    "vbagent",
    "nostaff",
]


def test_new_scope_equals_old_rule_for_every_persona(league: dict[str, Any]) -> None:
    assert Case.objects.count() == 11
    seen = assert_same(PERSONAS)
    everything = set(Case.objects.values_list("number", flat=True))
    c = league["cases"]
    assert seen["supervisor"] == everything
    assert seen["nostaff"] == set()
    # township A clerk: A's and A1's centres, plus A's department queue (accepted at C-B and C-COUNTY)
    expected_a = {c[k].number for k in c if k.startswith(("C-A/", "C-A1/"))}
    expected_a |= {c["C-COUNTY/MZ-A"].number, c["C-B/MZ-A"].number}
    assert seen["clerk"] == expected_a
    # escalated out of township B's queue: C-B/MZ-B stays visible to B (accepted there), but
    # C-COUNTY/MZ-B and C-A/MZ-B remain in B's queue while C-A1/MZ-A left A's queue (still A1's centre)
    assert c["C-A1/MZ-A"].queue_path == league["county"].path
    assert c["C-A1/MZ-A"].number in seen["clerk"]
    assert c["C-A1/MZ-A"].number not in seen["outsider"]
    # village staff with an extra village: only what touches A1 or B1 (no B1 centre, no village dept)
    assert seen["multi"] == {c["C-A1/MZ-A"].number, c["C-A1/MZ-B"].number}
    assert seen["vbagent"] == set()


def test_stored_paths_follow_intake_and_escalation(league: dict[str, Any]) -> None:
    for case in Case.objects.select_related("centre__jurisdiction", "queue_department__jurisdiction"):
        assert case.centre_path == case.centre.jurisdiction.path
        assert case.queue_path == case.queue_department.jurisdiction.path
    escalated = Case.objects.get(pk=league["cases"]["C-B/MZ-B"].pk)
    assert escalated.queue_department == league["department"]
    assert escalated.queue_path == league["county"].path


def test_moving_a_centre_department_or_jurisdiction_keeps_the_rules_equal(league: dict[str, Any]) -> None:
    ca1: Centre = league["ca1"]
    ca1.jurisdiction = league["vb"]  # the village station re-registered under township B
    ca1.save()
    dept_b: Department = league["dept_b"]
    dept_b.jurisdiction = league["ta"]
    dept_b.save()
    before = assert_same(PERSONAS)
    assert league["cases"]["C-A1/MZ-A"].number in before["outsider"]
    # a township re-coded: its own path changes (the rule follows Jurisdiction.path as stored)
    tb = Jurisdiction.objects.get(pk=league["tb"].pk)
    tb.code = "152522300000"
    tb.save()
    assert_same(PERSONAS)
    new_j = JurisdictionFactory(
        code="152522400000", name="丙镇", level=Level.TOWNSHIP, parent=league["county"]
    )
    ca = Centre.objects.get(code="C-A")
    ca.jurisdiction = new_j
    ca.save()
    after = assert_same(PERSONAS)
    assert league["cases"]["C-A/MZ-001"].number not in after["clerk"]


def test_case_list_count_and_rows_use_the_stored_paths(league: dict[str, Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from onewindow.core.apischemas import paginate

    clerk = fresh("clerk")
    qs = selectors.case_list(actor=actor_of(clerk))
    with CaptureQueriesContext(connection) as ctx:
        rows, count = paginate(qs, 1, 5)
    assert count == 7 and len(rows) == 5
    count_sql = ctx.captured_queries[-2]["sql"]
    assert "COUNT(" in count_sql.upper()
    assert "centre_path" in count_sql and "queue_path" in count_sql
    assert "JOIN" not in count_sql.upper()  # the count reads the case table only
    assert [r.received_at for r in rows] == sorted((r.received_at for r in rows), reverse=True)


@pytest.mark.parametrize("state", [None, "accepted", "in_review"])
def test_scoped_page_has_the_rows_and_the_count_of_the_case_list(league: dict[str, Any], state: Any) -> None:
    """``case_list_page`` (count by the two path indexes, page by ids) = ``case_list``, every persona,
    whole list and windows of it: same count, same numbers in the same order."""
    for name in PERSONAS:
        actor = actor_of(fresh(name))
        listed = list(selectors.case_list(actor=actor, state=state).values_list("number", flat=True))
        page = selectors.case_list_page(actor=actor, state=state).select_related("item_version__item")
        assert page.count() == len(listed) == len(page), name
        for window in (slice(0, 50), slice(0, 3), slice(2, 5), slice(len(listed), len(listed) + 3)):
            assert [c.number for c in page[window]] == listed[window], (name, window)


def test_the_tally_counts_every_filter_before_and_after_compaction(league: dict[str, Any]) -> None:
    """On PostgreSQL the count comes from ``CaseTally`` (rows appended by triggers, folded by the
    worker): equal to the list for each filter, after transitions and a warning update,
    and again after ``compact`` — which leaves one row per combination. (SQLite: the index count.)"""
    from onewindow.cases import tally
    from onewindow.cases.models import CaseTally

    c = league["cases"]
    Case.objects.filter(pk=c["C-A/MZ-A"].pk).update(warning="red")  # as the supervision scan does
    filters: list[dict[str, Any]] = [
        {},
        {"state": "accepted"},
        {"item": "MZ-A"},
        {"item": "nope"},
        {"warning": "red"},
        {"warning": selectors.WARNING_ANY},
        {"channel": "window", "state": "accepted"},
    ]

    def check() -> None:
        for name in PERSONAS:
            actor = actor_of(fresh(name))
            for f in filters:
                expected = selectors.case_list(actor=actor, **f).count()
                assert selectors.case_list_page(actor=actor, **f).count() == expected, (name, f)

    check()
    if tally.available():
        appended = CaseTally.objects.count()
        assert tally.compact() < appended
        combos = Case.objects.values_list("centre_path", "queue_path", "state", "warning", "item", "channel")
        assert CaseTally.objects.count() == len(set(combos))
    check()
