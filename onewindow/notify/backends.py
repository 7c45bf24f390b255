"""Delivery backends beyond the console (SMTP e-mail, HTTP SMS gateway, webhook)."""

from __future__ import annotations

from typing import Any


def send(name: str, notification: Any) -> None:
    raise RuntimeError(f"通知后端 {name} 未配置")
