"""The audit façade: every app records audit events through here; ``security`` implements it.

Lower apps (org, cases, ...) must not import ``security`` (an outer room), so they call::

    from onewindow.core import audit
    audit.record("org.contact_updated", user=actor.user, obj=f"resident:{pk}", details={...})

``security.apps.SecurityConfig.ready()`` installs the real recorder (the hash-chained log in
``security.audit``). Until it is installed (an app loaded without ``security``), recording raises, so
an audit event is never silently lost.

Deferred entries (``defer``): an entry that belongs to the write a request is about to make — the
``api.write`` entry of a token write, made when the token is authenticated — is written inside that
write's own transaction: the outermost ``core.locking.run_with_retry`` of the request writes the
request's deferred entries just before it commits (``flush_deferred``). An entry no write transaction
took (the write was refused, failed validation, or did not go through ``run_with_retry``) is written at
the end of the request in a transaction of its own (``DeferredAuditMiddleware``): every write is audited
exactly once, a successful one atomically with what it wrote.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, Protocol, TypedDict, Unpack

from django.db import transaction
from django.http import HttpRequest, HttpResponse

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


# The request's entries waiting for its write transaction (None: no request scope, record at once).
_deferred: ContextVar[list[tuple[str, Entry]] | None] = ContextVar("audit_deferred", default=None)


def defer(action: str, **kwargs: Unpack[Entry]) -> None:
    """Record this entry in the request's next write transaction (see the module docstring); outside
    a request scope it is recorded at once."""
    pending = _deferred.get()
    if pending is None:
        record(action, **kwargs)
    else:
        pending.append((action, kwargs))


def flush_deferred() -> int:
    """Write the request's deferred entries in the current transaction (``run_with_retry`` calls it
    before committing); returns how many, to :func:`forget` once the transaction has committed."""
    pending = _deferred.get()
    for action, kwargs in pending or ():
        record(action, **kwargs)
    return len(pending or ())


def forget(written: int) -> None:
    """The transaction that wrote the first ``written`` deferred entries has committed."""
    pending = _deferred.get()
    if pending and written:
        del pending[:written]


@contextlib.contextmanager
def deferral_scope() -> Iterator[None]:
    """One request's scope: entries no write transaction took are written at its end, in their own."""
    token = _deferred.set([])
    try:
        yield
    finally:
        pending = _deferred.get() or []
        _deferred.reset(token)
        if pending:
            with transaction.atomic():
                for action, kwargs in pending:
                    record(action, **kwargs)


class DeferredAuditMiddleware:
    """Opens :func:`deferral_scope` around each request (settings.MIDDLEWARE)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with deferral_scope():
            return self.get_response(request)
