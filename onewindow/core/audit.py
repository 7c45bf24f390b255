"""The audit façade: every app records audit events through here; ``security`` implements it.

Lower apps (org, cases, ...) must not import ``security`` (an outer room), so they call::

    from onewindow.core import audit
    audit.record("org.contact_updated", user=actor.user, obj=f"resident:{pk}", details={...})

``security.apps.SecurityConfig.ready()`` installs the real recorder (the hash-chained log in
``security.audit``). Until it is installed (an app loaded without ``security``), recording raises, so
an audit event is never silently lost.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.http import HttpRequest


class AuditBackend(Protocol):
    def record(
        self,
        action: str,
        *,
        request: HttpRequest | None = None,
        user: Any = None,
        obj: str = "",
        result: str = "ok",
        details: dict[str, Any] | None = None,
    ) -> Any: ...

    def record_personal_data_export(
        self,
        what: str,
        *,
        reason: str,
        rows: int,
        request: HttpRequest | None = None,
        user: Any = None,
        obj: str = "",
    ) -> Any: ...


_backend: AuditBackend | None = None


def install(backend: AuditBackend) -> None:
    """Called once by the app that implements the audit log (``security``)."""
    global _backend
    _backend = backend


def _impl() -> AuditBackend:
    if _backend is None:  # pragma: no cover - only without the security app
        raise RuntimeError("no audit backend installed (is onewindow.security in INSTALLED_APPS?)")
    return _backend


def record(
    action: str,
    *,
    request: HttpRequest | None = None,
    user: Any = None,
    obj: str = "",
    result: str = "ok",
    details: dict[str, Any] | None = None,
) -> Any:
    """Append one audit entry, in the caller's transaction. See ``security.audit.record``."""
    return _impl().record(action, request=request, user=user, obj=obj, result=result, details=details)


def record_personal_data_export(
    what: str,
    *,
    reason: str,
    rows: int,
    request: HttpRequest | None = None,
    user: Any = None,
    obj: str = "",
) -> Any:
    """An export holding personal data: needs a stated reason (raises ``Invalid`` otherwise)."""
    return _impl().record_personal_data_export(
        what, reason=reason, rows=rows, request=request, user=user, obj=obj
    )
