"""`make bench`: the league-scale benchmark on PostgreSQL (bench/scale_bench.py). At the default 1 M
cases it takes longer than 10 minutes on 2 cores (the load alone 5-9 min);
BENCH_CASES=100000 takes about 6.

    python bench/run.py                 # scale_bench.py: 1 M cases, intake at 1/8/32 clients, pgbench
    python bench/run.py --quick         # also the older small benchmarks (in-process intake, tickets)
                                        # on SQLite and PostgreSQL
Environment: BENCH_PG (server URL without database, default postgres://postgres@127.0.0.1:5432),
BENCH_CASES (default 1000000), BENCH_DB (application database, default ow_bench),
BENCH_BASELINE (a git revision also served and measured for intake in the same run, with
BENCH_BASELINE_WORKERS × BENCH_BASELINE_THREADS, default 3 × 4: what `onewindow serve` ran before issue
#18), BENCH_POOL (psycopg pool size per process of the pool-vs-persistent comparison, default 2; 0 = skip),
BENCH_SECONDS (per load level, default 10), BENCH_ROUNDS (with a baseline: each level in this many
rounds per tree, the two servers side by side and the rounds alternating; default 2),
BENCH_WORKERS / BENCH_THREADS (gunicorn for every tree served;
default: this tree's `onewindow serve` defaults),
BENCH_PORT (default 8766; the baseline, pool and 10 k-copy servers use the next three ports),
BENCH_READS_ONLY=1 (load, then only the reads at 10,000 cases and at BENCH_CASES:
bench/results/<date>-reads.md).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def quick(env_extra: dict[str, str]) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "ONEWINDOW_DATA_DIR"}}
    env.update(env_extra)
    subprocess.run([sys.executable, str(HERE / "intake_bench.py"), "--n", "200"], env=env, check=True)
    subprocess.run([sys.executable, str(HERE / "queue_bench.py"), "--requests", "300"], env=env, check=True)


def main() -> int:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "ONEWINDOW_DATA_DIR"}}
    subprocess.run([sys.executable, str(HERE / "scale_bench.py")], env=env, check=True)
    if "--quick" in sys.argv[1:]:
        quick({})
        base = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
        created = subprocess.run(
            [
                sys.executable,
                "-c",
                f"import psycopg; c = psycopg.connect('{base}/postgres', autocommit=True); "
                "c.execute('DROP DATABASE IF EXISTS ow_bench_quick WITH (FORCE)'); "
                "c.execute('CREATE DATABASE ow_bench_quick')",
            ],
            check=False,
        )
        if created.returncode == 0:
            quick({"DATABASE_URL": f"{base}/ow_bench_quick"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
