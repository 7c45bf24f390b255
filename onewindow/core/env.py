"""Tiny typed helpers that read configuration from the environment.

Secrets may also come from ``NAME_FILE`` (a path whose content is the value).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path


def env_str(name: str, default: str = "") -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        file_path = os.environ.get(f"{name}_FILE")
        if file_path:
            return Path(file_path).read_text(encoding="utf-8").strip()
        return default
    return value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return int(value)


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = env_str(name)
    if not value:
        return list(default or [])
    return [part.strip() for part in value.replace("\n", ",").split(",") if part.strip()]


def secret_file(path: Path, factory: Callable[[], str] = lambda: secrets.token_urlsafe(50)) -> str:
    """Return the secret stored at ``path``, creating it (mode 600) on first use."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = str(factory())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(value + "\n")
    return value
