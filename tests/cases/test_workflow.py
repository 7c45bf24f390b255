from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from onewindow.cases import services
from onewindow.cases.models import Case, CaseEvent, ImmutableEvent, State
from onewindow.cases.selectors import chain_verify, warning_for
from onewindow.cases.workflow import TRANSITIONS
from onewindow.core.actor import system
from onewindow.core.errors import Conflict, Forbidden, Invalid, NotFound
from onewindow.org.actors import actor_of
from tests.cases.conftest import act, applicant, intake, user

D = dt.date.fromisoformat


def test_accept_with_all_materials_gives_deadline_on_working_days(world: Any, today: Any) -> None:
    case = intake()
    assert case.state == State.ACCEPTED
    # promised 10 working days from Tue 2026-09-29 across National Day (10-01..07 off, 09-20/10-10 worked)
    assert case.deadline == D("2026-10-19")
    assert case.queue_department == world["department"] and case.queue_level == "county"
    assert case.item_version == world["items"]["dibao"]
    assert case.number.startswith("15252220260929") or case.number.startswith("152522")
    ev = list(case.events.all())
    assert [e.action for e in ev] == ["accept"] and ev[0].actor_name == "综窗甲" and ev[0].role == "clerk"


def test_one_notice_lists_every_missing_material(world: Any, today: Any) -> None:
    case = intake(
        materials=[
            {"code": "M01", "provided": False},
            {"code": "M02", "provided": False, "note": "复印件不清晰"},
        ]
    )
    assert case.state == State.CORRECTION_NEEDED
    missing = case.notice["missing"]
    assert [m["code"] for m in missing] == ["M01", "M02"]
    assert "复印件不清晰" in missing[1]["reason"]
    assert case.deadline is None and case.correction_count == 1


def test_second_notice_refused_unless_head_overrides(world: Any, today: Any) -> None:
    from tests.factories import make_staff

    case = intake(materials=[{"code": "M01", "provided": False}, {"code": "M02", "provided": True}])
    with pytest.raises(Conflict) as exc:
        act("clerk", case, "supplement", materials=[{"code": "M01", "provided": False, "note": "仍未带"}])
    assert exc.value.code == "second_notice_refused"
    case.refresh_from_db()
    assert case.state == State.CORRECTION_NEEDED and case.correction_count == 1 and case.events.count() == 1
    make_staff("head", "负责人甲", world["ta"], ["centre_head"], centre=world["centres"]["a"])
    case = act(
        "head",
        case,
        "supplement",
        materials=[{"code": "M01", "provided": False}],
        override_reason="申请人材料遗失需重新开具",
    )
    assert case.state == State.CORRECTION_NEEDED and case.correction_overrides == 1
    assert case.events.order_by("-seq").first().action == "correction_override"  # type: ignore[union-attr]


def test_supplement_accepts_on_the_day_the_last_material_arrived(world: Any, today: Any) -> None:
    case = intake(materials=[{"code": "M01", "provided": True}, {"code": "M02", "provided": False}])
    today.return_value = D("2026-10-09")
    case = act("clerk", case, "supplement", materials=[{"code": "M02", "provided": True}])
    assert case.state == State.ACCEPTED
    assert case.accept_date == D("2026-10-09")
    assert case.deadline == services.compute_deadline(case) == D("2026-10-22")  # 10-10 is a worked Saturday


def test_full_back_office_and_output_path(world: Any, today: Any) -> None:
    case = intake()
    case = act("reviewer", case, "assign")
    assert case.state == State.IN_REVIEW
    case = act("reviewer", case, "approve", note="符合条件")
    assert case.state == State.APPROVED
    case = act("clerk", case, "ready")
    assert case.state == State.READY
    case = act("clerk", case, "deliver", to="window", signed_by="巴特尔")
    assert case.state == State.DELIVERED and case.signed_by == "巴特尔"
    assert [e.action for e in case.events.order_by("seq")] == [
        "accept",
        "assign",
        "approve",
        "ready",
        "deliver",
    ]
    assert chain_verify(case) == []


