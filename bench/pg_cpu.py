"""PostgreSQL CPU of one intake, the worker's share included (issue #18), in-process.

Runs ``N`` intakes (``POST /api/v1/cases`` through Django's test client, the clerk's token) in chunks;
after each chunk it does what the worker does for them: runs the queued background tasks (delivering
the notifications, webhooks) and the folds that run every few seconds under load (ledger fold, audit
chain) and, conservatively, the tally compaction (every minute). Around each phase it reads the user +
system CPU of every PostgreSQL backend of the application database from ``/proc`` (10 ms ticks; the
phases add up over many intakes) and counts the statements and the commits.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ow_pg_cpu python bench/pg_cpu.py [N] [CHUNK] [--no-load]
    python bench/pg_cpu.py 1000 500    # creates ow_bench_pgcpu on BENCH_PG and loads the demo
    python bench/pg_cpu.py 1200 200 --ab        # chunks alternate: this revision / its #18 changes off
    python bench/pg_cpu.py 600 300 --profile    # also the request's statements' CPU by kind

Report: PostgreSQL CPU ms per intake (request side, worker side, total), statements per intake.
``CHUNK`` is how many intakes arrive between two folds (LEDGER_FOLD_SECONDS × the intake rate; 500 =
5 s at 100 intakes/s).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scratch import scratch_django  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def _backend_cpu(admin: Any, db: str) -> tuple[float, float]:
    """Seconds of CPU (user, system) of the live backends of ``db``."""
    pids = [r[0] for r in admin.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [db])]
    user = system = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        user += int(fields[11])  # utime, stime (counted after the state field)
        system += int(fields[12])
    return user / TICK, system / TICK


class Counter:
    """Counts statements; with ``pid`` also the backend's CPU ticks each kind of statement spent
    (sampled: a 10 ms tick falls into whichever statement runs; unbiased over many intakes)."""

    def __init__(self, pid: int = 0) -> None:
        self.statements = 0
        self.pid = pid
        self.ticks: dict[str, int] = {}

    def _now(self) -> int:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.statements += 1
        if not self.pid:
            return execute(sql, params, many, context)
        before = self._now()
        try:
            return execute(sql, params, many, context)
        finally:
            key = " ".join(sql.split()[:3])[:60]
            self.ticks[key] = self.ticks.get(key, 0) + self._now() - before


def _drain_queue() -> int:
    """Run every task waiting in huey's queue now (deliveries; a scheduled fold runs at once)."""
    from huey.contrib.djhuey import HUEY

    ran = 0
    while True:
        task = HUEY.dequeue()
        if task is None:
            return ran
        HUEY.execute(task)
        ran += 1


def _worker_chunk() -> None:
    from onewindow.ledger import fold
    from onewindow.security import audit

    _drain_queue()
    fold.fold()
    audit.chain()


