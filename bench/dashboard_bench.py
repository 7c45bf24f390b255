"""Dashboard read time against the number of cases (issue #6): the same selector calls the supervisor's
dashboard makes, on ledger rollups for N synthetic cases, in a scratch PostgreSQL database.

    python bench/dashboard_bench.py 100000 1000000

Each N: a fresh scratch database ``ow_bench_dash`` (dropped and created on ``BENCH_PG``, default
postgres://postgres@127.0.0.1:5432), migrated; a league of 10 banners × 10 townships × 10 villages with
a centre each; N cases spread over a year (Pareto-skewed over centres and items), each received,
accepted and decided on a later day (5 % late), turned into rollup rows exactly as the fold would
write them (``ledger.rollup.Dims``: fine rows per day × dimensions and per month, coarse day and
month rows) and bulk-loaded. The dashboard reads only rollups, so its time should not follow N; this
shows how close it gets. Times are medians of 5 runs after one warm-up, in ms. Results go to stdout and
``bench/results/dashboard-<date>.md``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import random
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DB = "ow_bench_dash"


def _scratch_db() -> str:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")
    return f"{SERVER}/{DB}"


def outer(sizes: list[int]) -> None:
    rows = []
    for n in sizes:
        url = _scratch_db()
        env = {**os.environ, "DATABASE_URL": url, "ONEWINDOW_DATA_DIR": f"/tmp/ow-bench-dash-{n}"}
        subprocess.run(
            [sys.executable, "-m", "onewindow.cli", "migrate", "-v0"], cwd=ROOT, env=env, check=True
        )
        out = subprocess.run(
            [sys.executable, __file__, "--inner", str(n)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        print(out, end="", flush=True)
        rows.append(out.strip().splitlines()[-1])
    header = (
        "| cases | fine rows | coarse rows | county, month | county, year | township, month "
        "| top items, month | top items, year |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    table = header + "\n".join(r for r in rows) + "\n"
    print(table)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"dashboard-{time.strftime('%Y-%m-%d')}.md").write_text(
        "# Dashboard read time vs number of cases (PostgreSQL, medians in ms)\n\n" + table, encoding="utf-8"
    )


def _league() -> list[Any]:
    """10 banners × 10 townships × 10 villages, a centre each; the centres with their jurisdictions."""
    from onewindow.org.models import Centre, Jurisdiction

    for b in range(10):
        county = Jurisdiction.objects.create(code=f"15{b:02d}00000000", name=f"旗{b}", level="county")
        for t in range(10):
            town = Jurisdiction.objects.create(
                code=f"15{b:02d}{t + 1:02d}000000", name=f"镇{b}-{t}", level="township", parent=county
            )
            Centre.objects.create(code=f"C{b}-{t}", name=f"中心{b}-{t}", jurisdiction=town, address="x")
            for v in range(10):
                vil = Jurisdiction.objects.create(
                    code=f"15{b:02d}{t + 1:02d}{v + 1:03d}000"[:12],
                    name=f"村{b}-{t}-{v}",
                    level="village",
                    parent=town,
                )
                Centre.objects.create(
                    code=f"C{b}-{t}-{v}", name=f"站{b}-{t}-{v}", jurisdiction=vil, address="x"
                )
    return list(Centre.objects.select_related("jurisdiction"))


def _fine_rows(n: int, centres: list[Any]) -> dict[Any, dict[str, int]]:
    """N synthetic cases as fine rollup rows (day × dimensions), Pareto-skewed over centres and items."""
    from django.contrib.auth import get_user_model

    from onewindow.catalog.models import Domain, Item
    from onewindow.ledger.rollup import Dims

    rnd = random.Random(1)
    user_model = get_user_model()
    user_model.objects.bulk_create([user_model(username=f"u{i}") for i in range(3000)])
    Domain.objects.bulk_create([Domain(code=f"d{i}", name=f"领域{i}", sort=i) for i in range(13)])
    Item.objects.bulk_create([Item(code=f"IT-{i:03d}") for i in range(60)])
    users = list(user_model.objects.values_list("pk", flat=True))
    domains = list(Domain.objects.values_list("pk", flat=True))
    items = list(Item.objects.values_list("pk", flat=True))
    item_domain = {it: domains[i % len(domains)] for i, it in enumerate(items)}
    clerks = {c.pk: users[(i * 3) % len(users) : (i * 3) % len(users) + 3] for i, c in enumerate(centres)}
    start = dt.date(2025, 12, 1)
    fine: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for _ in range(n):
        c = centres[int(rnd.paretovariate(1.2)) % len(centres)]
        it = items[int(rnd.paretovariate(1.1)) % len(items)]
        base = dict(
            jurisdiction_id=c.jurisdiction_id,
            jpath=c.jurisdiction.path,
            centre_id=c.pk,
            clerk_id=rnd.choice(clerks[c.pk]),
            item_id=it,
            domain_id=item_domain[it],
        )
        d0 = start + dt.timedelta(days=rnd.randrange(365))
        m = fine[Dims(day=d0, **base)]  # type: ignore[arg-type]
        m["received"] += 1
        m["accepted"] += 1
        m = fine[Dims(day=d0 + dt.timedelta(days=rnd.randrange(1, 20)), **base)]  # type: ignore[arg-type]
        m["approved"] += 1
        m["late" if rnd.random() < 0.05 else "on_time"] += 1
        m["workdays_sum"] += rnd.randrange(1, 12)
    return fine


def _store(fine: dict[Any, dict[str, int]]) -> None:
    """The rows the fold keeps: fine day rows, fine month rows (MonthFact), coarse day and month rows."""
    from django.db import connection

    from onewindow.ledger.models import CoarseFact, Fact, MonthFact

    coarse: dict[str, tuple[Any, str, dict[str, int]]] = {}
    months: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for d, m in fine.items():
        for grain in ("day", "month"):
            entry = coarse.setdefault(d.coarse_key(grain), (d, grain, defaultdict(int)))
            for k, v in m.items():
                entry[2][k] += v
        for k, v in m.items():
            months[dataclasses.replace(d, day=d.day.replace(day=1))][k] += v
    Fact.objects.bulk_create((Fact(key=d.key, **d.fields(), **m) for d, m in fine.items()), batch_size=5000)
    MonthFact.objects.bulk_create(
        (MonthFact(key=d.key, **d.fields(), **m) for d, m in months.items()), batch_size=5000
    )
    CoarseFact.objects.bulk_create(
        (CoarseFact(key=ck, **d.coarse_fields(g), **m) for ck, (d, g, m) in coarse.items()), batch_size=5000
    )
    with connection.cursor() as cur:
        for table in ("ledger_fact", "ledger_coarsefact", "ledger_monthfact"):
            cur.execute(f"VACUUM ANALYZE {table}")


def _median_ms(f: Any, *args: Any) -> float:
    f(*args)
    ts = []
    for _ in range(5):
        t = time.perf_counter()
        f(*args)
        ts.append(time.perf_counter() - t)
    return sorted(ts)[2] * 1000


def _read_row(n: int) -> str:
    """The supervisor dashboard's selector calls, timed: one Markdown table row."""
    from onewindow.ledger import selectors
    from onewindow.ledger.models import CoarseFact, Fact
    from onewindow.org.models import Jurisdiction

    def dashboard(j: Any, a: dt.date, b: dt.date) -> None:
        qs = selectors.facts(j, a, b)
        selectors.totals(qs)
        selectors.grouped(qs, "jurisdiction", j)
        daily = (b - a).days <= 62
        selectors.grouped(selectors.facts(j, a, b, daily=daily), "day" if daily else "month")
        selectors.grouped(qs, "centre")

    def top_items(j: Any, a: dt.date, b: dt.date) -> None:
        selectors.grouped(selectors.facts(j, a, b, fine=True), "item")

    county = Jurisdiction.objects.get(code="150000000000")
    town = Jurisdiction.objects.get(code="150001000000")
    month, year = (dt.date(2026, 9, 1), dt.date(2026, 9, 30)), (dt.date(2025, 12, 1), dt.date(2026, 11, 25))
    cells = [
        _median_ms(dashboard, county, *month),
        _median_ms(dashboard, county, *year),
        _median_ms(dashboard, town, *month),
        _median_ms(top_items, county, *month),
        _median_ms(top_items, county, *year),
    ]
    return (
        f"| {n:,} | {Fact.objects.count():,} | {CoarseFact.objects.count():,} | "
        + " | ".join(f"{c:.0f}" for c in cells)
        + " |"
    )


def inner(n: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    import django

    django.setup()
    _store(_fine_rows(n, _league()))
    print(_read_row(n))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--inner"]:
        inner(int(sys.argv[2]))
    else:
        outer([int(a) for a in sys.argv[1:]] or [100_000, 1_000_000])
