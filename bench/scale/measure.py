"""The measurements: statements per request, load levels, pgbench, the servers (reads: ``reads.py``)."""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .common import PGBENCH_DB, log
from .people import id_number

CEILING = "bench_ceiling"


def intake_body(i: int, item: str, centre: str) -> dict[str, Any]:
    return {
        "item": item,
        "centre": centre,
        "channel": "window",
        "applicant": {
            "kind": "person",
            "name": "基准测试",
            "id_number": id_number("152599", 900000 + i),
            "phone": f"137{i:08d}",
        },
        "materials": [{"code": "M01", "provided": True}, {"code": "M02", "provided": True}],
        "form": {"reason": "基准测试"},
    }


def pg_args(base: str) -> list[str]:
    url = urllib.parse.urlsplit(base)
    return ["-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]


def pgbench(base: str, clients: int, seconds: int) -> float:
    args = ["pgbench", *pg_args(base)]
    out = subprocess.run(
        [*args, "-n", "-c", str(clients), "-j", str(min(clients, 2)), "-T", str(seconds), PGBENCH_DB],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    m = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out) or re.search(
        r"tps = ([\d.]+)", out
    )
    assert m, out
    return float(m.group(1))


def log_level(what: str, r: dict[str, Any]) -> None:
    log(
        f"  {what} {r['clients']:2d} clients: {r['rps']:.1f} req/s, p50 {r['p50']:.1f} ms, "
        f"p99 {r['p99']:.1f} ms, {r['errors']} errors / {r['requests']}, "
        f"CPU per request: app {r['app_ms']:.1f} ms, PostgreSQL {r['pg_ms']:.2f} ms, "
        f"load clients {r['client_ms']:.1f} ms"
    )


def intake_build(clerks: list[tuple[str, str, str]], serial: Iterator[int]) -> Any:
    """Client ``k``'s intakes at its township's window; every request of the run a new applicant
    (``serial``: one counter per served tree, shared by its levels and rounds)."""

    def build(k: int, i: int) -> tuple[str, str, str, Any, int]:
        token, item, centre = clerks[k % len(clerks)]
        return token, "POST", "/api/v1/cases", intake_body(next(serial), item, centre), 201

    return build


def ticket_build(centres: list[str]) -> Any:
    def build(k: int, i: int) -> tuple[str, str, str, Any, int]:
        return (
            "",
            "POST",
            "/api/v1/tickets",
            {"centre": centres[k % len(centres)], "category": "comprehensive"},
            201,
        )

    return build


def progress_build(numbers: list[tuple[str, str]]) -> Any:
    """The public progress look-up of the sampled cases (number + check code), in turn."""

    def build(k: int, i: int) -> tuple[str, str, str, Any, int]:
        number, check = numbers[(k * 7919 + i) % len(numbers)]
        return "", "GET", f"/api/v1/progress?number={number}&check={check}", None, 200

    return build


def ceiling_build(k: int, i: int) -> tuple[str, str, str, Any, int]:
    return "", "POST", "/bench/insert", {"k": k, "i": i}, 201


def count_statements(
    clerk: tuple[str, str, str], centres: list[str], sample: tuple[str, str]
) -> dict[str, dict[str, Any]]:
    """Statements and transactions of one intake, ticket issue and progress lookup (in-process)."""
    from intake_statements import measure, open_all_day, print_report

    from onewindow.org.models import Centre

    for code in centres:
        open_all_day(Centre.objects.get(code=code))
    token, item, centre = clerk
    number, check = sample
    results = measure(
        [
            (
                "intake (POST /api/v1/cases)",
                "POST",
                "/api/v1/cases",
                lambda i: intake_body(800_000 + i, item, centre),
                {"HTTP_AUTHORIZATION": f"Bearer {token}"},
            ),
            (
                "ticket issue (POST /api/v1/tickets)",
                "POST",
                "/api/v1/tickets",
                {"centre": centre, "category": "comprehensive"},
                {},
            ),
            (
                "progress lookup (GET /api/v1/progress)",
                "GET",
                f"/api/v1/progress?number={number}&check={check}",
                None,
                {},
            ),
        ]
    )
    print_report(results)
    return results


def start_server(tree: Path, env: dict[str, str], port: int, args: Any) -> subprocess.Popen[bytes]:
    env = dict(env)
    env["PYTHONPATH"] = os.pathsep.join([str(tree / "bench"), env.get("PYTHONPATH") or str(tree)])
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "onewindow.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
        ],
        env=env,
        cwd=tree,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                break
        except OSError:
            time.sleep(0.2)
    log(f"server up ({tree}): gunicorn, {args.workers} workers × {args.threads} threads, port {port}")
    return server
