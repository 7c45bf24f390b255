"""Benchmark: one acceptance request (POST /api/v1/cases) — median and p95 over N requests.

Runs in-process through Django's test client (the full middleware, auth, ninja and ORM path; no network),
on the database given by DATABASE_URL (or a fresh SQLite file in a temporary data directory).

    python bench/intake_bench.py [--n 200]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ow_bench python bench/intake_bench.py
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()
    os.environ.setdefault("ONEWINDOW_DATA_DIR", tempfile.mkdtemp(prefix="ow-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    import django

    django.setup()
    from demo_intake import demo_intake, intake_body
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from onewindow.demo.loader import load_demo

    call_command("migrate", verbosity=0)
    load_demo()
    ctx = demo_intake()
    client = Client()
    headers = ctx["headers"]
    timings: list[float] = []
    for i in range(args.n + 10):
        body = intake_body(ctx, f"152522199001{(i % 28) + 1:02d}{i % 1000:03d}")
        t0 = time.perf_counter()
        r = client.post("/api/v1/cases", json.dumps(body), content_type="application/json", **headers)
        dt_ms = (time.perf_counter() - t0) * 1000
        if r.status_code != 201:
            print(r.status_code, r.content[:500])
            return 1
        if i >= 10:  # warm-up excluded
            timings.append(dt_ms)
    timings.sort()
    result = {
        "database": connection.vendor,
        "n": len(timings),
        "median_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
