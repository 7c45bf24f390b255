"""The fold: the worker adds the logged events (``log.LedgerEvent``) to the rollups.

``fold()`` repeats, until the log is drained, one transaction that
  1. locks the single watermark row (``log.lock_mark``) — two folds never interleave; a second one
     waits (worker) or gives up at once (``wait=False``, a dashboard read);
  2. notes the time, reads up to ``LEDGER_FOLD_BATCH`` events in id order (all committed ones);
  3. computes their measures from the referenced rows with the same functions as the rebuild
     (``rollup.case_event_facts`` for timeline entries; for a ticket, rating, complaint or proxy
     request its current contribution minus the ``Contribution`` snapshot, which is then updated);
  4. adds the sums to the fine (``Fact``), fine-month (``MonthFact``) and coarse day and month
     (``CoarseFact``) rows — read, add, ``bulk_update`` / ``bulk_create``: only the fold and the
     rebuild write these rows, both under the watermark lock;
  5. deletes the folded events and, when the log was drained, sets ``FoldMark.as_of`` to the time of
     step 2: every event committed before it is in the rollups.
A fold that fails rolls back whole: its events stay and the next fold takes them. Running it twice
(concurrently or not) counts nothing twice.

Cadence: after a commit that logged an event, the process enqueues ``tasks.ledger_fold`` to run
``LEDGER_FOLD_SECONDS`` later (at most once per that interval per process: ``receivers.kick``), and
the worker sweeps every minute besides. Reads fold too when the backlog is at most
``LEDGER_FOLD_ON_READ`` events (:func:`fresh`), so a supervisor never sees stale figures silently.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.utils import timezone

from onewindow.core import ledger_contrib
from onewindow.core.durability import lazy_commit
from onewindow.ledger import log, rollup
from onewindow.ledger.models import MEASURE_NAMES, CoarseFact, Contribution, Fact, LedgerEvent, MonthFact
from onewindow.ledger.rollup import Dims, Measures

CHUNK = 500  # keys per IN (...) (SQLite's variable limit)


def fold(*, wait: bool = True, batch: int | None = None) -> int:
    """Fold every logged event into the rollups; the number folded. See the module docstring."""
    size = max(1, int(batch or settings.LEDGER_FOLD_BATCH))
    total = 0
    while True:
        with lazy_commit():  # a fold lost in a crash leaves its events in the log: folded again
            drained, n = _fold_batch(size, wait)
        total += n
        if drained:
            return total


def fresh() -> dt.datetime | None:
    """For a read: fold first when the backlog is small (``LEDGER_FOLD_ON_READ``; never waiting for
    another fold), then the time the figures are complete as of ("数据截至"). Nothing pending: now."""
    limit = int(settings.LEDGER_FOLD_ON_READ)
    checked = timezone.now()
    pending = log.backlog(limit)
    if pending == 0:
        return checked
    if pending <= limit:
        fold(wait=False, batch=limit + 1)
    return log.as_of()


def _fold_batch(size: int, wait: bool) -> tuple[bool, int]:
    mark = log.lock_mark(wait=wait)
    if mark is None:  # another fold holds the mark: it folds these events
        return True, 0
    started = timezone.now()
    events = list(LedgerEvent.objects.order_by("id").values_list("id", "kind", "object_id")[:size])
    if events:
        apply(_measures(events))
        ids = [e[0] for e in events]
        for i in range(0, len(ids), CHUNK):
            LedgerEvent.objects.filter(id__in=ids[i : i + CHUNK]).delete()
        mark.last_event = max(ids)
        mark.folded += len(events)
    drained = len(events) < size
    if drained:
        mark.as_of = started
    mark.save()
    return drained, len(events)


def _measures(events: list[tuple[int, str, int]]) -> list[tuple[Dims, Measures]]:
    out: list[tuple[Dims, Measures]] = []
    by_kind: dict[str, set[int]] = defaultdict(set)
    for _id, kind, object_id in events:
        by_kind[kind].add(object_id)
    case_ids = sorted(by_kind.pop("case", set()))
    cal = rollup._Calendar()
    for i in range(0, len(case_ids), CHUNK):
        qs = rollup.case_events().filter(pk__in=case_ids[i : i + CHUNK]).order_by("pk")
        out.extend(rollup.case_event_facts(qs, cal))
    for kind, ids in by_kind.items():
        out.extend(_contribution_changes(kind, sorted(ids)))
    return out


def _contribution_changes(kind: str, ids: list[int]) -> list[tuple[Dims, Measures]]:
    """Each object's current contribution minus its snapshot; the snapshots are brought up to date.
    An object no longer there contributes nothing (as in the rebuild)."""
    model = ledger_contrib.model(kind)
    if model is None or kind not in rollup.CONTRIBUTORS:
        return []
    out: list[tuple[Dims, Measures]] = []
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        objs = {o.pk: o for o in model.objects.select_related(*rollup._SELECT[kind]).filter(pk__in=chunk)}
        snaps = {c.object_id: c for c in Contribution.objects.filter(kind=kind, object_id__in=chunk)}
        changed, created = [], []
        for pk in chunk:
            new = rollup.CONTRIBUTORS[kind](objs[pk]) if pk in objs else {}
            snap = snaps.get(pk)
            old = snap.data if snap is not None else {}
            out.extend(rollup.contribution_diff(old or {}, new))
            if snap is None:
                if pk in objs:
                    created.append(Contribution(kind=kind, object_id=pk, data=new))
            elif pk not in objs:
                snap.delete()
            elif new != old:
                snap.data = new
                changed.append(snap)
        Contribution.objects.bulk_update(changed, ["data"])
        Contribution.objects.bulk_create(created)
    return out


def apply(changes: list[tuple[Dims, Measures]]) -> None:
    """Add the measures to every rollup row they touch (fine day and month, coarse day and month)."""
    rows: dict[Any, dict[str, tuple[dict[str, Any], dict[str, int]]]] = {
        Fact: {},
        MonthFact: {},
        CoarseFact: {},
    }

    def add(model: Any, key: str, fields: dict[str, Any], m: Measures) -> None:
        entry = rows[model].setdefault(key, (fields, defaultdict(int)))
        for k, v in m.items():
            entry[1][k] += v

    for dims, m in changes:
        m = {k: v for k, v in m.items() if v and k in MEASURE_NAMES}
        if not m:
            continue
        add(Fact, dims.key, dims.fields(), m)
        first = dataclasses.replace(dims, day=dims.day.replace(day=1))
        add(MonthFact, first.key, first.fields(), m)
        for grain in rollup.GRAINS:
            add(CoarseFact, dims.coarse_key(grain), dims.coarse_fields(grain), m)
    for model, by_key in rows.items():
        _write(model, by_key)


def _write(model: Any, by_key: dict[str, tuple[dict[str, Any], dict[str, int]]]) -> None:
    keys = sorted(by_key)
    for i in range(0, len(keys), CHUNK):
        chunk = keys[i : i + CHUNK]
        existing = {o.key: o for o in model.objects.filter(key__in=chunk)}
        updated: list[Any] = []
        created: list[Any] = []
        touched: set[str] = set()
        for key in chunk:
            fields, m = by_key[key]
            row = existing.get(key)
            if row is None:
                created.append(model(key=key, **fields, **m))
                continue
            for k, v in m.items():
                setattr(row, k, getattr(row, k) + v)
            touched.update(m)
            updated.append(row)
        if updated:
            model.objects.bulk_update(updated, sorted(touched))
        model.objects.bulk_create(created)
