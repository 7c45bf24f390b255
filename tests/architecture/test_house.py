"""The house rules of docs/ARCHITECTURE.md that a linter does not check: module and function size.

- No module of ``onewindow/`` or ``bench/`` outside migrations and data files is over
  ``MAX_MODULE_LINES`` lines: split it into a package by sub-domain before it becomes the file
  everyone touches.
- No function outside tests and data is over ``MAX_FUNCTION_LINES`` lines (decorators excluded):
  a state machine is a table of small handlers, a long view a few named steps.

``KNOWN`` lists what still breaks a rule; it must shrink, never grow — the test fails both when a new
offender appears and when a listed one has been fixed (remove it from the list).
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# The application and the benchmarks (bench/ is code that is read and changed too).
ROOTS = [REPO / "onewindow", REPO / "bench"]
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80

# Data, not code: exempt from both rules.
DATA_MODULES: set[str] = set()

KNOWN: set[str] = set()


def _modules() -> list[Path]:
    return sorted(
        p
        for root in ROOTS
        for p in root.rglob("*.py")
        if "migrations" not in p.parts and str(p.relative_to(REPO)) not in DATA_MODULES
    )


def offenders() -> set[str]:
    found: set[str] = set()
    for path in _modules():
        rel = str(path.relative_to(REPO))
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > MAX_MODULE_LINES:
            found.add(f"module {rel}")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found.add(f"function {rel}::{node.name}")
    return found


def test_no_module_or_function_past_the_limits() -> None:
    found = offenders()
    new = sorted(found - KNOWN)
    fixed = sorted(KNOWN - found)
    assert not new, f"past the size limits (split them): {new}"
    assert not fixed, f"fixed — remove from KNOWN in {__file__}: {fixed}"
