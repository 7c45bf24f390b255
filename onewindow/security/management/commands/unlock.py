"""``onewindow unlock USER``: unlock an account locked after repeated failed logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onewindow.core.actor import system
from onewindow.security.services import unlock_user


class Command(BaseCommand):
    help = "解锁因多次登录失败被锁定的账号"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **opts: Any) -> None:
        count = unlock_user(opts["username"], actor=system())
        self.stdout.write(f"已解锁 {opts['username']}（清除 {count} 条失败记录）")
