"""The JSON API v1 (django-ninja). The contract is ../shared/API.md."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth

from onewindow.api.tokens import token_authenticate
from onewindow.errors import DomainError


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is not None:
            request.user = user  # type: ignore[assignment]
        return user


bearer = BearerToken()
AUTH = [bearer, django_auth]

api = NinjaAPI(
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
    return api.create_response(
        request, error_body(codes.get(exc.status_code, "error"), str(exc.message)), status=exc.status_code
    )


from onewindow.api import (  # noqa: E402
    cases_api,
    catalog_api,
    feedback_api,
    integration_api,
    org_api,
    portal_api,
    proxy_api,
    queue_api,
    security_api,
    stats_api,
    worktime_api,
)

api.add_router("", org_api.router)
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
