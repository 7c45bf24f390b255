"""What every part of the league-scale benchmark shares: paths, database names, the port, the log."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

T0 = time.perf_counter()
ROOT = Path(__file__).resolve().parent.parent.parent
APP_DB = os.environ.get("BENCH_DB", "ow_bench")
# pgbench's own database, named after the application's (never the same one)
PGBENCH_DB = APP_DB.replace("ow_bench", "ow_pgbench") if "ow_bench" in APP_DB else f"{APP_DB}_pgbench"
PORT = int(os.environ.get("BENCH_PORT", "8766"))
TZ = dt.timezone(dt.timedelta(hours=8))
UTC = dt.UTC


def log(msg: str) -> None:
    print(f"[{time.perf_counter() - T0:6.1f}s] {msg}", flush=True)
