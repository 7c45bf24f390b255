"""Application CPU of one intake and one ticket issue, in-process (issue #18).

Drives ``POST /api/v1/cases`` and ``POST /api/v1/tickets`` through Django's test client (the whole
middleware, authentication, ninja and ORM path) on the demo data, after a warm-up, and reports the
process CPU (``time.process_time``: this process only, not PostgreSQL's) per request; with
``--sample`` it then samples the same requests' stacks every millisecond of CPU (what share of the
CPU each function is on the stack for), with ``--profile`` it runs them under cProfile, with
``--before-after 10`` it compares them with issue #18's CPU changes switched off and on.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ow_cpu python bench/intake_cpu.py --sample -n 300

``--load`` migrates and loads the demo first (an empty database). The CPU of the test client itself
(building the request, reading the response) is included; the framework row (``GET /healthz``-like
trivial request through the same client) says how much of it is not the intake's.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _runner(n0: int) -> dict[str, Any]:
    from demo_intake import demo_intake, intake_body
    from django.test import Client
    from intake_statements import open_all_day

    from onewindow.cases.models import Case

    ctx = demo_intake()
    open_all_day(ctx["staff"].centre)
    client = Client(HTTP_HOST="localhost")
    counter = [n0]

    def intake() -> int:
        counter[0] += 1
        i = counter[0]
        year, rest = 1950 + (i // 28000) % 50, i % 28000  # a valid date of birth, a new applicant each time
        body = intake_body(ctx, f"152522{year}02{(rest % 28) + 1:02d}{rest // 28:03d}")
        r = client.post("/api/v1/cases", json.dumps(body), content_type="application/json", **ctx["headers"])
        return int(r.status_code)

    ticket_body = json.dumps({"centre": ctx["centre"], "category": "comprehensive"})

    def ticket() -> int:
        r = client.post("/api/v1/tickets", ticket_body, content_type="application/json")
        return int(r.status_code)

    def health() -> int:
        return int(client.get("/healthz").status_code)

    intake()  # a case to look up: its number and the last four characters of the applicant's ID number
    case = Case.objects.order_by("-pk").first()
    assert case is not None
    progress_path = f"/api/v1/progress?number={case.number}&check={case.applicant_id_number[-4:]}"

    def progress() -> int:
        return int(client.get(progress_path).status_code)

    return {"intake": intake, "ticket": ticket, "health": health, "progress": progress}


def _cpu(fn: Any, n: int) -> float:
    statuses: dict[int, int] = {}
    t0 = time.process_time()
    for _ in range(n):
        s = fn()
        statuses[s] = statuses.get(s, 0) + 1
    ms = (time.process_time() - t0) * 1000 / n
    bad = {k: v for k, v in statuses.items() if k >= 400}
    if bad:
        print(f"  answers >= 400: {bad}", file=sys.stderr)
    return ms


def _sample(fn: Any, n: int, top: int) -> None:
    """CPU sampling (SIGPROF every 1 ms of process CPU): the share of samples each function is on the
    stack for (inclusive), and the innermost frames (exclusive) — no tracing overhead, unlike cProfile."""
    import signal
    from collections import Counter

    inclusive: Counter[str] = Counter()
    exclusive: Counter[str] = Counter()
    total = [0]

    def handler(_sig: int, frame: Any) -> None:
        total[0] += 1
        seen = set()
        first = True
        while frame is not None:
            code = frame.f_code
            name = (
                f"{code.co_filename.split('site-packages/')[-1].replace(str(ROOT) + '/', '')}:{code.co_name}"
            )
            if first:
                exclusive[name] += 1
                first = False
            if name not in seen:
                seen.add(name)
                inclusive[name] += 1
            frame = frame.f_back

    signal.signal(signal.SIGPROF, handler)
    signal.setitimer(signal.ITIMER_PROF, 0.001, 0.001)
    try:
        _cpu(fn, n)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
    print(f"{total[0]} samples; inclusive share:")
    for name, k in inclusive.most_common(top):
        print(f"  {100 * k / total[0]:5.1f}%  {name}")
    print("exclusive share:")
    for name, k in exclusive.most_common(top // 2):
        print(f"  {100 * k / total[0]:5.1f}%  {name}")


def _before_after(fn: Any, rounds: int) -> None:
    """Issue #18's changes switched off ("before": Django's own INSERT compile, the look-ups' queryset
    ``first()``, chinesecalendar asked at every day) and on, in alternating blocks of 80 requests in
    this process: the ratio does not move with what else the machine runs."""
    import statistics

    from django.db.models import Model

    from onewindow.core import prepared
    from onewindow.worktime import calendar

    def first(self: Any, *values: Any) -> Any:
        return self.build(*values).first()

    on = (prepared.CompiledInsert._do_insert, prepared.PreparedFirst.__call__, calendar._builtin_day)
    off = (Model._do_insert, first, calendar._builtin_day.__wrapped__)
    res: dict[str, list[float]] = {"before": [], "after": []}
    for _ in range(rounds):
        for name, impl in (("before", off), ("after", on)):
            prepared.CompiledInsert._do_insert, prepared.PreparedFirst.__call__, calendar._builtin_day = impl  # type: ignore[method-assign,assignment]
            res[name].append(_cpu(fn, 80))
    prepared.CompiledInsert._do_insert, prepared.PreparedFirst.__call__, calendar._builtin_day = on  # type: ignore[method-assign,assignment]
    for name, values in res.items():
        print(f"{name}: median {statistics.median(values):.2f} ms CPU per request ({rounds} blocks of 80)")
    print(f"after / before: {statistics.median(res['after']) / statistics.median(res['before']):.3f}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--load", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sample", action="store_true")
    parser.add_argument("--before-after", type=int, default=0, metavar="ROUNDS")
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--what", default="intake")
    parser.add_argument("--dump", default="", help="write the cProfile stats to this file")
    args = parser.parse_args()
    os.environ.setdefault("ONEWINDOW_DATA_DIR", tempfile.mkdtemp(prefix="ow-cpu-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    os.environ.setdefault("PUBLIC_POST_RATE_LIMIT", "100000000")  # as make bench: one client, many tickets
    os.environ.setdefault("PROGRESS_RATE_LIMIT", "100000000")
    import logging

    import django

    django.setup()
    logging.disable(logging.WARNING)
    if args.load:
        from django.core.management import call_command

        from onewindow.demo.loader import load_demo

        call_command("migrate", verbosity=0)
        load_demo()
    from onewindow.cases.models import Case

    run = _runner(Case.objects.count() + int(time.time()) % 50000)
    for name in ("intake", "ticket", "health", "progress"):
        _cpu(run[name], 30)  # warm-up
    for name in ("health", "intake", "ticket", "progress"):
        print(f"{name}: {_cpu(run[name], args.n):.2f} ms CPU per request (this process, n={args.n})")
    if args.before_after:
        _before_after(run[args.what], args.before_after)
    if args.sample:
        _sample(run[args.what], args.n, args.top)
    if args.profile:
        prof = cProfile.Profile(time.process_time)
        prof.enable()
        _cpu(run[args.what], args.n)
        prof.disable()
        stats = pstats.Stats(prof)
        stats.sort_stats(args.sort).print_stats(args.top)
        if args.dump:
            stats.dump_stats(args.dump)
    return 0


if __name__ == "__main__":
    sys.exit(main())
