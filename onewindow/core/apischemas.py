from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from ninja import Schema
from pydantic import ConfigDict, model_validator

from onewindow.core.errors import Invalid

T = TypeVar("T")


class BodyIn(Schema):
    """Base of request bodies: an unknown field is a 422 (``details`` names it), not silently dropped,
    and a body that is not a JSON object (``[...]``, ``"x"``, ``1``) is a 422 even when every field
    has a default (ninja's schemas read attributes, so a list would otherwise pass as "all defaults")."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _json_object(cls, data: Any) -> Any:
        if not isinstance(getattr(data, "_obj", data), dict):
            raise ValueError("请求体应为 JSON 对象")
        return data


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


def responses(ok: Any, *codes: int, status: int = 200, public: bool = False) -> dict[int, Any]:
    """An operation's ``response=``: ``ok`` under ``status`` (201 for a creation), the usual errors
    (``ERRORS_PUBLIC`` for a public operation, else ``ERRORS_AUTH``) and ``Error`` under each of
    ``codes`` (409 conflict, 429 rate limited, ...)."""
    return {status: ok, **(ERRORS_PUBLIC if public else ERRORS_AUTH), **dict.fromkeys(codes, Error)}


def row_out(schema: type[Schema], row: Any, **given: Any) -> dict[str, Any]:
    """``row`` as the body ``schema`` declares: every field of the schema (keyed by its alias, if any)
    is the value ``given`` for it by name, else ``row``'s attribute of that name. The schema is the one
    list of the fields; the caller gives only what is computed (codes of related rows, labels, ...)."""
    return {
        field.alias or name: given[name] if name in given else getattr(row, name)
        for name, field in schema.model_fields.items()
    }


def fields_of(payload: Schema | None, service: Callable[..., Any], *texts: str) -> dict[str, Any]:
    """A request body's fields as ``service``'s keyword arguments (nested bodies as dicts), the
    optional texts named in ``texts`` as "" when not given; no body, no fields. A body field ``service``
    has no keyword for is a programming error named here (:func:`unmatched_fields`; ``tests/api`` checks
    every operation), not a bare ``TypeError`` from the call."""
    if payload is None:
        return {}
    missing = unmatched_fields(type(payload), service)
    if missing:
        raise TypeError(
            f"{type(payload).__name__}: {', '.join(missing)} not a keyword of {service.__qualname__}"
        )
    return payload.dict() | {name: getattr(payload, name) or "" for name in texts}


@functools.cache
def unmatched_fields(schema: type[Schema], service: Callable[..., Any]) -> tuple[str, ...]:
    """The fields of ``schema`` that ``service`` takes no keyword for (none when it takes ``**kw``)."""
    params = inspect.signature(service).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return ()
    keywords = {p.name for p in params if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)}
    return tuple(name for name in schema.model_fields if name not in keywords)


class PageQuery(Schema):  # ?page=&page_size= of a list (pages from 1, at most 200 rows a page)
    page: int = 1
    page_size: int = 50


def page_of(qs: Any, query: Any, out: Callable[[Any], Any]) -> dict[str, Any]:
    """Page ``query.page`` (of ``query.page_size`` rows) of ``qs`` as ``Page``: ``{"items": [out(row)...],
    "count": N}``."""
    rows, count = paginate(qs, query.page, query.page_size)
    return {"items": [out(row) for row in rows], "count": count}


def paginate(qs: Any, page: int, page_size: int) -> tuple[list[Any], int]:
    if page < 1:
        raise Invalid("页码从1开始", code="invalid", details={"page": ["应≥1"]})
    if not 1 <= page_size <= 200:
        raise Invalid("每页条数应在1到200之间", code="invalid", details={"page_size": ["应在1到200之间"]})
    count = qs.count() if hasattr(qs, "count") and not isinstance(qs, list) else len(qs)
    start = (page - 1) * page_size
    if start >= count:  # past the end: no query (an OFFSET beyond the database's integer range is a 500)
        return [], count
    return list(qs[start : start + page_size]), count
