"""Domain-free web helpers: the client address, the one error page, a checked query-string choice and
a posted ISO date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TypeVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from onewindow.core.errors import DomainError, Invalid

_Iso = TypeVar("_Iso", dt.date, dt.time, dt.datetime)

ERROR_TEMPLATE = "error.html"
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


def error_room(request: HttpRequest, template: str | None = None) -> str:
    """The app an error page belongs to: the folder of a legacy ``<app>/error.html`` when one is
    named, else the URL namespace of the request (``cases``, ``portal``, …); ``""`` for none."""
    if template and "/" in template:
        return template.split("/", 1)[0]
    match = getattr(request, "resolver_match", None)
    return str(match.app_name or "") if match is not None else ""


def render_error(request: HttpRequest, exc: DomainError, template: str | None = None) -> HttpResponse:
    """The one error page (``templates/error.html``): the error's title, message, code and status in
    the layout of the app it happened in (``<app>/_base.html`` with that app's navigation, when the
    app has one) with that app's way back. ``template`` (an app's former ``<app>/error.html``) only
    names the app; the page is always ``error.html``."""
    room = error_room(request, template)
    layout = None
    if room:
        try:
            layout = get_template(f"{room}/_base.html")
        except TemplateDoesNotExist:
            layout = None
    context = {
        "title": ERROR_TITLES.get(exc.status, "请求有误"),
        "error": exc,
        "room": room,
        "error_layout": layout,
        "error_in_room": layout is not None,
    }
    return render(request, ERROR_TEMPLATE, context, status=exc.status)


def choice_param(request: HttpRequest, name: str, choices: Iterable[str]) -> str | None:
    """A filter from the query string that must be one of ``choices``; anything else (or nothing) is None."""
    value = request.GET.get(name) or None
    return value if value in set(choices) else None


def posted_iso(
    request: HttpRequest, name: str, kind: type[_Iso], message: str, detail: str, *, code: str = "invalid"
) -> _Iso:
    """A posted ISO date, time or date-time (``kind``: ``dt.date``, ``dt.time`` or ``dt.datetime``);
    missing or malformed: a 422 naming the field (``message`` for the person, ``detail`` beside it)."""
    try:
        return kind.fromisoformat(request.POST.get(name) or "")
    except ValueError:
        raise Invalid(message, code=code, details={name: [detail]}) from None
