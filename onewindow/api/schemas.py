from __future__ import annotations

from typing import Any, Generic, TypeVar

from ninja import Schema

T = TypeVar("T")


class ErrorDetail(Schema):
    code: str
    message: str
    details: dict[str, Any] = {}


class Error(Schema):
    error: ErrorDetail


class Page(Schema, Generic[T]):
    items: list[T]
    count: int


ERRORS_PUBLIC: dict[int, Any] = {400: Error, 404: Error, 422: Error}
ERRORS_AUTH: dict[int, Any] = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error}


def paginate(qs: Any, page: int, page_size: int) -> tuple[list[Any], int]:
    from onewindow.errors import Invalid

    if page < 1:
        raise Invalid("页码从1开始", code="invalid", details={"page": ["应≥1"]})
    if not 1 <= page_size <= 200:
        raise Invalid("每页条数应在1到200之间", code="invalid", details={"page_size": ["应在1到200之间"]})
    count = qs.count() if hasattr(qs, "count") and not isinstance(qs, list) else len(qs)
    start = (page - 1) * page_size
    return list(qs[start : start + page_size]), count
