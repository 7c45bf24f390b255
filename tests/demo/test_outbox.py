"""Demo mode and the development outbox (/dev/outbox/): there only with DEBUG or demo mode, never with
production settings; the console SMS log line; ``onewindow demo`` refused with production settings."""

from __future__ import annotations

import logging
from typing import Any
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.test import Client, override_settings

from onewindow.core import devmode
from onewindow.notify.delivery import console_line, deliver
from onewindow.notify.models import Notification, NotificationState
from onewindow.notify.services import notify

pytestmark = pytest.mark.django_db

PUBLIC_HOSTS = ["testserver", "onewindow.example.gov.cn"]


def _sms(phone: str = "13904799001", code: str = "123456") -> Notification:
    return notify("otp", channel="sms", to=phone, context={"code": code, "minutes": 5})


def test_outbox_is_absent_by_default() -> None:
    _sms()
    assert Client().get("/dev/outbox/").status_code == 404


@pytest.mark.parametrize("flags", [{"DEBUG": True}, {"ONEWINDOW_DEMO": True}])
def test_outbox_lists_codes_newest_first_pending_ones_too(flags: dict[str, Any]) -> None:
    first = _sms(code="111111")
    Notification.objects.filter(pk=first.pk).update(state=NotificationState.SENT)
    _sms(phone="13904799002", code="222222")  # still queued: the worker has not delivered it
    notify("otp", channel="inbox", context={"code": "333333", "minutes": 5})
    with override_settings(**flags):
        response = Client().get("/dev/outbox/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("333333") < html.index("222222") < html.index("111111")
    assert "13904799002" in html and "13904799001" in html  # a development page: the number in full
    assert "待发送" in html and 'hx-trigger="every 2s"' in html
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.parametrize(
    "production", [{"HTTPS": True}, {"ALLOWED_HOSTS": PUBLIC_HOSTS}], ids=["https", "public-host"]
)
def test_never_with_production_settings(production: dict[str, Any]) -> None:
    _sms()
    with override_settings(DEBUG=True, ONEWINDOW_DEMO=True, **production):
        assert devmode.is_production() and not devmode.demo_mode() and not devmode.dev_pages()
        assert Client().get("/dev/outbox/").status_code == 404
        with pytest.raises(CommandError, match="拒绝在生产配置下使用演示数据"):
            call_command("demo")
        with pytest.raises(CommandError, match="拒绝在生产配置下"):
            call_command("demo", "otp", "supervisor")


def test_onewindow_demo_exits_nonzero_with_production_settings(capsys: Any) -> None:
    from onewindow.cli import main

    # run_from_argv closes every connection when done: keep the test's transaction open
    closes = mock.patch.object(connections, "close_all")
    with closes, override_settings(HTTPS=True), pytest.raises(SystemExit) as exit_:
        main(["demo", "--skip-checks"])
    assert exit_.value.code == 1
    assert "拒绝在生产配置下使用演示数据（ONEWINDOW_HTTPS 已开启）" in capsys.readouterr().err


def test_console_line_masks_the_phone_outside_demo_mode() -> None:
    n = _sms(code="654321")
    assert (
        console_line(n) == "短信 → 139****9001：【一窗通办】您的验证码为 654321，5 分钟内有效。请勿告诉他人。"
    )
    with override_settings(ONEWINDOW_DEMO=True):
        assert console_line(n).startswith("短信 → 13904799001：【一窗通办】您的验证码为 654321")


def test_console_backend_logs_each_sms_once(caplog: Any) -> None:
    n = _sms(code="765432")
    with caplog.at_level(logging.INFO, logger="onewindow.notify"), override_settings(ONEWINDOW_DEMO=True):
        deliver(n)
    lines = [r.getMessage() for r in caplog.records if "765432" in r.getMessage()]
    assert lines == ["短信 → 13904799001：【一窗通办】您的验证码为 765432，5 分钟内有效。请勿告诉他人。"]
    n.refresh_from_db()
    assert n.state == NotificationState.SENT


def test_system_check_says_demo_mode_is_off_in_production() -> None:
    from onewindow.devtools.checks import demo_mode_with_production_settings

    assert demo_mode_with_production_settings() == []
    with override_settings(ONEWINDOW_DEMO=True, HTTPS=True):
        (warning,) = demo_mode_with_production_settings()
    assert warning.id == "onewindow.W001" and "演示模式不生效" in warning.msg


@override_settings(ONEWINDOW_DEMO=True)
def test_empty_outbox_says_where_codes_come_from() -> None:
    Notification.objects.all().delete()  # the demo data (if loaded for this package) sends some
    response = Client().get("/dev/outbox/")
    assert response.status_code == 200 and "还没有通知" in response.content.decode()
    assert Client().head("/dev/outbox/").status_code == 200
