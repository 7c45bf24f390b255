"""Race-free sequence numbers kept in a counter row (case numbers, queue tickets).

The UPDATE ``last = last + 1`` takes the row lock inside the caller's transaction, so concurrent callers
get distinct values; the first caller of a new key creates the row (a lost create race retries).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Model

from onewindow.core.errors import Conflict


def next_value(model: type[Model], **key: Any) -> int:
    manager = model._default_manager
    for _attempt in range(5):
        if manager.filter(**key).update(last=F("last") + 1):
            return int(manager.filter(**key).values_list("last", flat=True).get())
        try:
            with transaction.atomic():
                manager.create(**key, last=1)
            return 1
        except IntegrityError:
            continue
    raise Conflict("编号生成繁忙，请重试")
