"""The duty roster: week view, who may edit, validation of entries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from onewindow.core.errors import Forbidden, Invalid, NotFound
from onewindow.org import selectors, services
from onewindow.org.actors import actor_of
from onewindow.org.models import Duty, Shift, Staff
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

WED = dt.date(2026, 3, 4)


def test_week_start_is_monday() -> None:
    assert selectors.week_start(WED) == dt.date(2026, 3, 2)
    assert selectors.week_start(dt.date(2026, 3, 8)) == dt.date(2026, 3, 2)
    assert selectors.week_start(dt.date(2026, 3, 9)) == dt.date(2026, 3, 9)


def test_roster_week_view_lists_duties(world: dict[str, Any], head: Staff, login: Any) -> None:
    clerk: Staff = world["people"]["clerk"]
    Duty.objects.create(staff=clerk, date=WED, shift=Shift.PM, note="延时准备")
    Duty.objects.create(staff=clerk, date=WED + dt.timedelta(days=7), shift=Shift.AM)
    centre = world["centres"]["a"]
    resp = login("clerk").get(reverse("org:roster"), {"centre": centre.pk, "week": "2026-03-05"})
    assert resp.status_code == 200
    week = resp.context["week"]
    assert week.start == dt.date(2026, 3, 2)
    row = next(r for r in week.rows if r.staff == clerk)
    assert [len(c) for c in row.cells] == [0, 0, 1, 0, 0, 0, 0]
    body = resp.content.decode()
    assert "下午" in body and "延时准备" in body
    assert "2026-02-23" in body and "2026-03-09" in body  # previous / next week links
    # Staff of other centres are not rows of this centre's roster.
    assert {r.staff.name for r in week.rows} == {"综窗甲", "主任甲"}


def test_roster_defaults_to_own_centre(world: dict[str, Any], login: Any) -> None:
    resp = login("clerk").get(reverse("org:roster"))
    assert resp.status_code == 200
    assert resp.context["centre"] == world["centres"]["a"]


def test_roster_bad_week_falls_back(world: dict[str, Any], login: Any) -> None:
    resp = login("clerk").get(reverse("org:roster"), {"week": "not-a-date"})
    assert resp.status_code == 200
    assert "日期格式应为YYYY-MM-DD" in resp.content.decode()


def test_roster_of_other_township_is_404(world: dict[str, Any], login: Any) -> None:
    centre_a = world["centres"]["a"]
    assert login("outsider").get(reverse("org:roster"), {"centre": centre_a.pk}).status_code == 404


def test_clerk_sees_no_edit_form_and_cannot_add(world: dict[str, Any], login: Any) -> None:
    clerk: Staff = world["people"]["clerk"]
    centre = world["centres"]["a"]
    client = login("clerk")
    body = client.get(reverse("org:roster")).content.decode()
    assert "添加值班" not in body
    resp = client.post(
        reverse("org:roster_duty_add", args=[centre.pk]),
        {"staff": clerk.pk, "date": "2026-03-04", "shift": "full"},
    )
    assert resp.status_code == 403
    assert Duty.objects.count() == 0


def test_centre_head_adds_and_removes_duty(world: dict[str, Any], head: Staff, login: Any) -> None:
    clerk: Staff = world["people"]["clerk"]
    centre = world["centres"]["a"]
    window = centre.windows.get()
    client = login("head")
    assert "添加值班" in client.get(reverse("org:roster")).content.decode()
    resp = client.post(
        reverse("org:roster_duty_add", args=[centre.pk]),
        {"staff": clerk.pk, "date": "2026-03-04", "shift": "am", "window": window.pk, "note": ""},
    )
    assert resp.status_code == 302
    assert "week=2026-03-02" in resp["Location"]
    duty = Duty.objects.get()
    assert (duty.staff, duty.date, duty.shift, duty.window) == (clerk, WED, "am", window)

    # The same shift twice: a clear error, nothing added.
    resp = client.post(
        reverse("org:roster_duty_add", args=[centre.pk]),
        {"staff": clerk.pk, "date": "2026-03-04", "shift": "am"},
    )
    assert resp.status_code == 200
    assert "请勿重复排班" in resp.content.decode()
    assert Duty.objects.count() == 1

    resp = client.post(reverse("org:roster_duty_remove", args=[duty.pk]))
    assert resp.status_code == 302
    assert Duty.objects.count() == 0


def test_head_cannot_schedule_staff_of_another_centre(world: dict[str, Any], head: Staff, login: Any) -> None:
    outsider: Staff = world["people"]["outsider"]
    centre = world["centres"]["a"]
    resp = login("head").post(
        reverse("org:roster_duty_add", args=[centre.pk]),
        {"staff": outsider.pk, "date": "2026-03-04", "shift": "am"},
    )
    assert resp.status_code == 200
    assert "所选人员不是本中心的工作人员" in resp.content.decode()
    assert Duty.objects.count() == 0


def test_head_cannot_touch_other_townships_roster(world: dict[str, Any], head: Staff, login: Any) -> None:
    outsider: Staff = world["people"]["outsider"]
    centre_b = world["centres"]["b"]
    client = login("head")
    resp = client.post(
        reverse("org:roster_duty_add", args=[centre_b.pk]),
        {"staff": outsider.pk, "date": "2026-03-04", "shift": "am"},
    )
    assert resp.status_code == 404
    duty = Duty.objects.create(staff=outsider, date=WED)
    assert client.post(reverse("org:roster_duty_remove", args=[duty.pk])).status_code == 404
    assert Duty.objects.filter(pk=duty.pk).exists()


def test_duty_add_service_validates(world: dict[str, Any], head: Staff) -> None:
    centre_a, centre_b = world["centres"]["a"], world["centres"]["b"]
    clerk: Staff = world["people"]["clerk"]
    outsider: Staff = world["people"]["outsider"]
    with pytest.raises(Invalid) as exc:
        services.duty_add(actor=actor_of(head.user), centre=centre_a, staff=outsider, date=WED)
    assert "staff" in exc.value.details
    assert "不是甲镇便民服务中心的工作人员" in exc.value.message
    with pytest.raises(Invalid) as exc:
        services.duty_add(
            actor=actor_of(head.user), centre=centre_a, staff=clerk, date=WED, window=centre_b.windows.get()
        )
    assert exc.value.details["window"] == ["所选窗口不属于本中心"]
    with pytest.raises(Invalid):
        services.duty_add(actor=actor_of(head.user), centre=centre_a, staff=clerk, date=WED, shift="night")
    with pytest.raises(NotFound):
        services.duty_add(actor=actor_of(head.user), centre=centre_b, staff=outsider, date=WED)
    with pytest.raises(Forbidden):
        services.duty_add(actor=actor_of(clerk.user), centre=centre_a, staff=clerk, date=WED)
    services.duty_add(actor=actor_of(head.user), centre=centre_a, staff=clerk, date=WED, shift=Shift.AM)
    services.duty_add(actor=actor_of(head.user), centre=centre_a, staff=clerk, date=WED, shift=Shift.PM)
    with pytest.raises(Invalid) as exc:
        services.duty_add(actor=actor_of(head.user), centre=centre_a, staff=clerk, date=WED, shift=Shift.PM)
    assert "请勿重复排班" in exc.value.message
    assert Duty.objects.count() == 2


def test_admin_edits_any_centre(world: dict[str, Any]) -> None:
    admin: Staff = world["people"]["admin"]
    outsider: Staff = world["people"]["outsider"]
    duty = services.duty_add(
        actor=actor_of(admin.user), centre=world["centres"]["b"], staff=outsider, date=WED
    )
    services.duty_remove(actor=actor_of(admin.user), duty=duty)
    assert Duty.objects.count() == 0


def test_head_of_b_cannot_remove_a_duty(world: dict[str, Any]) -> None:
    head_b = make_staff("head_b", "主任乙", world["tb"], ["centre_head"], centre=world["centres"]["b"])
    clerk: Staff = world["people"]["clerk"]
    duty = Duty.objects.create(staff=clerk, date=WED)
    with pytest.raises(NotFound):
        services.duty_remove(actor=actor_of(head_b.user), duty=duty)
    assert Duty.objects.count() == 1
