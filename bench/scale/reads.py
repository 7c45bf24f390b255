"""The reads of the league-scale benchmark, measured on the same database at SMALL cases and at N:
the case lists of a township clerk and a banner supervisor, case detail, the public progress lookup,
the supervisor's dashboards (this month, a year of month rows, the township ranking, the cases behind a
figure) and the statistics API. Sequential requests, one client: p50/p99 of the wall time and the CPU
per request of the server's processes and the application's PostgreSQL backends (``/proc``, as the
load levels count it) — on a machine shared with other work the CPU is the steadier figure."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from load import Client, backend_cpu, delta, pct, tree_cpu

from .common import log
from .rollups import month_start

SMALL = 10_000  # the first measurement: the database at this many cases, before it grows to N
REPEAT = 20


def supervisor_session(league: dict[str, Any]) -> str:
    """A signed-in session of the first banner's supervisor, second factor verified (a confirmed TOTP
    device in the session, as ``django_otp.login`` leaves it)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = league["users"][f"sup-{league['banners'][0].code[:6]}"]
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    assert session.session_key
    return session.session_key


Figures = tuple[list[float], list[int], float]  # wall ms per request, statuses, CPU ms per request


def timed(fn: Callable[[], tuple[int, bytes]], repeat: int) -> tuple[list[float], list[int]]:
    times, codes = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        code, _body = fn()
        times.append((time.perf_counter() - t) * 1000)
        codes.append(code)
    return times, codes


class Cpu:
    """CPU seconds of the server's process tree and of the application database's backends so far."""

    def __init__(self, server_pid: int, pg: tuple[str, str]) -> None:
        self.server_pid, self.pg = server_pid, pg

    def snapshot(self) -> tuple[dict[int, float], dict[int, float]]:
        return tree_cpu(self.server_pid), backend_cpu(*self.pg)

    def since(self, before: tuple[dict[int, float], dict[int, float]], requests: int) -> float:
        app, pg = self.snapshot()
        return (delta(before[0], app) + delta(before[1], pg)) * 1000 / max(1, requests)


def read_figures(
    port: int,
    sup_token: str,
    session: str,
    clerks: list[tuple[str, str, str]],
    numbers: list[tuple[str, str]],
    league: dict[str, Any],
    phase: int,
    cpu: Cpu,
) -> dict[str, Figures]:
    """Every read, sequentially, after one warm-up request each. ``numbers``: the sampled cases (the
    first 100, generated among the first SMALL cases, are read in both phases); ``phase`` picks other
    loopback addresses for the rate-limited public progress lookup."""
    client, pages = Client(port), Client(port, headers={"Cookie": f"sessionid={session}"})
    today = dt.date.today()  # noqa: DTZ011 - the server's local day is close enough for a period
    year = f"from={month_start(today, 11).isoformat()}&to={today.isoformat()}"

    def api(token: str, path: str) -> Callable[[], tuple[int, bytes]]:
        return lambda: client.request(token, "GET", path, None)

    def page(path: str) -> Callable[[], tuple[int, bytes]]:
        return lambda: pages.request("", "GET", path, None)

    lookups: dict[str, Figures] = {}

    def measure(name: str, fn: Callable[[], tuple[int, bytes]], repeat: int) -> None:
        before = cpu.snapshot()
        lat, codes = timed(fn, repeat)
        lookups[name] = (lat, codes, cpu.since(before, repeat))

    cases = "/api/v1/cases?page_size=50&page="
    reads = [
        ("case list, township clerk (page 1 of ~N/100)", api(clerks[0][0], f"{cases}1")),
        ("case list, banner supervisor (page 1 of ~N/10)", api(sup_token, f"{cases}1")),
        # a page of 10: at 10 k cases the banner has only ~19 cases in review, so a page of 50 would
        # compare 19 rows with 50 (a full page at both sizes measures the table's growth, not the page's)
        (
            "case list, supervisor, state=in_review (page of 10)",
            api(sup_token, "/api/v1/cases?page_size=10&page=1&state=in_review"),
        ),
        ("case list, supervisor, page 10", api(sup_token, f"{cases}10")),
        ("dashboard, supervisor, this month (/ledger/)", page("/ledger/")),
        ("dashboard, supervisor, 12 months (month rows)", page(f"/ledger/?{year}")),
        ("township ranking, this month (/ledger/ranking/)", page("/ledger/ranking/")),
        ("cases behind a figure, this month (/ledger/cases/)", page("/ledger/cases/?figure=received")),
        ("stats API, this month by item", api(sup_token, "/api/v1/stats?group_by=item")),
        ("stats API, 12 months by month", api(sup_token, f"/api/v1/stats?{year}&group_by=month")),
    ]
    for name, fn in reads:
        fn()
        measure(name, fn, REPEAT)
    banner1 = league["banners"][0].code[:6]
    mine = [n for n in numbers[:100] if n[0].startswith(banner1)]
    if mine:  # a small run may have sampled no case of the supervisor's banner
        it = iter(mine * 60)
        detail = "/api/v1/cases/{}"
        measure(
            "case detail (supervisor)",
            lambda: client.request(sup_token, "GET", detail.format(next(it)[0]), None),
            60,
        )
    # public progress: rate-limited per address (30/min): rotate loopback source addresses
    progress: tuple[list[float], list[int]] = ([], [])
    before = cpu.snapshot()
    for a in range(4):
        anon = Client(port, source=f"127.0.0.{10 + 10 * phase + a}")
        for number, check in numbers[a * 25 : (a + 1) * 25]:
            path = f"/api/v1/progress?number={number}&check={check}"
            lat, codes = timed(lambda c=anon, p=path: c.request("", "GET", p, None), 1)  # type: ignore[misc]
            progress[0].extend(lat)
            progress[1].extend(codes)
    lookups["progress lookup (public, number + check)"] = (*progress, cpu.since(before, len(progress[0])))
    for name, (lat, codes, cpu_ms) in lookups.items():
        bad = [c for c in codes if c != 200]
        log(
            f"  {name}: p50 {pct(lat, 50):.1f} ms, p99 {pct(lat, 99):.1f} ms, CPU {cpu_ms:.1f} ms"
            + (f", non-200: {bad[:5]}" if bad else "")
        )
    return lookups
