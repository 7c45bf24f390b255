"""Benchmark: ticket issuance and calling over HTTP against a real gunicorn server on loopback.

Starts `onewindow serve` on a fresh database (SQLite by default, DATABASE_URL for PostgreSQL) with the
demo county, then measures tickets/s with 1, 8 and 32 concurrent clients (POST /api/v1/tickets), and
calls/s with 1 client (POST /api/v1/windows/{id}/call-next). Bounded: a fixed number of requests.

    python bench/queue_bench.py [--requests 400]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = 8765


def post(url: str, body: dict[str, object] | None = None, token: str = "") -> tuple[int, dict[str, object]]:
    data = json.dumps(body or {}).encode()
    req = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/json"})
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    env = dict(os.environ)
    env.setdefault("ONEWINDOW_DATA_DIR", tempfile.mkdtemp(prefix="ow-qbench-"))
    env["QUEUE_ENFORCE_HOURS"] = "0"
    ow = [sys.executable, "-m", "onewindow.cli"]
    subprocess.run([*ow, "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    subprocess.run([*ow, "demo"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    token = subprocess.run(
        [*ow, "token", "create", "clerk"], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    probe = (
        "from onewindow.org.access import staff_of; from django.contrib.auth.models import User; "
        "s = staff_of(User.objects.get(username='clerk')); "
        "print(s.centre.code, s.centre.windows.filter(kind='comprehensive').first().pk)"
    )
    out = subprocess.run(
        [*ow, "shell", "-c", probe], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    window_id = out.stdout.strip().splitlines()[-1]
    centre, wid = window_id.split()
    server = subprocess.Popen(
        [*ow, "serve", "--port", str(PORT), "--workers", "2", "--threads", "8"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{PORT}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        results: dict[str, float] = {}
        for clients in (1, 8, 32):
            n = args.requests
            t0 = time.perf_counter()
            with ThreadPoolExecutor(max_workers=clients) as pool:
                codes = list(
                    pool.map(
                        lambda _i: post(
                            base + "/api/v1/tickets", {"centre": centre, "category": "comprehensive"}
                        )[0],
                        range(n),
                    )
                )
            dt = time.perf_counter() - t0
            assert all(c == 201 for c in codes), codes[:5]
            results[f"tickets_per_s_{clients}_clients"] = round(n / dt, 1)
        n = 200
        t0 = time.perf_counter()
        for _ in range(n):
            code, _body = post(f"{base}/api/v1/windows/{wid}/call-next", token=token)
            assert code == 200, code
        results["calls_per_s_1_client"] = round(n / (time.perf_counter() - t0), 1)
        results["database"] = "postgresql" if env.get("DATABASE_URL") else "sqlite"  # type: ignore[assignment]
        print(json.dumps(results))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
