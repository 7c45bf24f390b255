"""Statements and transactions of one request, grouped by where in the code they come from.

Runs requests in-process through Django's test client (the whole middleware, authentication, ninja
and ORM path) and records every SQL statement through ``connection.execute_wrapper``; the per-request
health check (``CONN_HEALTH_CHECKS``: a ``SELECT 1`` on the raw connection, outside the wrapper) is
counted by wrapping ``connection.is_usable`` and simulating the request boundary Django's handler
runs (``close_if_unusable_or_obsolete``). A statement outside ``atomic()`` is its own transaction;
the statements of one outermost ``atomic()`` block are one.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ow_stmts python bench/intake_statements.py
    python bench/intake_statements.py                 # creates ow_bench_stmts on BENCH_PG and loads the demo

Used by ``bench/scale_bench.py`` (``measure``) for the "statements per intake / transactions per intake"
rows of ``make bench``.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scratch import scratch_django  # noqa: E402


@dataclass
class Tally:
    statements: int = 0
    transactions: int = 0
    health_checks: int = 0
    status: int = 0
    origins: Counter[str] = field(default_factory=Counter)
    sql: list[str] = field(default_factory=list)


def _origin() -> str:
    """The innermost frame in the project (not a database helper): ``app/module.py:function``."""
    for frame in reversed(traceback.extract_stack()[:-3]):
        path = frame.filename.replace(os.sep, "/")
        if "/onewindow/" in path and "/site-packages/" not in path:
            rel = path.split("/onewindow/", 1)[1]
            if rel.startswith(("core/locking", "core/counters")) and "counters" not in rel:
                continue
            if rel.startswith(("core/prepared", "core/durability")):  # helpers: name their caller
                continue
            return f"{rel}:{frame.name}"
    return "django (framework)"


class Recorder:
    """``connection.execute_wrapper`` that counts statements and transactions."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.tally = Tally()
        self._block: Any = None

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        t = self.tally
        t.statements += 1
        t.origins[_origin()] += 1
        t.sql.append(" ".join(sql.split())[:160])
        conn = self.connection
        if conn.in_atomic_block and conn.atomic_blocks:
            if conn.atomic_blocks[0] is not self._block:
                self._block = conn.atomic_blocks[0]
                t.transactions += 1
        else:
            self._block = None
            t.transactions += 1
        return execute(sql, params, many, context)


def measure(
    requests: list[tuple[str, str, Any, Any, dict[str, str]]], *, repeat: int = 3
) -> dict[str, dict[str, Any]]:
    """For each ``(name, method, path, body, headers)``: the statements, transactions and health checks
    of one request (the last of ``repeat`` after one warm-up), and the statements by origin."""
    from django.db import connection
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    results: dict[str, dict[str, Any]] = {}
    original = connection.is_usable
    for name, method, route, body, headers in requests:
        tallies: list[Tally] = []
        for i in range(repeat + 1):
            rec = Recorder(connection)
            checks = [0]

            def is_usable(checks: list[int] = checks) -> bool:
                checks[0] += 1
                return bool(original())

            connection.is_usable = is_usable  # type: ignore[method-assign]
            try:
                connection.close_if_unusable_or_obsolete()  # the request boundary (request_started)
                b = body(i) if callable(body) else body
                path = route() if callable(route) else route
                with connection.execute_wrapper(rec):
                    if method == "POST":
                        r = client.post(path, json.dumps(b), content_type="application/json", **headers)
                    else:
                        r = client.get(path, **headers)
            finally:
                connection.is_usable = original  # type: ignore[method-assign]
            rec.tally.status = r.status_code
            if r.status_code >= 400:
                print(f"  {name}: answered {r.status_code} {r.content[:200]!r}", file=sys.stderr)
            rec.tally.health_checks = checks[0]
            if i:
                tallies.append(rec.tally)
        last = tallies[-1]
        results[name] = {
            "statements": last.statements,
            "transactions": last.transactions,
            "health_checks": last.health_checks,
            "status": last.status,
            "origins": dict(last.origins.most_common()),
            "sql": last.sql,
        }
    return results


def print_report(results: dict[str, dict[str, Any]], *, sql: bool = False) -> None:
    for name, r in results.items():
        print(
            f"{name} [HTTP {r['status']}]: {r['statements']} statements in {r['transactions']} transactions"
            f" (+ {r['health_checks']} health-check SELECT 1)"
        )
        for origin, n in r["origins"].items():
            print(f"  {n:3d}  {origin}")
        if sql:
            for s in r["sql"]:
                print(f"       {s}")


def demo_requests() -> list[tuple[str, str, Any, Any, dict[str, str]]]:
    """Intake, ticket issue and progress lookup on the demo county (clerk's token)."""
    from demo_intake import demo_intake, intake_body

    ctx = demo_intake()
    staff = ctx["staff"]

    def intake(i: int) -> dict[str, Any]:
        return intake_body(ctx, f"152522199002{(i % 28) + 1:02d}{i % 1000:03d}")

    from onewindow.cases.models import Case

    open_all_day(staff.centre)
    auth = ctx["headers"]
    reqs: list[tuple[str, str, Any, Any, dict[str, str]]] = [
        ("intake (POST /api/v1/cases)", "POST", "/api/v1/cases", intake, auth),
        (
            "ticket issue (POST /api/v1/tickets)",
            "POST",
            "/api/v1/tickets",
            {"centre": staff.centre.code, "category": "comprehensive"},
            {},
        ),
    ]

    def progress() -> str:  # the case the intake above created (phone 139…0000: check "0000")
        number = Case.objects.order_by("-pk").values_list("number", flat=True).first()
        return f"/api/v1/progress?number={number}&check=0000"

    return [*reqs, ("progress lookup (GET /api/v1/progress)", "GET", progress, None, {})]


def open_all_day(centre: Any) -> None:
    """Tickets are issued only while the centre is open: open it all day, every day (bench data)."""
    import datetime as dt

    from onewindow.org.models import OpeningHours

    OpeningHours.objects.filter(centre=centre).delete()
    OpeningHours.objects.create(
        centre=centre, weekdays="1234567", start=dt.time(0, 0), end=dt.time(23, 59, 59)
    )


def main() -> int:
    scratch_django("ow_bench_stmts", prefix="ow-stmts-")
    results = measure(demo_requests())
    print_report(results, sql="--sql" in sys.argv[1:])
    if "--json" in sys.argv[1:]:
        print(
            json.dumps(
                {
                    k: {kk: v[kk] for kk in ("statements", "transactions", "health_checks")}
                    for k, v in results.items()
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
