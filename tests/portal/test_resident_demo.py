from __future__ import annotations

from typing import Any

import pytest

from onewindow.portal.models import ResidentAccount

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_one_bound_account_idempotently(db: Any) -> None:
    from onewindow.demo.loader import load_demo

    load_demo()
    load_demo()
    account = ResidentAccount.objects.get()
    assert account.resident is not None and account.resident.name == "巴图孟和"
    assert account.phone == "13904799001" and not account.user.has_usable_password()
