"""Domain-free web helpers: the client address and the one error page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from onewindow.core.errors import DomainError

ERROR_TITLES = {403: "无权访问", 404: "未找到", 409: "操作冲突", 422: "填写有误", 429: "查询过于频繁"}


def client_ip(request: HttpRequest | None) -> str:
    """The client address: REMOTE_ADDR, or the last X-Forwarded-For hop when behind a trusted proxy
    (``TRUST_X_FORWARDED_FOR``; nginx in ``deploy/`` sets it)."""
    if request is None:
        return ""
    meta = request.META
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()[:64]
    return str(meta.get("REMOTE_ADDR", ""))[:64]


def render_error(request: HttpRequest, exc: DomainError, template: str) -> HttpResponse:
    context = {"title": ERROR_TITLES.get(exc.status, "请求有误"), "error": exc}
    return render(request, template, context, status=exc.status)
