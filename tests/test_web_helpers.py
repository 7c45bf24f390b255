"""core.web.choice_param: a list filter from the query string is one of its choices or nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import RequestFactory

from onewindow.core.errors import Invalid
from onewindow.core.web import choice_param, posted_iso


def test_choice_param_keeps_a_known_choice_and_drops_anything_else() -> None:
    rf = RequestFactory()
    choices = ["open", "closed"]
    assert choice_param(rf.get("/x", {"state": "closed"}), "state", choices) == "closed"
    assert choice_param(rf.get("/x", {"state": "bogus"}), "state", choices) is None
    assert choice_param(rf.get("/x", {"state": ""}), "state", choices) is None
    assert choice_param(rf.get("/x"), "state", choices) is None
    assert choice_param(rf.get("/x", {"state": "closed\x00"}), "state", choices) is None


def test_posted_iso_parses_or_names_the_field() -> None:
    rf = RequestFactory()
    assert posted_iso(rf.post("/x", {"d": "2026-12-07"}), "d", dt.date, "请填写日期", "日期格式") == dt.date(
        2026, 12, 7
    )
    assert posted_iso(rf.post("/x", {"t": "09:30"}), "t", dt.time, "请选择时段", "必选") == dt.time(9, 30)
    for bad in ({"d": "2026-13-01"}, {"d": ""}, {}, {"d": "\x00"}, {"d": "２０２６-12-07" * 1000}):
        with pytest.raises(Invalid) as exc:
            posted_iso(rf.post("/x", bad), "d", dt.date, "请填写日期", "日期格式", code="invalid_slot")
        assert exc.value.code == "invalid_slot" and exc.value.details == {"d": ["日期格式"]}
        assert exc.value.message == "请填写日期"
