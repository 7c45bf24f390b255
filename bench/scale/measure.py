"""The measurements: statements per request, load levels, reads at N cases, pgbench, the servers."""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from load import Client, pct

from .common import PGBENCH_DB, PORT, log
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
        f"CPU per request: app {r['app_ms']:.1f} ms, PostgreSQL {r['pg_ms']:.2f} ms"
    )


def intake_build(clerks: list[tuple[str, str, str]], offset: int) -> Any:
    def build(k: int, i: int) -> tuple[str, str, str, Any, int]:
        token, item, centre = clerks[k % len(clerks)]
        return token, "POST", "/api/v1/cases", intake_body(offset + 100_000 * k + i, item, centre), 201

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


def timed(fn: Callable[[], tuple[int, bytes]], repeat: int) -> tuple[list[float], list[int]]:
    times, codes = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        code, _body = fn()
        times.append((time.perf_counter() - t) * 1000)
        codes.append(code)
    return times, codes


def read_figures(
    clerks: list[tuple[str, str, str]], sup_token: str, numbers: list[tuple[str, str]], league: dict[str, Any]
) -> dict[str, tuple[list[float], list[int]]]:
    """List, detail and progress at N cases (sequential, one client)."""
    client = Client(PORT)

    def get(token: str, path: str) -> tuple[int, bytes]:
        return client.request(token, "GET", path, None)

    lookups: dict[str, tuple[list[float], list[int]]] = {}
    for name, token, path in (
        ("case list, township clerk (page 1 of ~N/100)", clerks[0][0], "/api/v1/cases?page=1&page_size=50"),
        ("case list, banner supervisor (page 1 of ~N/10)", sup_token, "/api/v1/cases?page=1&page_size=50"),
        (
            "case list, supervisor, state=in_review",
            sup_token,
            "/api/v1/cases?state=in_review&page=1&page_size=50",
        ),
        ("case list, supervisor, page 100", sup_token, "/api/v1/cases?page=100&page_size=50"),
    ):
        get(token, path)
        lookups[name] = timed(lambda t=token, p=path: get(t, p), 30)  # type: ignore[misc]
    banner1 = league["banners"][0].code[:6]
    mine = [n for n in numbers if n[0].startswith(banner1)]
    if mine:  # a small run may have sampled no case of the supervisor's banner
        it = iter(mine * 60)
        lookups["case detail (supervisor)"] = timed(
            lambda: get(sup_token, f"/api/v1/cases/{next(it)[0]}"), 60
        )
    # public progress: rate-limited per address (30/min): rotate loopback source addresses
    progress: tuple[list[float], list[int]] = ([], [])
    for a in range(4):
        anon = Client(PORT, source=f"127.0.0.{10 + a}")
        for number, check in numbers[a * 25 : (a + 1) * 25]:
            path = f"/api/v1/progress?number={number}&check={check}"
            lat, codes = timed(lambda c=anon, p=path: c.request("", "GET", p, None), 1)  # type: ignore[misc]
            progress[0].extend(lat)
            progress[1].extend(codes)
    lookups["progress lookup (public, number + check)"] = progress
    for name, (lat, codes) in lookups.items():
        bad = [c for c in codes if c != 200]
        log(
            f"  {name}: p50 {pct(lat, 50):.1f} ms, p99 {pct(lat, 99):.1f} ms"
            + (f", non-200: {bad[:5]}" if bad else "")
        )
    return lookups
