"""League-scale benchmark on PostgreSQL: synthetic data, intake under load, pgbench as the reference.

1. Recreates two databases on the PostgreSQL server (``ow_bench`` for the application, ``ow_pgbench``
   for pgbench) and migrates the first.
2. Generates a league-sized tree — 10 banners (旗), 100 townships (苏木镇), 1,000 villages (嘎查) with
   their centres and stations, departments, 60 published items, staff — and N cases with realistic
   timelines (online/agent submissions, one-time correction notices, review, decision, output,
   delivery; recent cases still open), each event hash-chained exactly as ``CaseEvent.compute_hash``
   does. Residents (encrypted personal data + blind index), cases and events are loaded with COPY
   (psycopg 3 ``cursor.copy``), secondary indexes and constraints dropped during the load and rebuilt
   after it, then VACUUM ANALYZE and a CHECKPOINT.
3. Grows the database in two steps: the first 10,000 cases (``scale/reads.py`` SMALL), kept as a copy
   (``<db>_small``, with its own data directory), then the rest up to N, each step followed by ANALYZE;
   the ledger rollups of the cases (``scale/rollups.py``, what the fold would write) are loaded with
   them. Both databases are then served at once by the real server (``onewindow serve``: gunicorn,
   sync workers, persistent database connections) and every read alternates between them in rounds
   (p50/p99, sequential, one client): the case lists of a township clerk and a banner supervisor, case
   detail, the public progress lookup, the supervisor's dashboards (this month, 12 months of month
   rows, the township ranking, the cases behind a figure) and the statistics API. The report puts the
   two p50s of each read side by side with their ratio.
4. Case intake (``POST /api/v1/cases``, token auth, clerks of 32 townships in 10 banners, a new
   applicant each time) at 1, 8 and 32 concurrent clients (threads, ``http.client``), each for a fixed
   time: req/s, p50, p99, CPU per request; with ``BENCH_BASELINE`` that revision is served beside this
   one on its own copy of the data and each level alternates between the two in ``BENCH_ROUNDS``
   rounds (same-minute ratios).
5. ``pgbench -i`` and ``pgbench`` (built-in tpcb-like) at the same client counts on the same server,
   and the ratio intake req/s ÷ pgbench tps.

Prints a Markdown table and writes it to ``bench/results/<date>.md``. No timing is asserted anywhere.

    python bench/scale_bench.py [--cases 1000000] [--seconds 10] [--pg postgres://postgres@127.0.0.1:5432]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from load import merge, run_level  # noqa: E402  (bench/load.py)
from scale.cases import case_factory, load_cases  # noqa: E402
from scale.common import APP_DB, PGBENCH_DB, PORT, log  # noqa: E402
from scale.db import admin_exec, recreate  # noqa: E402
from scale.league import build_league  # noqa: E402
from scale.measure import (  # noqa: E402
    CEILING,
    ceiling_build,
    count_statements,
    intake_build,
    log_level,
    pg_args,
    pgbench,
    progress_build,
    start_server,
    ticket_build,
)
from scale.people import load_residents  # noqa: E402
from scale.reads import SMALL, Cpu, read_figures, read_plan, supervisor_session  # noqa: E402
from scale.report import render_reads_report, render_report  # noqa: E402
from scale.rollups import Rollups  # noqa: E402

LEVELS = (1, 8, 32)
DERIVED_TABLES = ("ledger_fact", "ledger_monthfact", "ledger_coarsefact", "cases_casetally")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=int(os.environ.get("BENCH_CASES", "1000000")))
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", "10")))
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    # Each tree is served as its own `onewindow serve` serves it by default (this tree: cli.serve_arguments;
    # the baseline: BENCH_BASELINE_WORKERS × BENCH_BASELINE_THREADS, 3 × 4 = 94e5e77's default, which the
    # issue measured); BENCH_WORKERS / BENCH_THREADS serve both trees alike.
    from onewindow.cli import serve_arguments

    own = serve_arguments([])
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", own.workers)))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", own.threads)))
    parser.add_argument(
        "--baseline-workers",
        type=int,
        default=int(os.environ.get("BENCH_WORKERS", os.environ.get("BENCH_BASELINE_WORKERS", "3"))),
    )
    parser.add_argument(
        "--baseline-threads",
        type=int,
        default=int(os.environ.get("BENCH_THREADS", os.environ.get("BENCH_BASELINE_THREADS", "4"))),
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=int(os.environ.get("BENCH_ROUNDS", "2")),
        help="intake with a baseline: each level in this many rounds per tree, alternating",
    )
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    parser.add_argument(
        "--reads-only",
        action="store_true",
        default=os.environ.get("BENCH_READS_ONLY", "") not in {"", "0"},
        help="load, measure the reads at SMALL and at N, write <date>-reads.md; no intake, no pgbench",
    )
    return parser.parse_args()


def prepare(base: str, reads_only: bool = False) -> dict[str, str]:
    """Fresh databases, this process configured for the application's, migrated; the servers' environment."""
    data_dir = tempfile.mkdtemp(prefix="ow-scale-")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        ONEWINDOW_DATA_DIR=data_dir,
        DATABASE_URL=f"{base}/{APP_DB}",
        DJANGO_SETTINGS_MODULE="onewindow.settings",
        DEBUG="0",
        # anonymous writes (ticket issue, the ceiling view) come from one address here
        PUBLIC_POST_RATE_LIMIT="100000000",
        PROGRESS_RATE_LIMIT="100000000",  # the progress look-up under load, from one address too
    )
    os.environ.update(env)
    log(f"databases {APP_DB}{'' if reads_only else f' and {PGBENCH_DB}'} on {base}; data dir {data_dir}")
    recreate(base, APP_DB)
    if not reads_only:
        recreate(base, PGBENCH_DB)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    log("migrated")
    return env


def load(base: str, league: dict[str, Any], state: dict[str, Any], last: int) -> dict[str, Any]:
    """Cases up to id ``last`` by COPY (the residents with the first step, sized for the whole run),
    the case-number counters, the ledger rollups, VACUUM ANALYZE; a few chains verified."""
    import psycopg

    from onewindow.cases.models import Case, CaseCounter
    from onewindow.cases.selectors import chain_verify

    first = state.get("cases", 0) + 1
    t_load = time.perf_counter()
    with psycopg.connect(f"{base}/{APP_DB}") as pg, pg.cursor() as cur:
        if "factory" not in state:
            state["residents"] = load_residents(cur, league, max(5000, min(250_000, state["total"] // 4)))
            pg.commit()
            log(f"residents: {sum(len(v) for v in state['residents'].values())}")
            state["factory"] = case_factory(league, state["residents"])
            state["rollups"] = Rollups(league, state["factory"].path_by_j)
        loaded = load_cases(cur, state["factory"], state["rollups"], first, last)
        pg.commit()
    CaseCounter.objects.all().delete()
    CaseCounter.objects.bulk_create(
        [CaseCounter(prefix=p, last=last) for p, last in loaded["counters"].items()]
    )
    with psycopg.connect(f"{base}/{APP_DB}", autocommit=True) as pg:
        for table in (*DERIVED_TABLES, "cases_case", "cases_caseevent", "org_resident"):
            pg.execute(f"VACUUM (ANALYZE) {table}")
        # the bulk load left most of shared_buffers dirty: flush it now, or the reads after it evict
        # dirty pages themselves (their CPU and time measured the load, not the read)
        pg.execute("CHECKPOINT")
        size = pg.execute(f"SELECT pg_size_pretty(pg_database_size('{APP_DB}'))").fetchone()[0]  # type: ignore[index]
        pg.execute(f"CREATE TABLE IF NOT EXISTS {CEILING} (id bigserial PRIMARY KEY, note text)")
    state["cases"] = last
    state["load_s"] = state.get("load_s", 0.0) + time.perf_counter() - t_load
    log(f"loaded cases {first}..{last} ({loaded['events']} events in all), {state['load_s']:.0f} s; {size}")
    for number, _check in loaded["samples"][:20]:  # synthetic chains verify like real ones
        broken = chain_verify(Case.objects.get(number=number))
        assert not broken, (number, broken)
    return {"residents": state["residents"], "loaded": loaded, "load_s": state["load_s"], "size": size}


def tokens(league: dict[str, Any]) -> tuple[list[tuple[str, str, str]], str]:
    """(token, item, centre) of the clerks of 32 townships in 10 banners; a banner supervisor's token."""
    from onewindow.api.tokens import token_create

    clerks = []
    for tw in league["townships"][:: max(1, len(league["townships"]) // 32)][:32]:
        item = next(v for v in league["items"] if v.department.code[2:8] == tw.code[:6])
        clerks.append(
            (
                token_create(username=f"clerk-{tw.code[:9]}")[1],
                item.item.code,
                league["centre_by_j"][tw.pk].code,
            )
        )
    return clerks, token_create(username=f"sup-{league['banners'][0].code[:6]}")[1]


def copy_database(base: str, name: str) -> None:
    """``name`` recreated as a copy of the application database (whose connections end here: this
    process's own, e.g. the numbering connection of the statement count)."""
    from django.db import connections

    connections.close_all()
    admin_exec(
        base,
        f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{APP_DB}' "
        "AND pid <> pg_backend_pid()",
    )
    admin_exec(
        base, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name} TEMPLATE {APP_DB}"
    )


def own_data_dir(env: dict[str, str], prefix: str) -> dict[str, str]:
    """A copy of the data directory (the keys that decrypt the residents, the secret key) without the
    task queue and the file cache: servers running side by side must not share either."""
    data = tempfile.mkdtemp(prefix=prefix)
    shutil.copytree(
        env["ONEWINDOW_DATA_DIR"],
        data,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("huey.sqlite3*", "cache"),
    )
    return env | {"ONEWINDOW_DATA_DIR": data}


def snapshot_small(base: str, env: dict[str, str]) -> dict[str, str]:
    """The database at SMALL cases kept as ``<app>_small`` (tokens and the supervisor's session
    included), with its own data directory: the reads compare it with the grown database side by side."""
    name = f"{APP_DB}_small"
    copy_database(base, name)
    log(f"database at {SMALL:,} cases kept as {name}")
    return own_data_dir(env, "ow-scale-small-") | {"DATABASE_URL": f"{base}/{name}"}


def stop(*servers: subprocess.Popen[bytes]) -> None:
    for server in servers:
        server.terminate()
    for server in servers:
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:  # a busy machine: the database must be free for what follows
            server.kill()
            server.wait()


def reads(
    args: Any, small_env: dict[str, str] | None, big: subprocess.Popen[bytes], plan: list[Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The reads on the grown database (served by ``big`` on PORT) and, if it was kept, on the SMALL
    copy (served here on PORT + 3), alternating: (at SMALL, at N)."""
    base = args.pg.rstrip("/")
    big_side = (PORT, Cpu(big.pid, (f"{base}/postgres", APP_DB)))
    if small_env is None:
        return {}, read_figures(plan, [big_side])[0]
    server = start_server(ROOT, small_env | {"DJANGO_SETTINGS_MODULE": "bench_settings"}, PORT + 3, args)
    try:
        small_side = (PORT + 3, Cpu(server.pid, (f"{base}/postgres", f"{APP_DB}_small")))
        at_small, at_big = read_figures(plan, [small_side, big_side])
    finally:
        stop(server)
    return at_small, at_big


def levels(
    port: int, build: Any, seconds: float, server: Any, pg: tuple[str, str], what: str
) -> list[dict[str, Any]]:
    out = [run_level(port, build, c, seconds, server_pid=server.pid, pg=pg, log=log) for c in LEVELS]
    for r in out:
        log_level(what, r)
    return out


def paired_levels(
    sides: list[tuple[int, Any, Any, tuple[str, str]]], seconds: float, rounds: int, what: list[str]
) -> list[list[dict[str, Any]]]:
    """Intake on two servers (port, build, server, pg) at each level in ``rounds`` rounds of
    ``seconds / rounds`` per side, alternating A B B A …: a same-run ratio that the host's drift over
    minutes does not decide. Each level's rounds merged (all requests over the summed wall time)."""
    out: list[list[dict[str, Any]]] = [[] for _ in sides]
    for c in LEVELS:
        got: list[list[dict[str, Any]]] = [[] for _ in sides]
        for r in range(rounds):
            order = list(range(len(sides)))
            if r % 2:
                order.reverse()
            for i in order:
                port, build, server, pg = sides[i]
                got[i].append(
                    run_level(port, build, c, seconds / rounds, server_pid=server.pid, pg=pg, log=log)
                )
        per_round = [a["rps"] / b["rps"] if b["rps"] else float("nan") for a, b in zip(*got[:2], strict=True)]
        for i in range(len(sides)):
            out[i].append(merge(got[i]) | {"round_ratios": per_round})
            log_level(what[i], out[i][-1])
        log(f"  {c} clients: ratio per round " + ", ".join(f"{x:.2f}" for x in per_round))
    return out


def under_load(
    args: Any,
    env: dict[str, str],
    clerks: list[Any],
    loaded: dict[str, Any],
    league: Any,
    pg: Any,
    small_env: dict[str, str] | None,
) -> dict[str, Any]:
    """The current tree served (the baseline beside it): reads at SMALL and N, intake (with the
    baseline, alternating), ticket issue, progress look-up and the framework ceiling."""
    base = args.pg.rstrip("/")
    rev = os.environ.get("BENCH_BASELINE", "")
    old = baseline_server(args, env, base, rev) if rev else None
    server = start_server(ROOT, env | {"DJANGO_SETTINGS_MODULE": "bench_settings"}, PORT, args)
    short = max(3.0, args.seconds / 2)
    plan = read_plan(args.sup_token, args.session, clerks, args.small_samples, league)
    try:
        at_small, at_big = reads(args, small_env, server, plan)
        ours = (PORT, intake_build(clerks, itertools.count(0)), server, pg)
        if old:
            baseline_pg = (f"{base}/postgres", f"{APP_DB}_baseline")
            theirs = (PORT + 1, intake_build(clerks, itertools.count(5_000_000)), old, baseline_pg)
            intake, base_levels = paired_levels(
                [ours, theirs], args.seconds, args.rounds, ["intake", f"intake, baseline {rev}"]
            )
            stop(old)
        else:
            intake, base_levels = levels(PORT, ours[1], args.seconds, server, pg, "intake"), []
        return {
            "lookups": at_big,
            "lookups_small": at_small,
            "intake": intake,
            "baseline": base_levels,
            "tickets": levels(
                PORT, ticket_build([c for _t, _i, c in clerks]), short, server, pg, "ticket issue"
            ),
            "progress": levels(PORT, progress_build(loaded["samples"]), short, server, pg, "progress lookup"),
            "ceiling": levels(
                PORT, ceiling_build, short, server, pg, "framework ceiling (one-row insert view)"
            ),
        }
    finally:
        stop(server, *([old] if old else []))


def pooled(args: Any, env: dict[str, str], clerks: list[Any], pg: Any) -> tuple[list[dict[str, Any]], int]:
    """psycopg's pool (DB_POOL, CONN_MAX_AGE 0) against the default persistent connections, 8 clients."""
    pool_size = int(os.environ.get("BENCH_POOL", str(max(2, args.threads))))
    if not pool_size:
        return [], 0
    pool_env = env | {"DJANGO_SETTINGS_MODULE": "bench_settings", "DB_POOL": str(pool_size)}
    server = start_server(ROOT, pool_env, PORT + 2, args)
    try:
        out = [
            run_level(
                PORT + 2,
                intake_build(clerks, itertools.count(10_000_000)),
                8,
                args.seconds,
                server_pid=server.pid,
                pg=pg,
                log=log,
            ),
            run_level(
                PORT + 2, ceiling_build, 8, max(3.0, args.seconds / 2), server_pid=server.pid, pg=pg, log=log
            ),
        ]
    finally:
        stop(server)
    log_level(f"intake, DB_POOL={pool_size}", out[0])
    log_level(f"framework ceiling, DB_POOL={pool_size}", out[1])
    return out, pool_size


def rollback_targets(tree: Path) -> list[tuple[str, str]]:
    """(app, last migration of the baseline tree or ``zero``) for every app whose migrations differ."""
    targets = []
    for mig in sorted((ROOT / "onewindow").glob("*/migrations")):
        new = sorted(p.stem for p in mig.glob("0*.py"))
        old = sorted(p.stem for p in (tree / "onewindow" / mig.parent.name / "migrations").glob("0*.py"))
        if new != old:
            targets.append((mig.parent.name, old[-1] if old else "zero"))
    return targets


def baseline_database(base: str, env: dict[str, str], tree: Path) -> dict[str, str]:
    """A copy of the loaded database with the migrations the baseline does not know unapplied (by this
    tree's code, newest first): an old revision cannot run on the new schema (it answered 500). Its own
    data directory: it is served beside this tree's server."""
    from onewindow.security.audit import chain

    name = f"{APP_DB}_baseline"
    chain()  # the statement count's audit entries: the worker chains them; the old schema needs seq set
    copy_database(base, name)
    old_env = own_data_dir(env, "ow-scale-baseline-") | {"DATABASE_URL": f"{base}/{name}"}
    for app, target in rollback_targets(tree):
        log(f"  baseline database: migrate {app} {target}")
        subprocess.run(
            [sys.executable, "-m", "onewindow.cli", "migrate", app, target, "--noinput", "-v0"],
            env=old_env,
            cwd=ROOT,
            check=True,
        )
    return old_env


def baseline_server(args: Any, env: dict[str, str], base: str, rev: str) -> subprocess.Popen[bytes]:
    """Another revision (BENCH_BASELINE) served on its own copy of the data (port + 1)."""
    tree = Path(tempfile.mkdtemp(prefix="ow-baseline-"))
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    old_env = baseline_database(base, env, tree)
    served = argparse.Namespace(workers=args.baseline_workers, threads=args.baseline_threads)
    return start_server(tree, old_env | {"PYTHONPATH": str(tree)}, PORT + 1, served)


def pgbench_levels(base: str, seconds: float) -> dict[int, float]:
    subprocess.run(
        ["pgbench", *pg_args(base), "-i", "-q", "-s", "10", PGBENCH_DB], check=True, capture_output=True
    )
    tps = {}
    for conc in LEVELS:
        tps[conc] = pgbench(base, conc, int(seconds))
        log(f"  pgbench tpcb-like {conc:2d} clients: {tps[conc]:.0f} tps")
    return tps


def write_report(args: argparse.Namespace, report: str, suffix: str = "") -> None:
    print()
    print(report)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{dt.date.today().isoformat()}{suffix}.md"  # noqa: DTZ011
    path.write_text(report, encoding="utf-8")
    log(f"written to {path}")


def pg_version(base: str) -> str:
    import psycopg

    with psycopg.connect(f"{base}/postgres") as conn:
        return str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]


def main() -> int:
    args = parse_args()
    base = args.pg.rstrip("/")
    env = prepare(base, args.reads_only)
    league = build_league()
    log(
        f"league: {len(league['banners'])} banners, {len(league['townships'])} townships, "
        f"{len(league['villages'])} villages, {len(league['centre_by_j'])} centres, "
        f"{len(league['items'])} items"
    )
    state: dict[str, Any] = {"total": args.cases}
    small = min(SMALL, args.cases)
    data = load(base, league, state, small)
    clerks, args.sup_token = tokens(league)
    args.session = supervisor_session(league)
    # the reads' sampled cases: those of the first SMALL cases, which both databases hold
    args.small_samples = list(data["loaded"]["samples"])
    small_env = snapshot_small(base, env) if small < args.cases else None
    if small < args.cases:
        data = load(base, league, state, args.cases)
    meta = dict(data, args=args, league=league, pg_version=pg_version(base))
    pg = (f"{base}/postgres", APP_DB)
    if args.reads_only:
        from django.db import connections

        connections.close_all()
        server = start_server(ROOT, env | {"DJANGO_SETTINGS_MODULE": "bench_settings"}, PORT, args)
        plan = read_plan(args.sup_token, args.session, clerks, args.small_samples, league)
        try:
            at_small, at_big = reads(args, small_env, server, plan)
        finally:
            stop(server)
        figures = {"lookups": at_big, "lookups_small": at_small, "small": small}
        write_report(args, render_reads_report(dict(meta, figures=figures)), "-reads")
        return 0
    statements = count_statements(clerks[0], [c for _t, _i, c in clerks], data["loaded"]["samples"][-1])
    from django.db import connection

    connection.close()
    figures = under_load(args, env, clerks, data["loaded"], league, pg, small_env)
    figures["small"] = small
    figures["pooled"], figures["pool_size"] = pooled(args, env, clerks, pg)
    figures["rev"] = os.environ.get("BENCH_BASELINE", "")
    figures["rounds"] = args.rounds
    tps = pgbench_levels(base, args.seconds)
    write_report(args, render_report(dict(meta, figures=figures, tps=tps, statements=statements)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
