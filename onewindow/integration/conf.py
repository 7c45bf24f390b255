"""Settings of the integration app: ``settings.NAME`` first, then the environment variable ``NAME``."""

from __future__ import annotations

import os

from django.conf import settings


def setting_float(name: str, default: float) -> float:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    if value is None or value == "":
        return default
    return float(value)


def webhook_timeout() -> float:
    """Seconds to wait for a receiver's answer (``WEBHOOK_TIMEOUT``, default 10)."""
    return setting_float("WEBHOOK_TIMEOUT", 10.0)


def webhook_lease() -> float:
    """Seconds a worker holds a claimed delivery before another may re-claim it.

    ``WEBHOOK_LEASE_SECONDS``, default timeout + 50 s; always longer than the HTTP timeout, so a
    slow but living worker is not overtaken.
    """
    return max(setting_float("WEBHOOK_LEASE_SECONDS", webhook_timeout() + 50), webhook_timeout() + 1)


def webhook_max_attempts() -> int:
    """Attempts before a delivery becomes a dead letter (``WEBHOOK_MAX_ATTEMPTS``, default 8)."""
    return int(setting_float("WEBHOOK_MAX_ATTEMPTS", 8))


def webhook_backoff_base() -> float:
    """First retry delay in seconds, doubled each attempt (``WEBHOOK_RETRY_BASE_SECONDS``, default 30)."""
    return setting_float("WEBHOOK_RETRY_BASE_SECONDS", 30.0)