def test_deny_needs_reason_and_leaves_case_unchanged(world: Any, today: Any) -> None:
    case = intake()
    with pytest.raises(Invalid) as exc:
        act("reviewer", case, "deny")
    assert exc.value.code == "reason_required"
    case.refresh_from_db()
    assert case.state == State.ACCEPTED and case.events.count() == 1
    case = act(
        "reviewer",
        case,
        "deny",
        reason="家庭人均收入高于当地低保标准",
        basis="《最低生活保障审核确认办法》第十条",
    )
    assert case.state == State.DENIED and case.decision_reason.startswith("家庭")


def test_invalid_transitions_and_roles(world: Any, today: Any) -> None:
    case = intake()
    with pytest.raises(Conflict) as exc:
        act("clerk", case, "deliver", to="window", signed_by="x")
    assert exc.value.code == "invalid_transition"
    with pytest.raises(Forbidden):
        act("clerk", case, "approve")  # clerks do not decide
    with pytest.raises(Forbidden):
        act("agent", case, "withdraw") if False else act("reviewer", case, "withdraw")
    with pytest.raises(Invalid) as exc2:
        act("clerk", case, "fly")
    assert exc2.value.code == "unknown_action"


def test_outsider_gets_404(world: Any, today: Any) -> None:
    case = intake()
    with pytest.raises(NotFound):
        act("outsider", case, "withdraw")
    with pytest.raises(NotFound):
        services.case_get_for_user(actor_of(user("outsider")), case.number)
    assert services.case_get_for_user(actor_of(user("supervisor")), case.number) == case


def test_suspend_resume_pauses_the_clock(world: Any, today: Any) -> None:
    case = intake()  # deadline 2026-10-19
    case = act("reviewer", case, "suspend", reason="专家评审")
    assert case.state == State.SUSPENDED
    today.return_value = D("2026-10-13")  # suspended Tue 09-29 → resumed Tue 10-13
    case = act("reviewer", case, "resume")
    # working days after 09-29 up to 10-13: 09-30, 10-08, 10-09, 10-10 (Sat worked), 10-12, 10-13 = 6
    assert case.paused_days == 6
    assert case.deadline == services.compute_deadline(case) == D("2026-10-27")


def test_extension_needs_head_and_is_capped(world: Any, today: Any) -> None:
    from tests.factories import make_staff

    make_staff("countyhead", "中心主任", world["county"], ["centre_head"], centre=world["centres"]["county"])
    make_staff("mzhead", "民政局长", world["county"], ["dept_head"], department=world["department"])
    case = intake()
    with pytest.raises(Forbidden):
        act("reviewer", case, "extend", reason="情况复杂", days=5)
    case = act("countyhead", case, "extend", reason="情况复杂需实地核查", days=10, approver="mzhead")
    assert case.extended_days == 10 and case.deadline == D("2026-11-02")
    with pytest.raises(Invalid) as exc:
        act("countyhead", case, "extend", reason="再延", days=1, approver="mzhead")
    assert exc.value.code == "extension_too_long"


def test_escalate_moves_to_upper_department(world: Any, today: Any, township_dept: Any) -> None:
    from onewindow.catalog import services as cs
    from tests.factories import make_item, make_staff

    v = make_item("MZ-009", "临时救助申请", township_dept, world["domain"], decide_level="township")
    make_staff("treviewer", "镇审批员", world["ta"], ["reviewer"], department=township_dept)
    case = intake(item=v.item.code)
    assert case.queue_department == township_dept
    case = act("treviewer", case, "escalate", note="金额超出镇级权限")
    assert case.state == State.ACCEPTED and case.queue_department == world["department"]
    assert case.queue_level == "county"
    assert cs  # imported for side effects only


def test_immediate_item_decided_at_the_window(world: Any, today: Any) -> None:
    from tests.factories import make_item

    make_item(
        "SB-001",
        "社保参保信息查询打印",
        world["department"],
        world["domain"],
        type="immediate",
        promised_days=0,
    )
    case = intake(item="SB-001", form={"reason": "打印参保证明"})
    assert case.state == State.APPROVED
    assert [e.action for e in case.events.order_by("seq")] == ["accept", "approve"]


