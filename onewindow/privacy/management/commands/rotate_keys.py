from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from onewindow.privacy.fields import EncryptedTextField


class Command(BaseCommand):
    help = (
        "轮换个人信息加密密钥：把新密钥放在 ONEWINDOW_DATA_KEYS 的第一位（旧密钥保留在后面），"
        "运行本命令用新密钥重新加密所有加密字段；完成后即可移除旧密钥。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args: Any, **opts: Any) -> None:
        total = 0
        for model in apps.get_models():
            fields = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            count = 0
            qs = model._default_manager.order_by("pk").only("pk", *fields)
            for obj in qs.iterator(chunk_size=opts["batch"]):
                values = {f: getattr(obj, f) for f in fields}
                # get_prep_value encrypts with the newest key; update() bypasses save() side effects.
                with transaction.atomic():
                    model._default_manager.filter(pk=obj.pk).update(**values)
                count += 1
            total += count
            self.stdout.write(
                f"{model._meta.label}：{count} 行已用新密钥重新加密（字段：{'、'.join(fields)}）"
            )
        self.stdout.write(f"完成，共 {total} 行")
