"""`make bench`: run the benchmarks on SQLite and, when reachable, PostgreSQL; print one line each."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(env_extra: dict[str, str]) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "ONEWINDOW_DATA_DIR"}}
    env.update(env_extra)
    subprocess.run([sys.executable, str(HERE / "intake_bench.py"), "--n", "200"], env=env, check=True)
    subprocess.run([sys.executable, str(HERE / "queue_bench.py"), "--requests", "300"], env=env, check=True)


def main() -> None:
    run({})
    pg = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/ow_bench")
    created = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-qc",
            "DROP DATABASE IF EXISTS ow_bench",
            "-c",
            "CREATE DATABASE ow_bench",
        ],
        check=False,
    )
    if created.returncode == 0:
        run({"DATABASE_URL": pg})
    else:
        print("PostgreSQL not reachable: skipped")


if __name__ == "__main__":
    main()
