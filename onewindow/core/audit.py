"""The audit façade: every app records audit events through here; ``security`` implements it.

Lower apps (org, cases, ...) must not import ``security`` (an outer room), so they call::

    from onewindow.core import audit
    audit.record("org.contact_updated", user=actor.user, obj=f"resident:{pk}", details={...})

``security.apps.SecurityConfig.ready()`` installs the real recorder (the hash-chained log in
``security.audit``). Until it is installed (an app loaded without ``security``), recording raises, so
an audit event is never silently lost.
"""

from __future__ import annotations

from typing import Any, Protocol, TypedDict, Unpack

from django.http import HttpRequest

from onewindow.core.slots import Slot


class Entry(TypedDict, total=False):
    """The keywords of ``record`` after the action (see ``security.audit.record`` for the defaults)."""

    request: HttpRequest | None
    user: Any
    obj: str
    result: str
    details: dict[str, Any] | None


class Export(TypedDict, total=False):
    """The optional keywords of ``record_personal_data_export``."""

    request: HttpRequest | None
    user: Any
    obj: str


class AuditBackend(Protocol):
    def record(self, action: str, **kwargs: Unpack[Entry]) -> Any: ...

    def record_personal_data_export(
        self, what: str, *, reason: str, rows: int, **kwargs: Unpack[Export]
    ) -> Any: ...


_backend: Slot[AuditBackend] = Slot("audit backend", "security", RuntimeError)
install = _backend.install  # called once by the app that implements the audit log (``security``)


def record(action: str, **kwargs: Unpack[Entry]) -> Any:
    """Append one audit entry, in the caller's transaction. See ``security.audit.record``."""
    return _backend.get().record(action, **kwargs)


def record_personal_data_export(what: str, *, reason: str, rows: int, **kwargs: Unpack[Export]) -> Any:
    """An export holding personal data: needs a stated reason (raises ``Invalid`` otherwise)."""
    return _backend.get().record_personal_data_export(what, reason=reason, rows=rows, **kwargs)
