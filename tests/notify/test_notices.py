"""core.notices: the texts are registered by the apps that own the events, each template once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from onewindow.core import notices

PACKAGE = Path(__file__).resolve().parents[2] / "onewindow"


def test_each_app_registers_the_texts_of_its_events() -> None:
    owners = notices.registered()
    assert owners["otp"] == "notify"
    assert owners["accepted"] == owners["portal_accepted"] == owners["deadline_reminder"] == "cases"
    assert owners["proxy_result_ready"] == "proxy"
    assert owners["appointment_reminder"] == "queueing"
    assert owners["rating_bad"] == owners["complaint_answered"] == "feedback"
    assert owners["calendar_missing"] == "worktime"


def test_every_template_sent_in_the_code_is_registered() -> None:
    sent: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        sent |= set(re.findall(r'\b(?:notify|tell)\(\s*"(\w+)"', text))
        sent |= set(re.findall(r'template="(\w+)"', text))
    assert sent and not sent - set(notices.registered())


def test_a_template_cannot_be_registered_twice_with_another_text() -> None:
    notices.register_texts("cases", {"ready": notices.text("ready")})  # the same text again: fine
    with pytest.raises(ImproperlyConfigured):
        notices.register_texts("elsewhere", {"ready": ("另一个", "另一段文字")})
    assert notices.registered()["ready"] == "cases"
