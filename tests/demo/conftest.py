"""The demo county, loaded once for the whole ``tests/demo`` package inside a transaction that is
rolled back at the end (each test still runs in its own savepoint)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from onewindow.demo.loader import load_demo
from tests.support import rolled_back


@pytest.fixture(scope="package")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, int]]:
    with rolled_back(django_db_blocker):
        yield load_demo()
