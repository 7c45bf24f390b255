"""A long list as Django's paginator reads it, sliced in two steps (domain-free).

``IdsFirst`` answers ``count()``, ``len()`` and slices: a slice reads the page's primary keys from
``walk`` (the ordered list: an index-only walk where the indexes allow it), then only those rows from
``fetch`` with their related rows — never one table row per candidate. Subclasses say how to count (a
tally, a rollup, a plain ``count()``). The attribute is not named ``ordered``: Django's paginator reads
``object_list.ordered`` and would evaluate a queryset there. Used by the case list
(``cases.selectors.ScopedPage``) and the cases behind a dashboard figure (``ledger.drill.CasePages``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet


class IdsFirst:
    def __init__(self, walk: QuerySet[Any], fetch: QuerySet[Any]) -> None:
        self.walk, self.fetch = walk, fetch

    def count(self) -> int:
        raise NotImplementedError

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[Any]:
        ids = list(self.walk.values_list("pk", flat=True)[window])
        rows = {row.pk: row for row in self.fetch.filter(pk__in=ids)}
        return [rows[pk] for pk in ids if pk in rows]
