"""Who may PERFORM an act: every case transition and every proxy request action, over HTTP, for every
actor (role × level) on cases of every level.

The expected answer is generated from an independent statement of the rule written below (``_case``
and ``_proxy``), not by calling ``onewindow.cases.workflow.may_act``:

* approve / deny: a reviewer of the department the case is queued to (the item's department at its
  decide level, or the department it was escalated to); for a 联办件 a reviewer of any department
  whose parallel review is pending; for a 即办件 also the clerk / centre head of the accepting centre.
  A centre head never decides.
  The department's head (dept_head) decides like its reviewers.
* escalate / suspend / resume: a reviewer (or the head) of the queue department.
* assign: a reviewer of the queue department, or a centre head whose area contains the queue
  department; extend: that centre head or the queue department's head, approved by the head of the
  deciding department (named as ``approver``).
* ready: window staff, or a reviewer of the queue department; deliver and the window acts (accept,
  request_correction, supplement, reject, withdraw): clerk or centre head.
* everything only inside the actor's area (the accepting centre's or the queue department's area),
  otherwise 404; 三员分立 administrators 403 on every case.
* proxy requests: roles agent / clerk / centre head may call at all (403 before anything); then the
  village must be in the actor's area (404); the action's roles (403 ``forbidden``); an agent acts on
  their own requests (403 ``not_your_request``), window staff on their centre's pre-review queue
  (403 ``not_your_queue``); follow_up by the serving agent or that window.

The world is built once per module (in a transaction rolled back at the end); each act runs in a
savepoint that is rolled back, so every act starts from the same world.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client

from onewindow.cases import services
from onewindow.cases.models import Case
from onewindow.org.actors import actor_of
from onewindow.org.models import Department
from tests.conftest import otp_verify_session
from tests.factories import build_world, make_item, make_staff
from tests.support import rolled_back

pytestmark = pytest.mark.django_db

APPLICANT = {
    "kind": "person",
    "name": "巴特尔",
    "id_number": "11010519491231002X",
    "phone": "13912345678",
    "address": "甲一嘎查3组",
}
ALL = [{"code": "M01", "provided": True}, {"code": "M02", "provided": True}]
BASIS = "《最低生活保障审核确认办法》第十条"

# --- the independent statement: actors, areas, cases -------------------------------------------

C, A, A1, B = ("C",), ("C", "A"), ("C", "A", "A1"), ("C", "B")


def within(outer: tuple[str, ...], inner: tuple[str, ...]) -> bool:
    return inner[: len(outer)] == outer


# username → (roles, area, centre code, department code)
ACTORS: dict[str, tuple[set[str], tuple[str, ...], str | None, str | None]] = {
    "c_clerk": ({"clerk"}, C, "C-COUNTY", None),
    "c_head": ({"centre_head"}, C, "C-COUNTY", None),
    "reviewer": ({"reviewer"}, C, "C-COUNTY", "D-MZ"),
    "rs_reviewer": ({"reviewer"}, C, "C-COUNTY", "D-RS"),
    "mz_head": ({"dept_head"}, C, "C-COUNTY", "D-MZ"),
    "supervisor": ({"supervisor"}, C, None, None),
    "admin": ({"admin"}, C, None, None),
    "clerk": ({"clerk"}, A, "C-A", None),
    "a_head": ({"centre_head"}, A, "C-A", None),
    "a_reviewer": ({"reviewer"}, A, "C-A", "D-A-MZ"),
    "a_mz_head": ({"dept_head"}, A, "C-A", "D-A-MZ"),
    "outsider": ({"clerk"}, B, "C-B", None),
    "b_head": ({"centre_head"}, B, "C-B", None),
    "b_reviewer": ({"reviewer"}, B, "C-B", "D-B-MZ"),
    "agent": ({"agent"}, A1, None, None),
    "agent2": ({"agent"}, A1, None, None),
}
AREA_OF_DEPT = {"D-MZ": C, "D-RS": C, "D-A-MZ": A, "D-B-MZ": B}
# the head of each deciding department: names the approver of an extension (行政许可法 art. 42)
HEAD_OF = {"D-MZ": "mz_head", "D-A-MZ": "a_mz_head"}

# kind → (accepting centre and its area, queue department, 即办件, 联办 departments)
KINDS: dict[str, tuple[str, tuple[str, ...], str, bool, frozenset[str]]] = {
    "county": ("C-A", A, "D-MZ", False, frozenset()),
    "township": ("C-A", A, "D-A-MZ", False, frozenset()),
    "escalated": ("C-A", A, "D-MZ", False, frozenset()),
    "immediate": ("C-A", A, "D-A-MZ", True, frozenset()),
    "joint": ("C-A", A, "D-MZ", False, frozenset({"D-MZ", "D-RS"})),
}

# action → (the state the case must be in, body)
CASE_ACTIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "accept": ("submitted", {}),
    "request_correction": ("submitted", {"materials": [{"code": "M02", "provided": False}]}),
    "supplement": ("correction_needed", {"materials": ALL}),
    "reject": ("submitted", {"reason": "不属于本事项受理范围", "basis": "《行政许可法》第三十二条"}),
    "assign": ("accepted", {}),
    "approve": ("accepted", {"note": "符合条件"}),
    "deny": ("accepted", {"reason": "家庭人均收入高于当地低保标准", "basis": BASIS}),
    "escalate": ("accepted", {"note": "超出本级权限"}),
    "suspend": ("accepted", {"reason": "专家评审"}),
    "resume": ("suspended", {}),
    "extend": ("accepted", {"reason": "情况复杂", "days": 2}),
    "ready": ("approved", {}),
    "deliver": ("ready", {"to": "window", "signed_by": "巴特尔"}),
    "withdraw": ("accepted", {}),
}
WINDOW = {"clerk", "centre_head"}


def _case(actor: str, kind: str, action: str) -> tuple[int, str]:
    """The expected (status, error code or "") of ``actor`` taking ``action`` on a ``kind`` case."""
    roles, area, centre, dept = ACTORS[actor]
    case_centre, centre_area, queue, immediate, joint = KINDS[kind]
    queue_area = AREA_OF_DEPT[queue]
    if "admin" in roles:
        return 403, "forbidden"  # 三员分立: no residents' data
    if not (within(area, centre_area) or within(area, queue_area)):
        return 404, "not_found"
    dept_staff = bool(roles & {"reviewer", "dept_head"})  # a department's reviewers and its head
    reviewer_of_queue = dept_staff and dept == queue
    head_over_queue = "centre_head" in roles and within(area, queue_area)
    if action in {"approve", "deny"}:
        ok = (dept_staff and dept in (joint or {queue})) or (
            immediate and bool(roles & WINDOW) and centre == case_centre
        )
    elif action in {"escalate", "suspend", "resume"}:
        ok = reviewer_of_queue
    elif action == "assign":
        ok = reviewer_of_queue or head_over_queue
    elif action == "extend":
        ok = head_over_queue or ("dept_head" in roles and dept == queue)
    elif action == "ready":
        ok = bool(roles & WINDOW) or reviewer_of_queue
    else:
        ok = bool(roles & WINDOW)
    if not ok:
        return 403, "forbidden"
    if action == "escalate" and queue_area == C:
        return 409, "no_upper_level"
    return 200, ""


# --- proxy ---------------------------------------------------------------------------------------

# kind → (the request's state, its review centre)
PROXY_KINDS = {
    "draft": "C-A",
    "returned": "C-A",
    "submitted": "C-A",
    "forwarded": "C-COUNTY",
    "passed": "C-A",
    "collected": "C-A",
    "handed_over": "C-A",
}
# action → (kinds it is tried on, roles of the action, body)
PROXY_ACTIONS: dict[str, tuple[tuple[str, ...], set[str], dict[str, Any]]] = {
    "submit": (("draft",), {"agent"}, {}),
    "supplement": (("returned",), {"agent"}, {}),
    "prereview_pass": (("submitted", "forwarded"), WINDOW, {}),
    "prereview_return": (
        ("submitted", "forwarded"),
        WINDOW,
        {"missing": [{"code": "M01", "reason": "照片不清晰"}]},
    ),
    "forward": (("submitted", "forwarded"), WINDOW, {}),
    "collect_result": (("passed",), {"agent"}, {}),
    "hand_over": (("collected",), {"agent"}, {"signed_by": "巴特尔"}),
    "follow_up": (("handed_over",), {"agent"} | WINDOW, {"method": "call", "outcome": "已回访"}),
    "withdraw": (("draft", "submitted"), {"agent"}, {}),
}
PROXY_ROLES = {"agent"} | WINDOW


def _proxy(actor: str, kind: str, action: str) -> tuple[int, str]:
    roles, area, centre, _dept = ACTORS[actor]
    _kinds, allowed, _body = PROXY_ACTIONS[action]
    if not roles & PROXY_ROLES:
        return 403, "forbidden"
    if not within(area, A1):
        return 404, "not_found"
    if not roles & allowed:
        return 403, "forbidden"
    if roles & allowed & WINDOW:
        if centre != PROXY_KINDS[kind]:
            return 403, "not_your_queue"
    elif actor != "agent":  # every request of the world is agent's
        return 403, "not_your_request"
    if action == "forward" and PROXY_KINDS[kind] == "C-COUNTY":
        return 409, "no_upper_level"
    return 200, ""


# --- the world, built once -----------------------------------------------------------------------


def _user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def _act(username: str, number: str, action: str, **kw: Any) -> Case:
    return services.case_transition(actor=actor_of(_user(username)), number=number, action=action, **kw)


def _build() -> dict[str, Any]:
    w = build_world()
    county, ta, tb = w["county"], w["ta"], w["tb"]
    cc, ca, cb = w["centres"]["county"], w["centres"]["a"], w["centres"]["b"]
    rs = Department.objects.create(code="D-RS", name="测试旗人社局", short_name="人社", jurisdiction=county)
    a_mz = Department.objects.create(code="D-A-MZ", name="甲镇社会事务办", short_name="民政", jurisdiction=ta)
    b_mz = Department.objects.create(
        code="D-B-MZ", name="乙苏木社会事务办", short_name="民政", jurisdiction=tb
    )
    make_staff("c_clerk", "旗综窗", county, ["clerk"], centre=cc)
    make_staff("c_head", "旗中心主任", county, ["centre_head"], centre=cc)
    make_staff("rs_reviewer", "人社审批员", county, ["reviewer"], department=rs, centre=cc)
    make_staff("a_head", "甲镇中心主任", ta, ["centre_head"], centre=ca)
    make_staff("a_reviewer", "甲镇审批员", ta, ["reviewer"], department=a_mz, centre=ca)
    make_staff("mz_head", "民政局长", county, ["dept_head"], department=w["department"], centre=cc)
    make_staff("a_mz_head", "甲镇社会事务办主任", ta, ["dept_head"], department=a_mz, centre=ca)
    make_staff("b_head", "乙苏木中心主任", tb, ["centre_head"], centre=cb)
    make_staff("b_reviewer", "乙苏木审批员", tb, ["reviewer"], department=b_mz, centre=cb)
    make_staff("agent2", "代办员甲二", w["va"], ["agent"])
    domain = w["domain"]
    make_item("MZ-101", "临时救助申请", a_mz, domain, decide_level="township", accept_levels=["township"])
    make_item(
        "MZ-102",
        "临时救助金额查询",
        a_mz,
        domain,
        type="immediate",
        promised_days=0,
        decide_level="township",
        accept_levels=["township"],
    )
    make_item("LB-001", "退休一件事联办", w["department"], domain, type="joint", joint_departments=["D-RS"])
    item_of = {"county": "MZ-001", "township": "MZ-101", "escalated": "MZ-101", "immediate": "MZ-102"}
    item_of["joint"] = "LB-001"
    decider = {"county": ["reviewer"], "township": ["a_reviewer"], "escalated": ["reviewer"]}
    decider |= {"immediate": ["clerk"], "joint": ["reviewer", "rs_reviewer"]}

    def new(kind: str, channel: str = "window", materials: list[dict[str, Any]] = ALL) -> str:
        case = services.case_intake(
            actor=actor_of(_user("clerk")),
            item=item_of[kind],
            centre="C-A",
            applicant=APPLICANT,
            materials=materials,
            form={"reason": "家庭困难"},
            channel=channel,
        )
        return case.number

    def accepted(kind: str) -> str:
        number = new(kind, "online")
        _act("clerk", number, "accept")
        if kind == "escalated":
            _act("a_reviewer", number, "escalate", note="超出镇级权限")
        return number

    cases: dict[tuple[str, str], str] = {}
    for kind in KINDS:
        if kind != "escalated":
            cases[kind, "submitted"] = new(kind, "online")
            cases[kind, "correction_needed"] = new(kind, materials=[{"code": "M01", "provided": True}])
        cases[kind, "accepted"] = accepted(kind)
        cases[kind, "suspended"] = number = accepted(kind)
        _act(decider[kind][0] if kind != "immediate" else "a_reviewer", number, "suspend", reason="专家评审")
        for state in ("approved", "ready"):
            cases[kind, state] = number = accepted(kind)
            for who in decider[kind]:
                _act(who, number, "approve")
            if state == "ready":
                _act("clerk", number, "ready")
    return {"world": w, "cases": cases, "requests": _build_proxy()}


def _api(username: str) -> Any:
    from tests.proxy.conftest import Api

    c = Client()
    user = _user(username)
    c.force_login(user)
    otp_verify_session(c, user)
    return Api(c)


def _build_proxy() -> dict[str, int]:
    from tests.proxy.conftest import entrust

    agent, clerk = _api("agent"), _api("clerk")
    ent = entrust(agent).json()["id"]

    def draft() -> int:
        body = {
            "entrustment": ent,
            "item": "MZ-001",
            "materials": [{"code": code, "provided": True, "paper_held": True} for code in ("M01", "M02")],
            "form": {"reason": "家庭困难"},
        }
        r = agent.post("/proxy/requests", body)
        assert r.status_code == 201, r.content
        return int(r.json()["id"])

    def step(api: Any, pk: int, action: str, **kw: Any) -> None:
        r = api.action(pk, action, **kw)
        assert r.status_code == 200, (action, r.content)

    out: dict[str, int] = {"draft": draft()}
    for kind in ("returned", "submitted", "forwarded", "passed", "collected", "handed_over"):
        pk = out[kind] = draft()
        step(agent, pk, "submit")
        if kind == "returned":
            step(clerk, pk, "prereview_return", missing=[{"code": "M01", "reason": "照片不清晰"}])
        elif kind == "forwarded":
            step(clerk, pk, "forward")
        elif kind != "submitted":
            step(clerk, pk, "prereview_pass")
            number = clerk.get(f"/proxy/requests/{pk}").json()["case"]
            _act("reviewer", number, "approve")
            _act("clerk", number, "ready")
            if kind in {"collected", "handed_over"}:
                step(agent, pk, "collect_result")
            if kind == "handed_over":
                step(agent, pk, "hand_over", signed_by="巴特尔")
    return out


@pytest.fixture(scope="module")
def matrix(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with rolled_back(django_db_blocker):
        data = _build()
        data["clients"] = {name: _api(name).c for name in ACTORS}
        yield data


def _post(client: Client, url: str, body: dict[str, Any]) -> tuple[int, str]:
    """POST in a savepoint that is rolled back: every act starts from the same world."""
    with transaction.atomic():
        r = client.post(url, body, content_type="application/json")
        transaction.set_rollback(True)
    code = r.json().get("error", {}).get("code", "") if r.status_code != 200 else ""
    return r.status_code, code


@pytest.mark.parametrize("action", sorted(CASE_ACTIONS))
def test_case_action_matrix(matrix: dict[str, Any], action: str) -> None:
    state, body = CASE_ACTIONS[action]
    got, want = {}, {}
    for kind in KINDS:
        number = matrix["cases"].get((kind, state))
        if number is None:  # an escalated case is never submitted / awaiting correction
            continue
        extra = {"approver": HEAD_OF[KINDS[kind][2]]} if action == "extend" else {}
        for actor in ACTORS:
            key = f"{actor}×{kind}"
            want[key] = _case(actor, kind, action)
            got[key] = _post(
                matrix["clients"][actor],
                f"/api/v1/cases/{number}/actions",
                {"action": action, **body, **extra},
            )
    assert {k: v for k, v in got.items() if v != want[k]} == {}, {
        k: want[k] for k in got if got[k] != want[k]
    }
    assert any(v[0] == 200 for v in want.values())  # every action is performed by someone


@pytest.mark.parametrize("action", sorted(PROXY_ACTIONS))
def test_proxy_action_matrix(matrix: dict[str, Any], action: str) -> None:
    kinds, _roles, body = PROXY_ACTIONS[action]
    got, want = {}, {}
    for kind in kinds:
        pk = matrix["requests"][kind]
        for actor in ACTORS:
            key = f"{actor}×{kind}"
            want[key] = _proxy(actor, kind, action)
            got[key] = _post(
                matrix["clients"][actor], f"/api/v1/proxy/requests/{pk}/actions", {"action": action, **body}
            )
    assert {k: v for k, v in got.items() if v != want[k]} == {}, {
        k: want[k] for k in got if got[k] != want[k]
    }
    assert any(v[0] == 200 for v in want.values())
