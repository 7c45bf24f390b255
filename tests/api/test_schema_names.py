"""ninja names OpenAPI components by class name and keeps one per name: two schema classes with the same
name in different routers silently document one router's fields under the other's operations."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from ninja import Schema

import onewindow.api


def test_every_api_schema_class_name_is_unique() -> None:
    seen: dict[str, str] = {}
    clashes: list[str] = []
    for info in pkgutil.iter_modules(onewindow.api.__path__):
        module = importlib.import_module(f"onewindow.api.{info.name}")
        for name, obj in inspect.getmembers(module, inspect.isclass):
            if not issubclass(obj, Schema) or obj.__module__ != module.__name__:
                continue
            if name in seen and seen[name] != module.__name__:
                clashes.append(f"{name}: {seen[name]} and {module.__name__}")
            seen.setdefault(name, module.__name__)
    assert not clashes, clashes
    assert len(seen) > 40
