"""What the proxy API's modules share: the router, the role gates, the audited write, list queries."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest
from ninja import Router, Schema

from onewindow.core.apiauth import role_auth
from onewindow.core.apischemas import PageQuery
from onewindow.org.access import has_any_role
from onewindow.org.actors import request_actor
from onewindow.org.apicalls import serve
from onewindow.org.models import Role
from onewindow.proxy import services

router = Router(tags=["帮办代办"])
T = TypeVar("T")

# Role before body (see role_auth): callers whose roles can never do these get 403 before validation.
AGENT_OR_WINDOW = frozenset({Role.AGENT, *services.WINDOW_ROLES})
ACTION_ROLES = frozenset().union(*(row.roles for row in services.TRANSITIONS.values()))
ENTRUST_AUTH = role_auth(has_any_role(AGENT_OR_WINDOW), "登记或撤销代办委托")
INTAKE_AUTH = role_auth(has_any_role({Role.AGENT}), "登记代办申请")
ACTION_AUTH = role_auth(has_any_role(ACTION_ROLES), "办理代办申请")
BATCH_AUTH = role_auth(has_any_role(AGENT_OR_WINDOW), "发出交接批次")


def audited(request: HttpRequest, action: str, obj: str, fn: Callable[[], T]) -> T:
    """Run ``fn`` and audit it as ``proxy.<action>`` (a refusal with ``result=denied`` and its code)."""
    with services.audit_refusals(action, user=request.user, obj=obj, request=request):
        result = fn()
    services.audit(
        f"proxy.{action}", user=request.user, obj=obj or str(getattr(result, "pk", "")), request=request
    )
    return result


def act(
    request: HttpRequest,
    action: str,
    obj: str,
    service: Callable[..., T],
    out: Callable[[Any], Any],
    /,
    payload: Schema | None = None,
    *texts: str,
    get: Callable[..., Any] | None = None,
    status: int = 200,
    **kwargs: Any,
) -> Any:
    """The proxy's write: ``service`` as the caller with ``kwargs`` and the body's fields (see
    ``serve``), audited as ``proxy.<action>`` on ``obj`` (see ``audited``), answered with ``status`` and
    ``out`` of the result — read again through ``get`` first when given (with its relations)."""

    @functools.wraps(service)  # its signature is the service's: the body's fields are checked against it
    def audited_service(**kw: Any) -> Any:
        return audited(request, action, obj, lambda: service(**kw))

    def render(row: Any) -> Any:
        return out(row if get is None else get(actor=request_actor(request), pk=row.pk))

    return serve(request, audited_service, render, payload, *texts, status=status, **kwargs)


class ListQuery(PageQuery):  # the proxy lists' filters extend it (its own name in the OpenAPI schema)
    pass
