from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from onewindow.api.models import ApiToken
from onewindow.api.tokens import token_create
from onewindow.core.errors import DomainError


class Command(BaseCommand):
    help = "管理接口令牌：token create USERNAME | token list [USERNAME] | token revoke PREFIX"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="为用户创建令牌并打印（只显示一次）")
        create.add_argument("username")
        create.add_argument("--name", default="", help="用途说明")
        create.add_argument(
            "--days", type=int, default=None, help="有效天数（默认 API_TOKEN_DEFAULT_DAYS，即 90 天）"
        )
        create.add_argument("--read-only", action="store_true", help="只读令牌（只能调用 GET 接口）")
        lst = sub.add_parser("list", help="列出令牌")
        lst.add_argument("username", nargs="?")
        revoke = sub.add_parser("revoke", help="吊销令牌")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **opts: Any) -> None:
        action = opts["action"]
        if action == "create":
            try:
                _row, key = token_create(
                    username=opts["username"],
                    name=opts["name"],
                    days=opts["days"],
                    read_only=opts["read_only"],
                )
            except DomainError as exc:
                raise CommandError(exc.message) from None
            self.stdout.write(key)
        elif action == "list":
            qs = ApiToken.objects.select_related("user")
            if opts.get("username"):
                qs = qs.filter(user__username=opts["username"])
            for t in qs:
                state = "已吊销" if t.revoked_at else "有效"
                mode = "只读" if t.read_only else "读写"
                self.stdout.write(
                    f"{t.prefix}…\t{t.user.get_username()}\t{t.name}\t{mode}\t{state}\t{t.created_at:%Y-%m-%d}"
                )
        elif action == "revoke":
            n = ApiToken.objects.filter(prefix=opts["prefix"], revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
            if not n:
                raise CommandError("没有找到该前缀的有效令牌")
            self.stdout.write(f"已吊销 {n} 个令牌")
