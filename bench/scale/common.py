"""What every part of the league-scale benchmark shares: paths, database names, the port, the log."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

T0 = time.perf_counter()
ROOT = Path(__file__).resolve().parent.parent.parent
APP_DB = os.environ.get("BENCH_DB", "ow_bench")
PGBENCH_DB = APP_DB.replace("ow_bench", "ow_pgbench") if APP_DB != "ow_bench" else "ow_pgbench"
PORT = int(os.environ.get("BENCH_PORT", "8766"))
TZ = dt.timezone(dt.timedelta(hours=8))
UTC = dt.UTC


def log(msg: str) -> None:
    print(f"[{time.perf_counter() - T0:6.1f}s] {msg}", flush=True)
