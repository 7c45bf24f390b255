"""``fields_of(payload, service)`` hands every field of an API request body to a service as a keyword:
a body field the service has no keyword for would be a ``TypeError`` (a 500) on the first request.
Every operation of every router that uses it is checked here, body schema against service signature."""

from __future__ import annotations

import ast
import inspect
import textwrap
import typing
from typing import Any

import pytest

from onewindow.api.api import api
from onewindow.core.apischemas import BodyIn, fields_of, unmatched_fields


def _view_functions() -> list[Any]:
    views = []
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            views.extend(op.view_func for op in path_view.operations)
    return views


def _fields_of_calls(view: Any) -> list[tuple[type, Any]]:
    """(body schema, service) of each ``fields_of(payload, service, ...)`` in ``view``."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(view)))
    hints = typing.get_type_hints(view)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "fields_of":
            payload, service = node.args[0], node.args[1]
            assert isinstance(payload, ast.Name), ast.unparse(node)
            found.append((hints[payload.id], eval(ast.unparse(service), view.__globals__)))
    return found


def test_every_body_field_is_a_keyword_of_its_service() -> None:
    calls = [
        (view, schema, service) for view in _view_functions() for schema, service in _fields_of_calls(view)
    ]
    assert len(calls) >= 13  # the walk sees the operations (cases, org, proxy)
    bad = {
        f"{view.__module__}.{view.__name__}": (schema.__name__, service.__qualname__, missing)
        for view, schema, service in calls
        if (missing := unmatched_fields(schema, service))
    }
    assert bad == {}


def test_a_field_without_a_keyword_is_named() -> None:
    class Body(BodyIn):
        note: str = ""
        colour: str = ""

    def service(*, note: str) -> None: ...

    with pytest.raises(TypeError, match=r"Body: colour not a keyword of .*service"):
        fields_of(Body(note="x"), service)
    assert fields_of(Body(note="x"), lambda **kw: None) == {"note": "x", "colour": ""}