def test_intake_validation_errors_save_nothing(world: Any, today: Any) -> None:
    cases = [
        ({"applicant": applicant(id_number="110105194912310021")}, "invalid_id_number"),
        (
            {"applicant": applicant(kind="enterprise", credit_code="91350100M000100Y44")},
            "invalid_credit_code",
        ),
        ({"applicant": applicant(phone="2391234567")}, "invalid_phone"),
        ({"item": "NOPE"}, "unknown_item"),
        ({"form": {}}, "invalid"),
        ({"materials": [{"code": "M99", "provided": True}]}, "unknown_material"),
    ]
    for kw, code in cases:
        with pytest.raises(Invalid) as exc:
            intake(**kw)
        assert exc.value.code == code, kw
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0


def test_not_accepted_here_and_unpublished(world: Any, today: Any) -> None:
    from onewindow.catalog import services as cs
    from tests.factories import make_item

    make_item("GA-001", "结婚登记", world["department"], world["domain"], accept_levels=["county"])
    with pytest.raises(Invalid) as exc:
        intake(item="GA-001")
    assert exc.value.code == "not_accepted_here"
    cs.item_retire(actor=None, item=world["items"]["gaoling"].item)
    with pytest.raises(Invalid) as exc:
        intake(item="MZ-002")
    assert exc.value.code == "item_unpublished"


def test_case_keeps_its_item_version(world: Any, today: Any) -> None:
    from onewindow.catalog import services as cs

    case = intake()
    draft = cs.item_version_new_draft(actor=system(), item=case.item)
    cs.item_version_publish(actor=system(), version=draft)
    case.refresh_from_db()
    assert case.item_version.number == 1


def test_warnings(world: Any, today: Any) -> None:
    case = intake()  # deadline 2026-10-19 (Mon)
    assert warning_for(case, D("2026-10-15")) == "none"
    assert warning_for(case, D("2026-10-16")) == "yellow"  # 1 working day left
    assert warning_for(case, D("2026-10-19")) == "yellow"
    assert warning_for(case, D("2026-10-20")) == "red"
    from onewindow.cases.tasks import scan_warnings

    today.return_value = D("2026-10-20")
    with mock.patch("onewindow.cases.tasks.local_today", return_value=D("2026-10-20")):
        scan_warnings()
        scan_warnings()  # idempotent
    case.refresh_from_db()
    assert case.warning == "red"


def test_timeline_is_append_only_and_tamper_evident(world: Any, today: Any) -> None:
    case = intake()
    act("reviewer", case, "approve")
    ev = case.events.first()
    assert ev is not None
    with pytest.raises(ImmutableEvent):
        ev.note = "改写历史"
        ev.save()
    with pytest.raises(ImmutableEvent):
        ev.delete()
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "全部完整" in out.getvalue()
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":  # an attacker with superuser rights bypasses the trigger
            cur.execute("SET session_replication_role = replica")
        cur.execute("UPDATE cases_caseevent SET note = %s WHERE id = %s", ["篡改", ev.pk])
        if connection.vendor == "postgresql":
            cur.execute("SET session_replication_role = DEFAULT")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("audit", "verify", stdout=StringIO(), stderr=err)
    assert case.number in err.getvalue()


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgres_trigger_refuses_update(world: Any, today: Any) -> None:
    from django.db import DatabaseError, transaction

    case = intake()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE cases_caseevent SET note = 'x' WHERE case_id = %s", [case.pk])


def test_every_transition_in_the_table_is_exercised() -> None:
    assert set(TRANSITIONS) == {
        "accept",
        "request_correction",
        "supplement",
        "reject",
        "assign",
        "approve",
        "deny",
        "escalate",
        "suspend",
        "resume",
        "extend",
        "ready",
        "deliver",
        "withdraw",
    }


def _joint_world(world: Any) -> tuple[Any, Any]:
    from onewindow.org.models import Department
    from tests.factories import make_item, make_staff

    rs = Department.objects.create(
        code="D-RS", name="测试旗人社局", short_name="人社", jurisdiction=world["county"]
    )
    make_staff("rsreviewer", "人社审批员", world["county"], ["reviewer"], department=rs)
    v = make_item(
        "LB-001",
        "退休一件事联办",
        world["department"],
        world["domain"],
        type="joint",
        joint_departments=["D-RS"],
    )
    return v, rs


