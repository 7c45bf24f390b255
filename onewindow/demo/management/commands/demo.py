"""``python -m django demo``: load the demo county (阿巴嘎旗); safe to run again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from onewindow.demo.loader import load_demo


class Command(BaseCommand):
    help = (
        "加载演示数据（阿巴嘎旗：苏木镇、嘎查、服务中心、窗口、部门、人员、事项、一件事）；"
        "可重复运行，不会产生重复数据"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        load_demo(stdout=self.stdout)
