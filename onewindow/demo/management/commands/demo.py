"""``onewindow demo``: load the demo county (阿巴嘎旗); safe to run again.
``onewindow demo otp USER``: print the current TOTP code of a demo account that needs two factors.

Both refuse production settings (``core.devmode``: ``ONEWINDOW_HTTPS`` on or a non-local
``ALLOWED_HOSTS``): demo accounts with a published password and a published TOTP secret must never
reach a production site.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.core.devmode import production_reasons
from onewindow.demo.loader import load_demo
from onewindow.demo.otp import NoDemoDevice, current_code


class Command(BaseCommand):
    help = (
        "加载演示数据（阿巴嘎旗：苏木镇、嘎查、服务中心、窗口、部门、人员、事项、一件事）；"
        "可重复运行，不会产生重复数据。`demo otp 用户名`：显示该演示账号当前的动态口令"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", choices=["load", "otp"], default="load")
        parser.add_argument("username", nargs="?", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        reasons = production_reasons()
        if reasons:
            raise CommandError(
                "拒绝在生产配置下使用演示数据（" + "；".join(reasons) + "）。演示只在本机运行：去掉 "
                "ONEWINDOW_HTTPS，ALLOWED_HOSTS 只留 127.0.0.1、localhost。"
            )
        if options["action"] == "otp":
            self._otp(options["username"])
        else:
            load_demo(stdout=self.stdout)

    def _otp(self, username: str) -> None:
        if not username:
            raise CommandError("请给出用户名，例如：onewindow demo otp supervisor")
        try:
            code = current_code(username)
        except NoDemoDevice as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(code.code)
        self.stderr.write(f"（{username} 的动态口令，还有 {code.seconds_left} 秒有效）", style_func=str)