def run(n: int, chunk: int) -> dict[str, Any]:
    import psycopg
    from demo_intake import demo_intake, intake_body
    from django.db import connection
    from django.test import Client
    from intake_statements import open_all_day

    from onewindow.cases import tally
    from onewindow.org.models import Resident

    ctx = demo_intake()
    offset = Resident.objects.count() // 100 % 900  # a rerun on the same database: other numbers
    open_all_day(ctx["staff"].centre)
    client = Client(HTTP_HOST="localhost")
    db = connection.settings_dict["NAME"]
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params["dbname"] = "postgres"
    admin = psycopg.connect(**{k: v for k, v in params.items() if k != "prepare_threshold"}, autocommit=True)

    def intake(i: int) -> None:  # a new applicant every time (born on one of 20,000 days, 1 of 999)
        born = dt.date(1950, 1, 1) + dt.timedelta(days=i % 20000)
        body = intake_body(ctx, f"152522{born:%Y%m%d}{i // 20000 + 1 + offset:03d}")
        r = client.post("/api/v1/cases", json.dumps(body), content_type="application/json", **ctx["headers"])
        if r.status_code != 201:
            raise SystemExit(f"intake answered {r.status_code}: {r.content[:300]!r}")

    for i in range(30):  # warm-up: caches, prepared statements
        intake(i)
    _worker_chunk()
    tally.compact()
    sides: dict[str, dict[str, Any]] = {}
    pid = connection.connection.info.backend_pid
    profile = Counter(pid) if "--profile" in sys.argv else None
    wprofile = Counter(pid) if "--profile" in sys.argv else None
    modes = [True, False] if "--ab" in sys.argv else [True]
    started = time.perf_counter()
    done = 0
    while done < n:
        for mode in modes:
            _set_mode(mode)
            side = sides.setdefault("this revision" if mode else "before (#18 changes off)", _side())
            k = min(chunk, n - done)
            c0 = _backend_cpu(admin, db)
            with connection.execute_wrapper(profile or side["req_stmts"]):
                for i in range(done, done + k):
                    intake(1000 + i)
            c1 = _backend_cpu(admin, db)
            with connection.execute_wrapper(wprofile or side["work_stmts"]):
                _worker_chunk()
                tally.compact()  # every minute in the worker: at 100 intakes/s after ~6000 intakes
            c2 = _backend_cpu(admin, db)
            side["n"] += k
            side["req"] += sum(c1) - sum(c0)
            side["req_sys"] += c1[1] - c0[1]
            side["work"] += sum(c2) - sum(c1)
            done += k
    _set_mode(True)
    out: dict[str, Any] = {"intakes": n, "chunk": chunk, "seconds": round(time.perf_counter() - started, 1)}
    out.update(_report(sides))
    for what, counter in (("request", profile), ("worker", wprofile)):
        if counter is not None:
            ms = {key: round(t * 1000 / TICK / n, 3) for key, t in counter.ticks.items()}
            ranked = dict(sorted(ms.items(), key=lambda kv: -kv[1]))
            out[f"{what} statements, backend CPU ms per intake"] = ranked
    return out


def _report(sides: dict[str, dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, side in sides.items():
        k = side["n"]
        out[name] = {
            "intakes": k,
            "pg_cpu_ms_request": round(side["req"] * 1000 / k, 3),
            "pg_cpu_ms_request_system": round(side["req_sys"] * 1000 / k, 3),
            "pg_cpu_ms_worker": round(side["work"] * 1000 / k, 3),
            "pg_cpu_ms_total": round((side["req"] + side["work"]) * 1000 / k, 3),
            "statements_request": round(side["req_stmts"].statements / k, 2),
            "statements_worker": round(side["work_stmts"].statements / k, 2),
        }
    return out


def _set_mode(new: bool) -> None:
    """This revision, or what it changes for PostgreSQL turned off: every commit synchronous
    (``core.durability``) and the ledger's timeline entries logged by the receiver's own INSERT
    instead of the trigger (``ledger.casetrigger``)."""
    from django.db import connection

    from onewindow.core import durability
    from onewindow.ledger import casetrigger

    durability.ENABLED = new
    casetrigger.active = (lambda: True) if new else (lambda: False)  # type: ignore[assignment]
    with connection.cursor() as cur:
        state = "ENABLE" if new else "DISABLE"
        cur.execute(f"ALTER TABLE cases_caseevent {state} TRIGGER {casetrigger.TRIGGER}")


def _side() -> dict[str, Any]:
    return {"n": 0, "req": 0.0, "req_sys": 0.0, "work": 0.0, "req_stmts": Counter(), "work_stmts": Counter()}


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    n = int(args[0]) if args else 1000
    chunk = int(args[1]) if len(args) > 1 else 500
    os.environ["HUEY_IMMEDIATE"] = "0"
    scratch_django("ow_bench_pgcpu", prefix="ow-pgcpu-", load="--no-load" not in sys.argv)
    import logging

    for name in ("onewindow.notify", "huey"):  # no console line per SMS, per task
        logging.getLogger(name).setLevel(logging.WARNING)
    print(json.dumps(run(n, chunk), ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
