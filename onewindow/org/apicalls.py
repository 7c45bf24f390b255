"""What the routers share to run a service as the caller (issue #16: one way to write a handler).

A handler of the JSON API is, most of the time, "call this service as the request's caller with these
arguments (and the request body's fields), answer with the result rendered by this out-function". That
sentence is :func:`serve`. It lives in ``org`` beside ``request_actor`` (the caller's Actor), so every
router above ``org`` can use it; the schemas and responses it works with are ``core.apischemas``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest
from ninja import Schema
from ninja.responses import Status

from onewindow.core.apischemas import fields_of
from onewindow.org.actors import request_actor

T = TypeVar("T")


def as_caller(request: HttpRequest, service: Callable[..., T], /, **kwargs: Any) -> T:
    """``service(actor=<the request's caller>, **kwargs)``."""
    return service(actor=request_actor(request), **kwargs)


def serve(
    request: HttpRequest,
    service: Callable[..., T],
    out: Callable[[T], Any],
    /,
    payload: Schema | None = None,
    *texts: str,
    status: int = 200,
    **kwargs: Any,
) -> Any:
    """``out(service(actor=<the caller>, **kwargs, **<payload's fields>))`` answered with ``status``
    (201 for a creation). ``texts`` name the body's optional texts the service takes as "" when not
    given (see ``fields_of``)."""
    body = out(as_caller(request, service, **kwargs, **fields_of(payload, service, *texts)))
    return body if status == 200 else Status(status, body)
