"""onewindow.core.prepared: a look-up compiled once answers what ``queryset.first()`` answers — the same
row, the same select_related instance, the same converted values — in one statement, for any values."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onewindow.api.models import ApiToken
from onewindow.api.tokens import token_create, token_lookup
from onewindow.core.prepared import PreparedFirst

pytestmark = pytest.mark.django_db

by_name: PreparedFirst[ApiToken] = PreparedFirst(
    lambda name: ApiToken.objects.select_related("user").filter(name=name, revoked_at__isnull=True), 1
)


def _fields(obj: Any) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_same_row_and_related_instance_as_first_for_any_value() -> None:
    user = get_user_model().objects.create_user("prep", password="x" * 12, is_active=True)
    other = get_user_model().objects.create_user("prep2", password="x" * 12)
    for name, owner in (("a", user), ("b", other)):
        row, _key = token_create(username=owner.get_username(), name=name)
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now() - dt.timedelta(hours=1))
    for name in ("a", "b", "a"):
        expected = ApiToken.objects.select_related("user").filter(name=name, revoked_at__isnull=True).first()
        with CaptureQueriesContext(connection) as queries:
            got = by_name(name)
            assert got is not None and got.user.username  # the user came with the row
        assert len(queries) == 1
        assert _fields(got) == _fields(expected) and _fields(got.user) == _fields(expected.user)
        assert isinstance(got.last_used_at, dt.datetime) and got.last_used_at.tzinfo is not None
        assert not got._state.adding and got._state.db == "default"
    assert by_name("nobody") is None


def test_token_lookup_still_sees_a_revocation_at_once() -> None:
    get_user_model().objects.create_user("prep3", password="x" * 12)
    row, key = token_create(username="prep3")
    found = token_lookup(key)
    assert found is not None and found.pk == row.pk and found.user.username == "prep3"
    ApiToken.objects.filter(pk=row.pk).update(revoked_at=timezone.now())
    assert token_lookup(key) is None


def _raises(fn: Any) -> bool:
    try:
        fn()
    except TransactionManagementError:
        return True
    return False


@pytest.mark.django_db(transaction=True)
def test_select_for_update_needs_a_transaction_like_the_queryset() -> None:
    def query(name: str) -> Any:
        return ApiToken.objects.select_for_update().filter(name=name).order_by("pk")

    locked: PreparedFirst[ApiToken] = PreparedFirst(query, 1)
    assert _raises(lambda: locked("x")) == _raises(lambda: query("x").first())
    with transaction.atomic():
        assert locked("x") is None and query("x").first() is None


def test_a_queryset_whose_parameters_are_not_the_values_is_refused() -> None:
    shifted: PreparedFirst[ApiToken] = PreparedFirst(
        lambda name: ApiToken.objects.filter(name=name + "!", read_only=True), 1
    )
    with pytest.raises(ValueError, match="not a prepared look-up"):
        shifted("x")