def test_joint_item_needs_every_department(world: Any, today: Any) -> None:
    _joint_world(world)
    case = intake(item="LB-001")
    assert sorted(r.department.code for r in case.reviews.all()) == ["D-MZ", "D-RS"]
    case = act("reviewer", case, "approve", note="民政同意")
    assert case.state == State.IN_REVIEW  # one of two answered
    with pytest.raises(Forbidden):
        act("reviewer", case, "approve")  # the same department cannot answer twice
    case = act("rsreviewer", case, "approve", note="人社同意")
    assert case.state == State.APPROVED
    assert [e.action for e in case.events.order_by("seq")] == ["accept", "joint_approve", "approve"]


def test_joint_item_one_denial_denies(world: Any, today: Any) -> None:
    _joint_world(world)
    case = intake(item="LB-001")
    case = act("rsreviewer", case, "deny", reason="缴费年限不足", basis="《最低生活保障审核确认办法》第十条")
    assert case.state == State.DENIED
    assert case.reviews.get(department__code="D-RS").state == "denied"


def test_online_application_waits_for_the_window_check(world: Any, today: Any) -> None:
    case = intake(channel="online", materials=[{"code": "M01", "provided": True}])
    assert case.state == State.SUBMITTED and case.deadline is None
    with pytest.raises(Invalid) as exc:
        act("clerk", case, "accept")  # M02 still missing: the window must issue the one notice instead
    assert exc.value.code == "materials_missing"
    case = act("clerk", case, "request_correction")
    assert case.state == State.CORRECTION_NEEDED and [m["code"] for m in case.notice["missing"]] == ["M02"]
    case = act("clerk", case, "supplement", materials=[{"code": "M02", "provided": True}])
    assert case.state == State.ACCEPTED and case.deadline is not None
    assert [e.action for e in case.events.order_by("seq")] == ["submit", "request_correction", "supplement"]


def test_window_accepts_complete_online_application(world: Any, today: Any) -> None:
    case = intake(channel="online")
    case = act("clerk", case, "accept")
    assert case.state == State.ACCEPTED and case.deadline == D("2026-10-19")


def test_reject_needs_reason_and_withdraw(world: Any, today: Any) -> None:
    case = intake(channel="proxy")
    with pytest.raises(Invalid):
        act("clerk", case, "reject")
    case = act("clerk", case, "reject", reason="不属于本事项受理范围", note="《行政许可法》第三十二条")
    assert case.state == State.NOT_ACCEPTED and case.notice["basis"].startswith("《行政许可法》")
    other = intake(channel="online")
    other = act("clerk", other, "withdraw", note="申请人申请撤回")
    assert other.state == State.WITHDRAWN
    with pytest.raises(Conflict):
        act("clerk", other, "accept")


def test_step_limits_and_reminders_are_queued_once(world: Any, today: Any) -> None:
    from onewindow.cases.models import CaseReminder
    from onewindow.cases.selectors import step_overdue_days
    from onewindow.cases.tasks import scan_warnings

    case = intake()  # accepted on 2026-09-29; the back office has 2 working days to pick it up
    accepted_at = dt.datetime(2026, 9, 29, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    Case.objects.filter(pk=case.pk).update(state_since=accepted_at)  # the clock of the test's "today"
    case.refresh_from_db()
    assert step_overdue_days(case, D("2026-09-30")) == 0
    assert step_overdue_days(case, D("2026-10-09")) == 1  # 09-30, 10-08 within; 10-09 is one over
    with mock.patch("onewindow.cases.tasks.local_today", return_value=D("2026-10-09")):
        first = scan_warnings()
        second = scan_warnings()
    assert first["reminders"] == 1 and second["reminders"] == 0
    assert list(CaseReminder.objects.values_list("kind", flat=True)) == ["step"]
    with mock.patch("onewindow.cases.tasks.local_today", return_value=D("2026-10-20")):
        scan_warnings()
    assert set(CaseReminder.objects.values_list("kind", flat=True)) == {"step", "red"}
    case = act("reviewer", case, "assign")
    assert case.state_since is not None and step_overdue_days(case, D("2026-10-20")) == 0
