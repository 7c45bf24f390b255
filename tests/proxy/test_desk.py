"""proxy's count on the staff home page: pre-reviews waiting at the clerk's centre (core.desk)."""

from __future__ import annotations

from typing import Any

from onewindow.core.desk import desk_counts
from onewindow.org.actors import actor_of
from onewindow.proxy.desk import prereviews_pending
from tests.proxy.conftest import entrust
from tests.proxy.test_api import intake


def _prereview(username: str) -> int | None:
    from django.contrib.auth import get_user_model

    d = prereviews_pending(actor_of(get_user_model().objects.get(username=username)))
    return d.count if d is not None else None


def test_a_submitted_request_waits_at_the_township_centre_only(
    proxy_world: dict[str, Any], as_user: Any
) -> None:
    agent = as_user("agent")
    ent = entrust(agent).json()
    req = intake(agent, ent["id"]).json()
    assert _prereview("clerk") == 0  # a draft is not waiting yet
    assert agent.action(req["id"], "submit").status_code == 200
    assert _prereview("clerk") == 1 and _prereview("head_a") == 1
    assert _prereview("outsider") == 0 and _prereview("county_clerk") == 0
    assert _prereview("agent") is None and _prereview("reviewer") is None  # no pre-review queue of theirs
    # the count links to the queue that lists exactly it
    clerk = as_user("clerk")
    page = clerk.c.get("/proxy/queue/").content.decode()
    assert req["number"] in page
    keys = [d.key for d in desk_counts(actor_of(proxy_world["people"]["clerk"].user))]
    assert keys == ["online", "supplements", "prereview", "output", "warnings"]
