"""Benchmark for the hot rows of an intake (issue #18): statements per intake and 8-thread throughput.

In-process through Django's test client (full middleware, bearer token, ninja, ORM), on the database
given by DATABASE_URL (PostgreSQL: that is where concurrent intakes can run at once). Each thread has
its own client and connection. Prints one JSON line:

- ``statements_per_intake``: statements on the request's connection (Django's execute wrapper), plus
  ``numbering_statements_per_intake`` on the numbering connection (onewindow.core.counters, if any);
- ``intakes_per_second`` with ``--threads`` threads doing ``--per-thread`` intakes each, ``errors``.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ow_bench python bench/hotrows_bench.py
    # the same on another checkout (e.g. before a change): --root /path/to/checkout
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from demo_intake import demo_intake, intake_body


def _setup(root: Path) -> dict[str, Any]:
    sys.path.insert(0, str(root))
    os.environ.setdefault("ONEWINDOW_DATA_DIR", tempfile.mkdtemp(prefix="ow-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from onewindow.demo.loader import load_demo

    call_command("migrate", verbosity=0)
    load_demo()
    return demo_intake()


def _body(ctx: dict[str, Any], n: int) -> str:
    return json.dumps(intake_body(ctx, f"15252219{60 + n % 40:02d}01{(n // 40) % 28 + 1:02d}{n % 1000:03d}"))


def _post(client: Any, ctx: dict[str, Any], n: int) -> int:
    r = client.post("/api/v1/cases", _body(ctx, n), content_type="application/json", **ctx["headers"])
    return int(r.status_code)


def _statements(ctx: dict[str, Any], n: int) -> tuple[float, float]:
    from django.db import connection
    from django.test import Client

    counts = {"default": 0, "numbering": 0}

    def counter(name: str) -> Any:
        def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            counts[name] += 1
            return execute(sql, params, many, context)

        return wrapper

    client = Client()
    for i in range(5):  # warm-up
        _post(client, ctx, 900_000 + i)
    extra: list[Any] = []
    try:
        from onewindow.core import counters

        if hasattr(counters, "numbering_connection"):
            extra.append(counters.numbering_connection().execute_wrapper(counter("numbering")))
    except ImportError:  # pragma: no cover
        pass
    with connection.execute_wrapper(counter("default")):
        for c in extra:
            c.__enter__()
        try:
            for i in range(n):
                assert _post(client, ctx, 800_000 + i) == 201
        finally:
            for c in extra:
                c.__exit__(None, None, None)
    return counts["default"] / n, counts["numbering"] / n


def _lock_waits(stop: threading.Event, seen: dict[str, int]) -> None:
    """Sample (every 10 ms) which statements wait for a lock (PostgreSQL ``pg_stat_activity``)."""
    from django.db import connection

    sql = (
        "SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 70) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    try:
        with connection.cursor() as cur:
            while not stop.is_set():
                cur.execute(sql)
                seen["samples"] = seen.get("samples", 0) + 1
                for (query,) in cur.fetchall():
                    seen[query] = seen.get(query, 0) + 1
                time.sleep(0.01)
    finally:
        connection.close()


def _throughput(ctx: dict[str, Any], threads: int, per_thread: int) -> tuple[float, int, dict[str, int]]:
    from django.db import connection, connections
    from django.test import Client

    barrier = threading.Barrier(threads + 1)
    errors: list[int] = []
    waits: dict[str, int] = {}
    stop = threading.Event()
    sampler = threading.Thread(target=_lock_waits, args=(stop, waits))

    def work(t: int) -> None:
        client = Client(raise_request_exception=False)
        _post(client, ctx, 700_000 + t * 1000 + 999)  # connect and warm up before the clock starts
        barrier.wait()
        try:
            for j in range(per_thread):
                code = _post(client, ctx, 700_000 + t * 1000 + j)
                if code != 201:
                    errors.append(code)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for th in pool:
        th.start()
    barrier.wait()
    t0 = time.perf_counter()
    if connection.vendor == "postgresql":
        sampler.start()
    for th in pool:
        th.join()
    elapsed = time.perf_counter() - t0
    stop.set()
    if sampler.is_alive():
        sampler.join()
    return threads * per_thread / elapsed, len(errors), waits


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", default=str(Path(__file__).resolve().parent.parent))
    parser.add_argument("--statements-n", type=int, default=20)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--per-thread", type=int, default=25)
    parser.add_argument(
        "--without-ledger-rollups",
        action="store_true",
        help="disconnect the ledger's in-transaction rollup of case events (what is left without them)",
    )
    args = parser.parse_args()
    ctx = _setup(Path(args.root))
    if args.without_ledger_rollups:
        from onewindow.core import signals

        assert signals.case_event_recorded.disconnect(dispatch_uid="ledger_case_event")
    from django.db import connection

    per_default, per_numbering = _statements(ctx, args.statements_n)
    one_rate, one_errors, _ = _throughput(ctx, 1, args.per_thread)
    rate, errors, waits = _throughput(ctx, args.threads, args.per_thread)
    samples = max(1, waits.pop("samples", 0))
    # average number of backends waiting for a row lock, by the statement that waits
    waiting = {q: round(k / samples, 2) for q, k in sorted(waits.items(), key=lambda kv: -kv[1])[:6]}
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "root": args.root,
                "ledger_rollups_in_transaction": not args.without_ledger_rollups,
                "statements_per_intake": round(per_default, 2),
                "numbering_statements_per_intake": round(per_numbering, 2),
                "intakes_per_second_1_thread": round(one_rate, 1),
                "threads": args.threads,
                "intakes_per_second": round(rate, 1),
                "errors": errors + one_errors,
                "avg_backends_waiting_for_a_lock": round(sum(waits.values()) / samples, 2),
                "waiting_statements": waiting,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
