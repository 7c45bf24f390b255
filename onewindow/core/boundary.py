"""Hostile trivial input is refused at the boundary, the same way on SQLite and PostgreSQL.

- :class:`InputBoundaryMiddleware`: a NUL character anywhere in the path, the query string, a JSON
  body (strings and keys) or a form body (urlencoded or the fields of a multipart body) → 422
  ``invalid_characters`` (PostgreSQL cannot store NUL in text, SQLite silently would); a multipart
  body Django cannot parse (no boundary, a broken one) → 422 ``invalid_multipart``. API paths get the
  JSON error shape, pages a short Chinese page with the code.
- :func:`check_lengths` (a ``pre_save`` receiver for every model of the project): a string longer than
  its ``CharField``'s ``max_length`` → 422 ``too_long`` (PostgreSQL refuses it with an error, SQLite
  ignores VARCHAR lengths and would store it), a NUL in any text → ``invalid_characters``.
- :func:`data_error_response`: the last line — a database ``DataError`` of those two kinds that still
  reaches a handler (a bulk write that bypassed ``save``) is the same 422, never a 500.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import DataError, models
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.html import escape

from onewindow.core.errors import Invalid

NUL_MESSAGE = "内容包含不允许的控制字符（NUL）"
MULTIPART_MESSAGE = "请求体格式有误：multipart 表单缺少或带有无效的 boundary"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def invalid_characters(field: str = "__all__") -> Invalid:
    return Invalid(NUL_MESSAGE, code="invalid_characters", details={field: ["不能包含 NUL 字符"]})


def too_long(field: str, limit: int) -> Invalid:
    return Invalid(
        f"内容过长：最多 {limit} 个字符",
        code="too_long",
        details={field: [f"最多 {limit} 个字符"]},
    )


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path or "__all__", value
    elif isinstance(value, dict):
        for key, inner in value.items():
            key = str(key)
            yield (f"{path}.{key}" if path else key), key
            yield from _strings(inner, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _strings(inner, f"{path}.{i}" if path else str(i))


def _nul_field(request: HttpRequest) -> str | None:
    """The first place of the request carrying a NUL, or None."""
    if "\x00" in request.path:
        return "path"
    query = request.META.get("QUERY_STRING", "")
    if "\x00" in query or b"\x00" in unquote_to_bytes(query):
        return "query"
    if request.method not in WRITE_METHODS:
        return None
    content_type = request.content_type or ""
    if content_type == "application/json" or content_type.endswith("+json"):
        try:
            body = request.body
        except Exception:  # too big, broken stream: the view's own handling answers
            return None
        if b"\x00" not in body and b"\\u0000" not in body.lower():
            return None
        try:
            data = json.loads(body)
        except ValueError:
            return None  # not JSON at all: the view's 400 bad_request
        for field, text in _strings(data):
            if "\x00" in text:
                return field
        return None
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, values in request.POST.lists():  # may raise MultiPartParserError
            if "\x00" in key:
                return key
            if any("\x00" in v for v in values):
                return key
        for key, uploads in request.FILES.lists():
            if any("\x00" in (getattr(u, "name", "") or "") for u in uploads):
                return key
    return None


def error_response(request: HttpRequest, exc: Invalid) -> HttpResponse:
    if request.path.startswith(("/api/", "/open311/")):
        return JsonResponse(exc.as_dict(), status=exc.status)
    body = (
        '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>填写有误</title>'
        f"<h1>填写有误</h1><p>{escape(exc.message)}</p><p><code>{escape(exc.code)}</code></p>"
        "<p>请返回上一页修改后重新提交。</p></html>"
    )
    return HttpResponse(body, status=exc.status, content_type="text/html; charset=utf-8")


class InputBoundaryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            field = _nul_field(request)
        except SuspiciousOperation as exc:
            # Too big, too many fields. The body cannot be read a second time, so answer here as the
            # API's handlers would (413 / 400); pages get Django's 400 for a SuspiciousOperation.
            if not request.path.startswith(("/api/", "/open311/")):
                raise
            if isinstance(exc, RequestDataTooBig):
                limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
                body = {"code": "payload_too_large", "message": "请求体过大", "details": {"max_bytes": limit}}
                return JsonResponse({"error": body}, status=413)
            body = {"code": "bad_request", "message": "请求格式有误", "details": {}}
            return JsonResponse({"error": body}, status=400)
        except MultiPartParserError:
            broken = Invalid(MULTIPART_MESSAGE, code="invalid_multipart", details={"__all__": ["multipart"]})
            return error_response(request, broken)
        if field is not None:
            return error_response(request, invalid_characters(field))
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        exc = invalid_from_data_error(exception)
        return error_response(request, exc) if exc is not None else None


def invalid_from_data_error(exception: BaseException) -> Invalid | None:
    """The 422 for a database refusal of NUL or of an over-long value, else None."""
    if not isinstance(exception, DataError):
        return None
    text = str(exception)
    if "NUL" in text:
        return invalid_characters()
    if "too long" in text:
        return Invalid("内容过长", code="too_long", details={"__all__": ["超过字段长度"]})
    return None


def check_lengths(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """``pre_save``: the lengths PostgreSQL enforces, enforced on SQLite too; no NUL in any text."""
    if not sender.__module__.startswith("onewindow."):
        return
    for field in sender._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField):
            continue
        value = getattr(instance, field.attname, None)
        if not isinstance(value, str):
            continue
        if "\x00" in value:
            raise invalid_characters(field.name)
        limit = getattr(field, "max_length", None)
        if isinstance(field, models.CharField) and limit and len(value) > limit:
            raise too_long(field.name, limit)


class PrivateNoStoreMiddleware:
    """Every response to a logged-in user (staff or resident, session or Bearer token) may carry full
    personal data — case pages, resident pages, documents, uploads, the API — and is sent with
    ``Cache-Control: private, no-store`` so that no browser, proxy or shared computer keeps a copy.
    Static files are answered by WhiteNoise before this runs; anonymous public pages keep their
    caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if getattr(user, "is_authenticated", False) or request.headers.get("Authorization"):
            if "no-store" not in response.get("Cache-Control", ""):
                response["Cache-Control"] = "private, no-store"
            response.headers.pop("Expires", None)
        return response
