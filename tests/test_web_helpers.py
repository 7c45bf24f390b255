"""core.web.choice_param: a list filter from the query string is one of its choices or nothing."""

from __future__ import annotations

from django.test import RequestFactory

from onewindow.core.web import choice_param


def test_choice_param_keeps_a_known_choice_and_drops_anything_else() -> None:
    rf = RequestFactory()
    choices = ["open", "closed"]
    assert choice_param(rf.get("/x", {"state": "closed"}), "state", choices) == "closed"
    assert choice_param(rf.get("/x", {"state": "bogus"}), "state", choices) is None
    assert choice_param(rf.get("/x", {"state": ""}), "state", choices) is None
    assert choice_param(rf.get("/x"), "state", choices) is None
    assert choice_param(rf.get("/x", {"state": "closed\x00"}), "state", choices) is None
