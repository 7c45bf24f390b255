"""Jurisdiction scoping of staff and residents: lists, details, and the outsider's 404s."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from onewindow.org import selectors
from onewindow.org.actors import actor_of
from onewindow.org.models import Resident, Staff

pytestmark = pytest.mark.django_db

ALL_STAFF = {"admin", "supervisor", "reviewer", "clerk", "agent", "outsider"}


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("clerk", {"clerk", "agent"}),
        ("agent", {"agent"}),
        ("outsider", {"outsider"}),
        ("supervisor", ALL_STAFF),
        ("admin", ALL_STAFF),
    ],
)
def test_staff_list_selector_is_scoped(world: dict[str, Any], username: str, expected: set[str]) -> None:
    actor = world["people"][username].user
    got = {s.user.username for s in selectors.staff_list(actor=actor_of(actor))}
    assert got == expected


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("clerk", {"ta", "va"}),
        ("agent", {"va"}),
        ("outsider", {"tb", "vb"}),
        ("supervisor", {"ta", "va", "tb", "vb"}),
    ],
)
def test_resident_list_selector_is_scoped(
    world: dict[str, Any], residents: dict[str, Resident], username: str, expected: set[str]
) -> None:
    actor = world["people"][username].user
    got = set(selectors.resident_list(actor=actor_of(actor)).values_list("pk", flat=True))
    assert got == {residents[k].pk for k in expected}


def test_outsider_gets_404_on_township_a_staff_detail(world: dict[str, Any], login: Any) -> None:
    client = login("outsider")
    clerk: Staff = world["people"]["clerk"]
    assert client.get(reverse("org:staff_detail", args=[clerk.pk])).status_code == 404
    # ...but sees their own record.
    own = world["people"]["outsider"]
    assert client.get(reverse("org:staff_detail", args=[own.pk])).status_code == 200


def test_outsider_gets_404_on_township_a_resident_detail(
    world: dict[str, Any], residents: dict[str, Resident], login: Any
) -> None:
    client = login("outsider")
    for key in ("ta", "va"):
        assert client.get(reverse("org:resident_detail", args=[residents[key].pk])).status_code == 404
    assert client.get(reverse("org:resident_detail", args=[residents["tb"].pk])).status_code == 200


def test_township_a_rows_absent_from_outsider_lists(
    world: dict[str, Any], residents: dict[str, Resident], login: Any
) -> None:
    client = login("outsider")
    body = client.get(reverse("org:staff_list")).content.decode()
    assert "综窗乙" in body
    assert "综窗甲" not in body
    assert "代办员甲一" not in body
    assert "审批员" not in body
    body = client.get(reverse("org:resident_list")).content.decode()
    assert residents["tb"].masked_name in body
    assert reverse("org:resident_detail", args=[residents["tb"].pk]) in body
    for key in ("ta", "va"):
        assert reverse("org:resident_detail", args=[residents[key].pk]) not in body
    assert "甲镇" not in body


def test_clerk_sees_township_and_village_in_pages(
    world: dict[str, Any], residents: dict[str, Resident], login: Any
) -> None:
    client = login("clerk")
    body = client.get(reverse("org:staff_list")).content.decode()
    assert "综窗甲" in body and "代办员甲一" in body
    assert "综窗乙" not in body
    body = client.get(reverse("org:resident_list")).content.decode()
    for key in ("ta", "va"):
        assert reverse("org:resident_detail", args=[residents[key].pk]) in body
    for key in ("tb", "vb"):
        assert reverse("org:resident_detail", args=[residents[key].pk]) not in body


def test_agent_sees_only_village(world: dict[str, Any], residents: dict[str, Resident], login: Any) -> None:
    client = login("agent")
    body = client.get(reverse("org:resident_list")).content.decode()
    assert reverse("org:resident_detail", args=[residents["va"].pk]) in body
    assert reverse("org:resident_detail", args=[residents["ta"].pk]) not in body
    assert client.get(reverse("org:resident_detail", args=[residents["ta"].pk])).status_code == 404
    clerk = world["people"]["clerk"]
    assert client.get(reverse("org:staff_detail", args=[clerk.pk])).status_code == 404


def test_supervisor_sees_everything(
    world: dict[str, Any], residents: dict[str, Resident], login: Any
) -> None:
    client = login("supervisor")
    body = client.get(reverse("org:resident_list")).content.decode()
    for r in residents.values():
        assert reverse("org:resident_detail", args=[r.pk]) in body
    for s in world["people"].values():
        assert client.get(reverse("org:staff_detail", args=[s.pk])).status_code == 200


def test_anonymous_is_sent_to_login(world: dict[str, Any], client: Any) -> None:
    for name in ("org:staff_list", "org:resident_list", "org:roster", "org:resident_create"):
        resp = client.get(reverse(name))
        assert resp.status_code == 302
        assert reverse("login") in resp["Location"]


def test_user_without_staff_profile_is_forbidden(world: dict[str, Any], client: Any) -> None:
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="nobody"))
    assert client.get(reverse("org:staff_list")).status_code == 403
    assert client.get(reverse("org:resident_list")).status_code == 403


def test_extra_jurisdictions_widen_scope(world: dict[str, Any]) -> None:
    agent: Staff = world["people"]["agent"]
    agent.extra_jurisdictions.add(world["vb"])
    user = agent.user
    got = {j.code for j in selectors.jurisdiction_choices(actor=actor_of(user))}
    assert got == {world["va"].code, world["vb"].code}
