"""ninja names OpenAPI components by class name and keeps one per name: two schema classes with the same
name in different routers silently document one router's fields under the other's operations."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from ninja import Schema

import onewindow


def _api_modules() -> list[str]:
    """The ``api`` edge's modules and every app's router (``onewindow.<app>.api`` and its submodules)."""
    names = []
    for info in pkgutil.walk_packages(onewindow.__path__, "onewindow."):
        parts = info.name.split(".")
        in_api = parts[1] == "api" or (len(parts) > 2 and parts[2] == "api")
        if in_api and "migrations" not in parts and "management" not in parts:
            names.append(info.name)
    return names


def test_every_api_schema_class_name_is_unique() -> None:
    seen: dict[str, str] = {}
    clashes: list[str] = []
    for name in _api_modules():
        module = importlib.import_module(name)
        for name, obj in inspect.getmembers(module, inspect.isclass):
            if not issubclass(obj, Schema) or obj.__module__ != module.__name__:
                continue
            if name in seen and seen[name] != module.__name__:
                clashes.append(f"{name}: {seen[name]} and {module.__name__}")
            seen.setdefault(name, module.__name__)
    assert not clashes, clashes
    assert len(seen) > 40
