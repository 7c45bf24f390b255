"""What the proxy API's modules share: the router, the role gates, the audit wrapper, list queries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest
from ninja import Router

from onewindow.core.apiauth import role_auth
from onewindow.core.apischemas import ERRORS_AUTH, Error, PageQuery
from onewindow.org.access import has_any_role
from onewindow.org.actors import request_actor
from onewindow.org.models import Role
from onewindow.proxy import services

router = Router(tags=["帮办代办"])
ERRORS_WRITE: dict[int, Any] = {**ERRORS_AUTH, 409: Error}
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


def act(request: HttpRequest, action: str, obj: str, service: Callable[..., T], /, **kwargs: Any) -> T:
    """``service(actor=<the caller>, **kwargs)``, audited as ``proxy.<action>`` (see ``audited``)."""
    return audited(request, action, obj, lambda: service(actor=request_actor(request), **kwargs))


def reread(request: HttpRequest, get: Callable[..., T], row: Any) -> T:
    """``row`` read again through ``get`` as the caller sees it (after a write, with its relations)."""
    return get(actor=request_actor(request), pk=row.pk)


class ListQuery(PageQuery):  # the proxy lists' filters extend it (its own name in the OpenAPI schema)
    pass
