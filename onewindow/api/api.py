"""The JSON API v1 (django-ninja). The contract is ../shared/API.md.

The edge of the API: the NinjaAPI object, the error mapping (every error is
``{"error": {"code", "message", "details"}}``) and the collection of every app's router
(``<app>/api.py``). Authentication is ``onewindow.core.apiauth`` (token lookup, the caller's Actor
and token management installed by ``api.apps``)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.urls import URLPattern, URLResolver, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from onewindow.core.apiauth import AUTH  # re-exported for callers and tests
from onewindow.core.boundary import invalid_from_data_error
from onewindow.core.errors import DomainError

logger = logging.getLogger("django.request")


def _json_not_allowed(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """ninja answers a method an API path does not have with a bare 405: give it the error shape."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = sorted(m.strip() for m in response["Allow"].split(",") if m.strip())
            body = error_body("method_not_allowed", "不支持该请求方法", {"allowed": allowed})
            json_response = api.create_response(request, body, status=405)
            json_response["Allow"] = response["Allow"]
            return json_response
        return response

    return wrapper


@csrf_exempt
def _unknown_path(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return api.create_response(
        request, error_body("not_found", "接口不存在", {"path": request.path[:200]}), status=404
    )


# The routers moved into their apps (issue #16); the OpenAPI operationIds that clients generate code
# from keep the names they had when every router lived in ``onewindow/api/<name>_api.py``.
_LEGACY_ROUTER_MODULE = {
    "cases": "cases",
    "catalog": "catalog",
    "feedback": "feedback",
    "integration": "integration",
    "ledger": "stats",
    "org": "org",
    "portal": "portal",
    "proxy": "proxy",
    "queueing": "queue",
    "security": "security",
    "worktime": "worktime",
}


class OneWindowAPI(NinjaAPI):
    """JSON errors also where ninja does not produce them: a wrong method (405) and an unknown path
    under /api/v1/ (404, instead of Django's HTML page). Stable operationIds (see above)."""

    def get_openapi_operation_id(self, operation: Any) -> str:
        parts = operation.view_func.__module__.split(".")
        app = parts[1] if len(parts) >= 3 and parts[0] == "onewindow" and parts[2] == "api" else ""
        if app in _LEGACY_ROUTER_MODULE:
            return f"onewindow_api_{_LEGACY_ROUTER_MODULE[app]}_api_{operation.view_func.__name__}"
        return super().get_openapi_operation_id(operation)

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls: list[URLResolver | URLPattern] = [
            URLPattern(p.pattern, _json_not_allowed(p.callback), p.default_args, p.name)
            if isinstance(p, URLPattern)
            else p
            for p in super()._get_urls()
        ]
        urls.append(re_path(r"^.*$", _unknown_path))
        return urls


api = OneWindowAPI(
    title="OneWindow 一窗通办 API",
    version="1",
    description="一窗通办·帮办代办 JSON API（契约见 API.md）。错误统一为 "
    '`{"error": {"code", "message", "details"}}`。',
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    details: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload")]
        details.setdefault(".".join(loc) or "__all__", []).append(str(err.get("msg", "")))
    return api.create_response(request, error_body("invalid", "请求参数有误", details), status=422)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, error_body("not_authenticated", "请先登录或提供有效的令牌"), status=401
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {
        400: "bad_request",
        401: "not_authenticated",
        403: "forbidden",
        404: "not_found",
        409: "conflict",
    }
    message = str(exc.message)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        # ninja's message for a body that is not valid JSON (or not the declared content type)
        message = "请求体无法解析：应为合法的 JSON"
    return api.create_response(
        request, error_body(codes.get(exc.status_code, "error"), message), status=exc.status_code
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, error_body("not_found", "未找到"), status=404)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return api.create_response(
        request,
        error_body("payload_too_large", "请求体过大", {"max_bytes": limit} if limit else None),
        status=413,
    )


@api.exception_handler(SuspiciousOperation)
def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    # e.g. TooManyFieldsSent (DATA_UPLOAD_MAX_NUMBER_FIELDS) while parsing the query string or a form
    return api.create_response(request, error_body("bad_request", "请求格式有误"), status=400)


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A bug: log it like Django does (and let the test client re-raise it), answer in the error shape."""
    invalid = invalid_from_data_error(exc)  # the database refused NUL or an over-long value: 422
    if invalid is not None:
        return api.create_response(request, invalid.as_dict(), status=invalid.status)
    logger.error(
        "Internal Server Error: %s",
        request.path,
        exc_info=exc,
        extra={"status_code": 500, "request": request},
    )
    got_request_exception.send(sender=None, request=request)
    return api.create_response(
        request, error_body("internal_error", "服务器内部错误，请稍后重试"), status=500
    )


from onewindow.cases import api as cases_api  # noqa: E402
from onewindow.catalog import api as catalog_api  # noqa: E402
from onewindow.feedback import api as feedback_api  # noqa: E402
from onewindow.integration import api as integration_api  # noqa: E402
from onewindow.ledger import api as stats_api  # noqa: E402
from onewindow.org import api as org_api  # noqa: E402
from onewindow.portal import api as portal_api  # noqa: E402
from onewindow.proxy import api as proxy_api  # noqa: E402
from onewindow.queueing import api as queue_api  # noqa: E402
from onewindow.security import api as security_api  # noqa: E402
from onewindow.worktime import api as worktime_api  # noqa: E402

api.add_router("", org_api.router)
api.add_router("", org_api.resident_router, auth=AUTH)
api.add_router("", catalog_api.router)
api.add_router("", worktime_api.router)
api.add_router("", cases_api.router, auth=AUTH)
api.add_router("", queue_api.router, auth=AUTH)
# Routers of later apps; each router sets its own auth per operation (public ones pass auth=None).
api.add_router("", proxy_api.router, auth=AUTH)
api.add_router("", feedback_api.router, auth=AUTH)
api.add_router("", stats_api.router, auth=AUTH)
api.add_router("", integration_api.router, auth=AUTH)
api.add_router("", security_api.router, auth=AUTH)
api.add_router("", portal_api.router, auth=AUTH)
