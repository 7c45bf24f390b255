"""System check: demo mode asked for with production settings is off — say so (``onewindow check``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning

from onewindow.core.devmode import production_reasons


def demo_mode_with_production_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    reasons = production_reasons()
    if not settings.ONEWINDOW_DEMO or not reasons:
        return []
    return [
        Warning(
            "ONEWINDOW_DEMO 已设置，但当前是生产配置（" + "；".join(reasons) + "）：演示模式不生效。",
            hint="生产环境去掉 ONEWINDOW_DEMO；演示只在本机运行。",
            id="onewindow.W001",
        )
    ]
