"""The reads of the league-scale benchmark, on a copy of the database at SMALL cases and on the database
grown to N, both served at once and read in alternating rounds:
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


# a read: its name, how many requests, and (port, side) → a function making one request
Read = tuple[str, int, Callable[[int, int], Callable[[], tuple[int, bytes]]]]


def read_plan(
    sup_token: str,
    session: str,
    clerks: list[tuple[str, str, str]],
    numbers: list[tuple[str, str]],
    league: dict[str, Any],
) -> list[Read]:
    """Every read: its name, how many requests, and a request on the server at ``port`` (``side`` 0 or
    1: other loopback addresses for the public progress look-up). ``numbers``: cases sampled among the
    first SMALL, which exist on both databases (up to 100 are read)."""
    today = dt.date.today()  # noqa: DTZ011 - the server's local day is close enough for a period
    year = f"from={month_start(today, 11).isoformat()}&to={today.isoformat()}"

    def api(token: str, path: str) -> Callable[[int, int], Callable[[], tuple[int, bytes]]]:
        def make(port: int, side: int) -> Callable[[], tuple[int, bytes]]:
            client = Client(port)
            return lambda: client.request(token, "GET", path, None)

        return make

    def page(path: str) -> Callable[[int, int], Callable[[], tuple[int, bytes]]]:
        def make(port: int, side: int) -> Callable[[], tuple[int, bytes]]:
            client = Client(port, headers={"Cookie": f"sessionid={session}"})
            return lambda: client.request("", "GET", path, None)

        return make

    def rotating(paths: list[str], token: str = "") -> Callable[[int, int], Callable[[], tuple[int, bytes]]]:
        def make(port: int, side: int) -> Callable[[], tuple[int, bytes]]:
            # the public progress look-up is rate-limited per address: its own address per side
            client = Client(port, source=f"127.0.0.{10 + side}")
            it = iter(paths * 1000)
            return lambda: client.request(token, "GET", next(it), None)

        return make

    cases = "/api/v1/cases?page_size=50&page="
    plan: list[Read] = [
        ("case list, township clerk (page 1 of ~N/100)", REPEAT, api(clerks[0][0], f"{cases}1")),
        ("case list, banner supervisor (page 1 of ~N/10)", REPEAT, api(sup_token, f"{cases}1")),
        # a page of 10: at 10 k cases the banner has only ~19 cases in review, so a page of 50 would
        # compare 19 rows with 50 (a full page at both sizes measures the table's growth, not the page's)
        (
            "case list, supervisor, state=in_review (page of 10)",
            REPEAT,
            api(sup_token, "/api/v1/cases?page_size=10&page=1&state=in_review"),
        ),
        ("case list, supervisor, page 10", REPEAT, api(sup_token, f"{cases}10")),
        ("dashboard, supervisor, this month (/ledger/)", REPEAT, page("/ledger/")),
        ("dashboard, supervisor, 12 months (month rows)", REPEAT, page(f"/ledger/?{year}")),
        ("township ranking, this month (/ledger/ranking/)", REPEAT, page("/ledger/ranking/")),
        (
            "cases behind a figure, this month (/ledger/cases/)",
            REPEAT,
            page("/ledger/cases/?figure=received"),
        ),
        ("stats API, this month by item", REPEAT, api(sup_token, "/api/v1/stats?group_by=item")),
        ("stats API, 12 months by month", REPEAT, api(sup_token, f"/api/v1/stats?{year}&group_by=month")),
    ]
    banner1 = league["banners"][0].code[:6]
    mine = [n for n in numbers[:100] if n[0].startswith(banner1)]
    if mine:  # a small run may have sampled no case of the supervisor's banner
        plan.append(
            (
                "case detail (supervisor)",
                3 * REPEAT,
                rotating([f"/api/v1/cases/{n}" for n, _c in mine], sup_token),
            )
        )
    plan.append(
        (
            "progress lookup (public, number + check)",
            5 * REPEAT,
            rotating([f"/api/v1/progress?number={n}&check={c}" for n, c in numbers[:100]]),
        )
    )
    return plan


WARM_UP = 10  # requests per read and side before the measured ones: every worker of the server warmed
ROUNDS = 4  # each read's requests in this many rounds per side, the sides alternating (ABBA...)


def read_figures(plan: list[Read], sides: list[tuple[int, Cpu]]) -> list[dict[str, Figures]]:
    """Every read of ``plan`` on every side (a server and its CPU counter), sequentially, after
    ``WARM_UP`` requests each: with two sides, in ``ROUNDS`` rounds per side alternating A B B A A B B A, so
    that both sides see the same machine (a shared host's speed drifts over minutes)."""
    out: list[dict[str, Figures]] = [{} for _ in sides]
    for name, n, make in plan:
        fns = [make(port, side) for side, (port, _cpu) in enumerate(sides)]
        for fn in fns:  # warm-up: enough requests to reach every worker of the server
            for _ in range(WARM_UP):
                fn()
        per = max(1, n // ROUNDS)
        lat: list[list[float]] = [[] for _ in sides]
        codes: list[list[int]] = [[] for _ in sides]
        cpu_ms = [0.0 for _ in sides]
        for r in range(ROUNDS):
            order = list(range(len(sides)))
            if r % 2:
                order.reverse()
            for side in order:
                cpu = sides[side][1]
                before = cpu.snapshot()
                t, c = timed(fns[side], per)
                cpu_ms[side] += cpu.since(before, 1)
                lat[side] += t
                codes[side] += c
        for side in range(len(sides)):
            out[side][name] = (lat[side], codes[side], cpu_ms[side] / max(1, len(lat[side])))
        log(
            f"  {name}: "
            + "; ".join(
                f"p50 {pct(lat[s], 50):.1f} ms, p99 {pct(lat[s], 99):.1f} ms, CPU {out[s][name][2]:.1f} ms"
                + (f", non-200: {bad[:5]}" if (bad := [x for x in codes[s] if x != 200]) else "")
                for s in range(len(sides))
            )
        )
    return out
