"""Load levels against a running server, with the CPU each request cost the application and PostgreSQL.

``run_level(port, build, concurrency, seconds)`` runs ``concurrency`` keep-alive clients for ``seconds``
(after two warm-up requests each); ``build(k, i)`` gives client ``k``'s ``i``-th request as
``(token, method, path, body, expected status)``. CPU: user + system time from ``/proc`` of the server's
process tree (application) and of the PostgreSQL backends connected to the database (found through
``pg_stat_activity``), before and after the level, divided by the successful requests.
"""

from __future__ import annotations

import http.client
import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TICK = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree.setdefault(ppid, []).append(int(entry))
    return tree


def tree_cpu(root: int) -> dict[int, float]:
    tree, out, todo = _children(), {}, [root]
    while todo:
        pid = todo.pop()
        out[pid] = _cpu(pid)
        todo.extend(tree.get(pid, []))
    return out


def backend_cpu(dsn: str, database: str) -> dict[int, float]:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as c:
        pids = [
            r[0]
            for r in c.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (database,)
            )
        ]
    return {pid: _cpu(pid) for pid in pids}


def delta(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(v - before.get(pid, 0.0) for pid, v in after.items())


class Client:
    """One keep-alive connection (reconnects when the server closes it)."""

    def __init__(self, port: int, source: str = "127.0.0.1", headers: dict[str, str] | None = None) -> None:
        self.port = port
        self.source = source  # the local address (the public API rate-limits per address)
        self.headers = headers or {}  # sent with every request (e.g. a session cookie)
        self.conn: http.client.HTTPConnection | None = None

    def request(self, token: str, method: str, path: str, body: Any) -> tuple[int, bytes]:
        headers = {"Content-Type": "application/json", "Connection": "keep-alive", **self.headers}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=60, source_address=(self.source, 0)
                )
            try:
                self.conn.request(method, path, body=data, headers=headers)
                r = self.conn.getresponse()
                content = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return r.status, content
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s)) - 1))]


Build = Callable[[int, int], tuple[str, str, str, Any, int]]


def run_level(
    port: int,
    build: Build,
    concurrency: int,
    seconds: float,
    *,
    server_pid: int | None = None,
    pg: tuple[str, str] | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    lat: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency
    seen: set[int] = set()
    counter = [0]
    lock = threading.Lock()
    start = threading.Barrier(concurrency + 1)

    def next_i() -> int:
        with lock:
            counter[0] += 1
            return counter[0]

    def worker(k: int) -> None:
        c = Client(port)
        for _ in range(2):
            c.request(*build(k, next_i())[:4])
        start.wait()
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            token, method, path, body, expect = build(k, next_i())
            t = time.perf_counter()
            code, content = c.request(token, method, path, body)
            lat[k].append((time.perf_counter() - t) * 1000)
            if code != expect:
                errors[k] += 1
                with lock:
                    if code not in seen:
                        seen.add(code)
                        log(f"  {method} {path} answered {code}: {content[:200]!r}")

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(concurrency)]
    for th in threads:
        th.start()
    start.wait()
    app0 = tree_cpu(server_pid) if server_pid else {}
    pg0 = backend_cpu(*pg) if pg else {}
    client0 = time.process_time()  # this process: the load's own clients (all threads)
    t0 = time.perf_counter()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t0
    client_s = time.process_time() - client0
    app1 = tree_cpu(server_pid) if server_pid else {}
    pg1 = backend_cpu(*pg) if pg else {}
    all_lat = [x for xs in lat for x in xs]
    return summary(
        concurrency,
        all_lat,
        sum(errors),
        elapsed,
        delta(app0, app1) if server_pid else float("nan"),
        delta(pg0, pg1) if pg else float("nan"),
        client_s,
    )


def summary(
    clients: int,
    lat: list[float],
    errors: int,
    elapsed: float,
    app_s: float,
    pg_s: float,
    client_s: float = float("nan"),
) -> dict[str, Any]:
    """One level's figures from its latencies, errors, wall time and CPU seconds (app, PostgreSQL, the
    load's clients: they share the machine's cores with the server)."""
    ok = len(lat) - errors
    return {
        "clients": clients,
        "requests": len(lat),
        "errors": errors,
        "rps": ok / elapsed,
        "p50": pct(lat, 50),
        "p99": pct(lat, 99),
        "app_ms": app_s * 1000 / ok if ok else float("nan"),
        "pg_ms": pg_s * 1000 / ok if ok else float("nan"),
        "client_ms": client_s * 1000 / ok if ok else float("nan"),
        # kept so that rounds of the same level can be merged (``merge``)
        "lat": lat,
        "elapsed": elapsed,
        "app_s": app_s,
        "pg_s": pg_s,
        "client_s": client_s,
    }


def merge(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Rounds of one level (same clients) as one: all requests over the rounds' summed wall time."""
    return summary(
        rounds[0]["clients"],
        [x for r in rounds for x in r["lat"]],
        sum(r["errors"] for r in rounds),
        sum(r["elapsed"] for r in rounds),
        sum(r["app_s"] for r in rounds),
        sum(r["pg_s"] for r in rounds),
        sum(r["client_s"] for r in rounds),
    )
