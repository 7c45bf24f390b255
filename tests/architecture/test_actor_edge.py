"""The actor is resolved once, at the edge (docs/ARCHITECTURE.md "Who is acting"): services, selectors
and receivers take a typed ``Actor`` and never resolve the ``actor`` they were given (no ``actor_of(actor)``
anywhere in the application: an edge resolves a *user* or a request, never an actor it was handed)."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "onewindow"


def _modules() -> list[Path]:
    return sorted(p for p in APP.rglob("*.py") if "migrations" not in p.parts)


def _re_resolutions(source: str) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) == "actor_of"
        and node.args
        and getattr(node.args[0], "id", None) == "actor"
    ]


def test_the_check_sees_a_re_resolution() -> None:
    assert _re_resolutions("def f(actor):\n    actor = actor_of(actor)\n") == [2]
    assert _re_resolutions("def f(user):\n    actor = actor_of(user)\n") == []


def test_no_module_resolves_the_actor_it_was_given_again() -> None:
    found = [
        f"{path.relative_to(APP.parent)}:{line}"
        for path in _modules()
        for line in _re_resolutions(path.read_text(encoding="utf-8"))
    ]
    assert len(_modules()) > 100 and found == []
