"""An agent attaching a resident by ID number learns nothing about a person outside the agent's
villages: the answer is the same as for an unknown number, and gives no access to that person."""

from __future__ import annotations

import json
from typing import Any

from onewindow.org.models import Resident
from onewindow.proxy.models import Entrustment
from tests.proxy.conftest import applicant, entrust

OTHER_ID = "11010519491231002X"


def _outsider_resident(world: dict[str, Any]) -> Resident:
    return Resident.objects.create(
        kind="person",
        name="乌兰其其格",
        id_number=OTHER_ID,
        phone="13700007777",
        address="乙一嘎查5组",
        jurisdiction=world["vb"],
    )


def test_agent_guessing_an_id_number_outside_his_village_learns_nothing(
    proxy_world: dict[str, Any], as_user: Any
) -> None:
    stored = _outsider_resident(proxy_world)
    agent = as_user("agent")  # village A1
    guessed = entrust(agent, resident=applicant(name="张三", id_number=OTHER_ID, phone="13811112222"))
    # the same answer as a resident id outside the jurisdiction: nothing of the stored person
    by_id = entrust(agent, resident={"id": stored.pk})
    assert guessed.status_code == by_id.status_code == 404, guessed.content
    assert guessed.json() == by_id.json()
    assert guessed.json()["error"]["code"] == "unknown_resident"
    body = json.dumps(guessed.json(), ensure_ascii=False)
    assert "乌" not in body and "7777" not in body and guessed.json()["error"]["details"] == {}
    assert not Entrustment.objects.filter(resident=stored).exists()
    stored.refresh_from_db()
    assert (stored.name, stored.phone) == ("乌兰其其格", "13700007777")
    # the page answers the same way
    page = agent.c.post(
        "/proxy/entrust/",
        {"name": "张三", "id_number": OTHER_ID, "phone": "13811112222", "items": ["MZ-001"]},
    )
    assert "乌兰" not in page.content.decode() and "7777" not in page.content.decode()
    assert not Entrustment.objects.filter(resident=stored).exists()


def test_agent_who_knows_the_person_attaches_the_existing_record(
    proxy_world: dict[str, Any], as_user: Any
) -> None:
    stored = _outsider_resident(proxy_world)
    agent = as_user("agent")
    r = entrust(agent, resident=applicant(name="乌兰其其格", id_number=OTHER_ID, phone="13700007777"))
    assert r.status_code == 201, r.content
    assert r.json()["resident"]["id"] == stored.pk


def test_residents_in_the_agents_own_village_are_attached_as_before(
    proxy_world: dict[str, Any], as_user: Any
) -> None:
    stored = Resident.objects.create(
        kind="person", name="巴特尔", id_number=OTHER_ID, phone="13912345678", jurisdiction=proxy_world["va"]
    )
    r = entrust(as_user("agent"), resident=applicant(name="巴特尔", id_number=OTHER_ID, phone="13900000000"))
    assert r.status_code == 201 and r.json()["resident"]["id"] == stored.pk
