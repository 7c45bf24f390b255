"""Tiny typed helpers that read configuration from the environment (used by ``onewindow/settings.py``).

Every helper returns ``default`` when the variable is unset or empty. Any value may instead come from
``NAME_FILE``, a path whose content is the value (for secrets kept out of the environment: Docker /
systemd credentials); ``NAME`` wins when both are set.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _raw(name: str) -> str | None:
    """The variable's text, from ``NAME`` or else the file named by ``NAME_FILE``; None when unset/empty."""
    value = os.environ.get(name)
    if value is not None and value.strip() != "":
        return value
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return None


def env_str(name: str, default: str = "") -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        file_path = os.environ.get(f"{name}_FILE")
        if file_path:
            return Path(file_path).read_text(encoding="utf-8").strip()
        return default
    return value


def env_bool(name: str, default: bool = False) -> bool:
    """``1``, ``true``, ``yes``, ``on`` (any case) are true; any other non-empty value is false."""
    value = _raw(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = _raw(name)
    if value is None:
        return default
    return int(value.strip().replace("_", ""))


def env_float(name: str, default: float) -> float:
    value = _raw(name)
    if value is None:
        return default
    return float(value.strip())


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """Comma- or newline-separated values."""
    value = env_str(name)
    if not value:
        return list(default or [])
    return [part.strip() for part in value.replace("\n", ",").split(",") if part.strip()]


def env_dict(name: str, default: dict[str, str] | None = None) -> dict[str, str]:
    """``key=value`` pairs separated by commas or newlines, e.g. ``sms=sms_http,email=email``."""
    value = env_str(name)
    if not value:
        return dict(default or {})
    pairs = (part.partition("=") for part in value.replace("\n", ",").split(","))
    return {k.strip(): v.strip() for k, _, v in pairs if k.strip() and v.strip()}


def env_json(name: str, default: Any = None) -> Any:
    """A JSON document, e.g. ``{"X-Api-Key": "…"}``."""
    value = _raw(name)
    if value is None:
        return default
    return json.loads(value)


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
