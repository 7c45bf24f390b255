"""Staff list and detail: roles, on-duty today, the masked mobile and the logged full view."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from onewindow.org.models import Duty, Shift, Staff
from onewindow.privacy.models import PersonalDataAccess

pytestmark = pytest.mark.django_db


def test_staff_list_shows_roles_centre_partner_and_duty(
    world: dict[str, Any], head: Staff, login: Any
) -> None:
    clerk: Staff = world["people"]["clerk"]
    clerk.post = "综合受理A岗"
    clerk.public_phone = "0479-1234567"
    clerk.ab_partner = head
    clerk.save()
    Duty.objects.create(staff=clerk, date=timezone.localdate(), shift=Shift.AM)
    body = login("clerk").get(reverse("org:staff_list")).content.decode()
    assert "综窗人员" in body and "中心负责人" in body
    assert "甲镇便民服务中心" in body
    assert "综合受理A岗" in body
    assert "0479-1234567" in body
    assert "主任甲" in body
    assert "在岗" in body and "上午" in body
    # The private mobile never appears on the list.
    assert "13800000001" not in body


def test_staff_list_filters_by_name(world: dict[str, Any], login: Any) -> None:
    body = login("supervisor").get(reverse("org:staff_list"), {"q": "代办"}).content.decode()
    assert "代办员甲一" in body
    assert "综窗乙" not in body


def test_staff_list_needs_login_and_permission(world: dict[str, Any], login: Any) -> None:
    assert login("agent").get(reverse("org:staff_list")).status_code == 200


def test_detail_shows_mobile_masked(world: dict[str, Any], login: Any) -> None:
    clerk: Staff = world["people"]["clerk"]
    body = login("clerk").get(reverse("org:staff_detail", args=[clerk.pk])).content.decode()
    assert "138****0001" in body
    assert "13800000001" not in body
    # A clerk has no full-view permission: no button.
    assert "查看完整信息" not in body


def test_centre_head_reveals_mobile_and_it_is_logged(world: dict[str, Any], head: Staff, login: Any) -> None:
    clerk: Staff = world["people"]["clerk"]
    client = login("head")
    body = client.get(reverse("org:staff_detail", args=[clerk.pk])).content.decode()
    assert "查看完整信息" in body
    assert PersonalDataAccess.objects.count() == 0
    resp = client.post(reverse("org:staff_reveal", args=[clerk.pk]), {"purpose": "联系补班"})
    assert resp.status_code == 200
    body = resp.content.decode()
    assert "13800000001" in body
    assert "no-cache" in resp["Cache-Control"] or "no-store" in resp["Cache-Control"]
    log = PersonalDataAccess.objects.get()
    assert log.actor == head.user
    assert log.object_type == "Staff"
    assert log.object_id == str(clerk.pk)
    assert log.fields == "mobile"
    assert log.purpose == "联系补班"
    assert log.ip == "127.0.0.1"


def test_reveal_is_post_only(world: dict[str, Any], head: Staff, login: Any) -> None:
    clerk: Staff = world["people"]["clerk"]
    resp = login("head").get(reverse("org:staff_reveal", args=[clerk.pk]))
    assert resp.status_code == 405
    assert PersonalDataAccess.objects.count() == 0


def test_clerk_cannot_reveal(world: dict[str, Any], login: Any) -> None:
    clerk: Staff = world["people"]["clerk"]
    resp = login("clerk").post(reverse("org:staff_reveal", args=[clerk.pk]))
    assert resp.status_code == 403
    assert "13800000001" not in resp.content.decode()
    assert PersonalDataAccess.objects.count() == 0


def test_centre_head_cannot_reveal_outside_scope(world: dict[str, Any], head: Staff, login: Any) -> None:
    outsider: Staff = world["people"]["outsider"]
    resp = login("head").post(reverse("org:staff_reveal", args=[outsider.pk]))
    assert resp.status_code == 404
    assert PersonalDataAccess.objects.count() == 0


def test_admin_cannot_reveal_personal_data(world: dict[str, Any], login: Any) -> None:
    # Separation of duties (security issue): the system admin reads no personal data.
    outsider: Staff = world["people"]["outsider"]
    resp = login("admin").post(reverse("org:staff_reveal", args=[outsider.pk]))
    assert resp.status_code == 403
    assert "13800000002" not in resp.content.decode()
    assert PersonalDataAccess.objects.filter(object_id=str(outsider.pk)).count() == 0
