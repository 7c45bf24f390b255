"""``fields_of(payload, service)`` hands every field of an API request body to a service as a keyword:
a body field the service has no keyword for would be a ``TypeError`` (a 500) on the first request.
Every operation of every router that uses it is checked here, body schema against service signature."""

from __future__ import annotations

import ast
import contextlib
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


# The calls that hand a body to a service: (position of the service, position of the body) among the
# positional arguments. `serve`/`act`/`_case_write` end in `fields_of(payload, service)` at run time.
FEEDERS = {"fields_of": (1, 0), "serve": (1, 3), "_case_write": (1, 2), "act": (3, 5)}


def _namespace(view: Any, tree: ast.AST) -> dict[str, Any]:
    """What names in ``view`` stand for: its module, its closure, and its own simple assignments
    (``create, get = services.entrustment_create, services.entrustment_get``)."""
    names = {**view.__globals__, **inspect.getclosurevars(view).nonlocals}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            pairs = (
                zip(target.elts, node.value.elts, strict=False)
                if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple)
                else [(target, node.value)]
            )
            for t, v in pairs:
                if isinstance(t, ast.Name):
                    with contextlib.suppress(Exception):  # a value computed from the request: no service
                        names[t.id] = eval(ast.unparse(v), names)
    return names


def _fields_of_calls(view: Any) -> list[tuple[type, Any]]:
    """(body schema, service) of each call in ``view`` that feeds its body to a service."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(view)))
    hints = typing.get_type_hints(view)
    names = _namespace(view, tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in FEEDERS:
            at_service, at_payload = FEEDERS[node.func.id]  # type: ignore[attr-defined]
            if len(node.args) <= at_payload:
                continue  # no body given
            payload, service = node.args[at_payload], node.args[at_service]
            assert isinstance(payload, ast.Name) and payload.id in hints, ast.unparse(node)
            found.append((hints[payload.id], eval(ast.unparse(service), names)))
    return found


def test_every_body_field_is_a_keyword_of_its_service() -> None:
    calls = [
        (view, schema, service) for view in _view_functions() for schema, service in _fields_of_calls(view)
    ]
    assert len(calls) >= 20  # the walk sees them (cases, org, proxy, feedback, portal, queueing, ...)
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
