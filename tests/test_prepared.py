"""onewindow.core.prepared: a look-up compiled once answers what ``queryset.first()`` answers — the same
row, the same select_related instance, the same converted values — in one statement, for any values;
a model's INSERT compiled once runs Django's own statement and sets what Django sets."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.functions import Now
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onewindow.api.models import ApiToken
from onewindow.api.tokens import token_create, token_lookup
from onewindow.core.prepared import CompiledInsert, PreparedFirst
from onewindow.ledger.models import LedgerEvent
from onewindow.org.models import Jurisdiction, Level, Resident

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


def _django_insert_sql(obj: Any) -> list[str]:
    """The statement Django's own ``_do_insert`` runs for ``obj`` (the mixin bypassed)."""
    with CaptureQueriesContext(connection) as queries:
        Model.save_base(obj, force_insert=True)
    return [q["sql"] for q in queries]


def test_compiled_insert_runs_djangos_statement_and_sets_what_django_sets(monkeypatch: Any) -> None:
    first = LedgerEvent(kind="case", object_id=1)
    first.save()  # compiles
    for i in range(2, 5):
        ev = LedgerEvent(kind="case", object_id=i)
        with CaptureQueriesContext(connection) as queries:
            ev.save()
        assert len(queries) == 1 and ev.pk is not None and not ev._state.adding
        assert _fields(LedgerEvent.objects.get(pk=ev.pk)) == _fields(ev)
    monkeypatch.setattr(CompiledInsert, "_do_insert", Model._do_insert)
    at = timezone.now()
    expected = _django_insert_sql(LedgerEvent(kind="case", object_id=9, created_at=at))
    monkeypatch.undo()
    with CaptureQueriesContext(connection) as queries:
        LedgerEvent(kind="case", object_id=9, created_at=at).save()
    assert [q["sql"] for q in queries] == expected


def test_compiled_insert_with_encrypted_fields_and_an_expression() -> None:
    j = Jurisdiction.objects.create(code="152522000000", name="测试", level=Level.COUNTY)
    people = [Resident(kind="person", name=f"张{i}", id_number=f"11010119900101{i:03d}X") for i in range(3)]
    for r in people:
        r.jurisdiction = j
        r.save()
        back = Resident.objects.get(pk=r.pk)
        assert (back.name, back.id_number, back.id_index) == (r.name, r.id_number, r.id_index)
    ev = LedgerEvent(kind="case", object_id=1, created_at=Now())  # an expression: Django's own path
    ev.save()
    assert isinstance(LedgerEvent.objects.get(pk=ev.pk).created_at, dt.datetime)
