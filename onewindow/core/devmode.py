"""Development and demo mode: when the development pages (``/dev/outbox/``) and the demo helpers
(``onewindow demo otp``, full phone numbers in the console SMS log line) are on.

- ``ONEWINDOW_DEMO`` (setting, default off; ``make run`` turns it on) is demo mode.
- Production settings always win: with ``ONEWINDOW_HTTPS`` on, or an ``ALLOWED_HOSTS`` entry other than
  the local ones (127.0.0.1, localhost, [::1], testserver), demo mode and the development pages are off,
  whatever ``DEBUG`` or ``ONEWINDOW_DEMO`` say, and ``onewindow demo`` refuses to run.

Read by ``devtools`` (the pages), ``notify`` (the console log line) and ``demo`` (the command).
"""

from __future__ import annotations

from django.conf import settings

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1", "testserver"})


def production_reasons() -> list[str]:
    """Why these settings look like production (empty: a local development or demo site)."""
    reasons = []
    if settings.HTTPS:
        reasons.append("ONEWINDOW_HTTPS 已开启")
    public = [h for h in settings.ALLOWED_HOSTS if h not in LOCAL_HOSTS]
    if public:
        reasons.append(f"ALLOWED_HOSTS 含非本机地址 {', '.join(public)}")
    return reasons


def is_production() -> bool:
    return bool(production_reasons())


def demo_mode() -> bool:
    """``ONEWINDOW_DEMO`` on, and not production settings."""
    return bool(settings.ONEWINDOW_DEMO) and not is_production()


def dev_pages() -> bool:
    """The development pages answer: ``DEBUG`` or demo mode on, and not production settings."""
    return bool(settings.DEBUG or settings.ONEWINDOW_DEMO) and not is_production()
