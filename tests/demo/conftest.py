"""The demo county, loaded once for the whole ``tests/demo`` package inside a transaction that is
rolled back at the end (each test still runs in its own savepoint)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from onewindow.demo.loader import load_demo


@pytest.fixture(scope="package")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, int]]:
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield load_demo()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
