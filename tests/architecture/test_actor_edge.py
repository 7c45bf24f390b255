"""The actor is resolved once, at the edge (docs/ARCHITECTURE.md "Who is acting"): services and selectors
take a typed ``Actor`` and never resolve the ``actor`` they were given (no ``actor_of(actor)``)."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "onewindow"


def _service_modules() -> list[Path]:
    return sorted(
        p
        for p in APP.rglob("*.py")
        if p.stem.startswith(("services", "selectors")) or p.parent.name == "services"
    )


def test_no_service_or_selector_resolves_its_actor_again() -> None:
    found = []
    for path in _service_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "actor_of"
                and node.args
                and getattr(node.args[0], "id", None) == "actor"
            ):
                found.append(f"{path.relative_to(APP.parent)}:{node.lineno}")
    assert len(_service_modules()) > 20 and found == []
