"""The Markdown report of one benchmark run."""

from __future__ import annotations

import datetime as dt
import os
import platform
import time
from typing import Any

from load import pct

from .common import T0


def _header(kw: dict[str, Any]) -> list[str]:
    args, league = kw["args"], kw["league"]
    return [
        f"# OneWindow benchmark — {dt.date.today().isoformat()}"  # noqa: DTZ011
        + (" (reads only)" if getattr(args, "reads_only", False) else ""),
        "",
        f"Machine: {os.cpu_count()} CPU cores, {platform.system()} {platform.machine()}, Python "
        f"{platform.python_version()}, PostgreSQL {kw['pg_version']} (same host, loopback). Server: gunicorn "
        f"`onewindow serve` {args.workers} workers × {args.threads} threads"
        + (
            f" (the baseline: {args.baseline_workers} × {args.baseline_threads})"
            if (kw.get("figures") or {}).get("baseline")
            else ""
        )
        + ", persistent DB connections.",
        f"Data: 10 banners, 100 townships, 1,000 villages, 1,110 centres, {len(league['items'])} items; "
        f"{args.cases:,} cases with {kw['loaded']['events']:,} hash-chained events, "
        f"{sum(len(v) for v in kw['residents'].values()):,} residents (encrypted), "
        f"loaded with COPY in {kw['load_s']:.0f} s (database {kw['size']}).",
    ]


def _statements(statements: dict[str, dict[str, Any]]) -> list[str]:
    lines = [
        "",
        "## Statements per request (one request, warm caches, in-process)",
        "",
        "| request | statements | transactions | health-check `SELECT 1` |",
        "|---|---:|---:|---:|",
    ]
    for name, r in statements.items():
        lines.append(f"| {name} | {r['statements']} | {r['transactions']} | {r['health_checks']} |")
    intake = statements.get("intake (POST /api/v1/cases)")
    if intake:
        lines += [
            "",
            f"statements per intake: {intake['statements']} / "
            f"transactions per intake: {intake['transactions']}",
            "",
            "Statements of one intake by origin: "
            + ", ".join(f"{origin} {n}" for origin, n in intake["origins"].items()),
        ]
    return lines


def _load_rows(fig: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    rows = [("intake", fig["intake"])]
    if fig["baseline"]:
        rows.append((f"intake, baseline `{fig['rev']}`", fig["baseline"]))
    rows += [("ticket issue", fig["tickets"])]
    if fig.get("progress"):
        rows += [("progress lookup (GET /api/v1/progress)", fig["progress"])]
    rows += [("framework ceiling (1-row insert view)", fig["ceiling"])]
    if fig["pooled"]:
        rows += [
            (f"intake, psycopg pool `DB_POOL={fig['pool_size']}`", fig["pooled"][:1]),
            (f"framework ceiling, `DB_POOL={fig['pool_size']}`", fig["pooled"][1:]),
        ]
    return rows


def _under_load(seconds: float, fig: dict[str, Any], tps: dict[int, float]) -> list[str]:
    lines = [
        "",
        f"## Under load ({seconds:.0f} s per intake level) vs pgbench tpcb-like",
        "",
        "| request | clients | req/s | p50 ms | p99 ms | errors | app CPU ms/req | PostgreSQL CPU ms/req "
        "| pgbench tps | ÷ pgbench |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for what, levels in _load_rows(fig):
        for r in levels:
            c = r["clients"]
            lines.append(
                f"| {what} | {c} | {r['rps']:.1f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['errors']} | "
                f"{r['app_ms']:.1f} | {r['pg_ms']:.2f} | {tps[c]:.0f} | {r['rps'] / tps[c]:.3f} |"
            )
    if fig["baseline"]:
        ratios = [
            f"{n['clients']} clients {n['rps'] / b['rps']:.2f}×" if b["rps"] else f"{n['clients']} clients —"
            for n, b in zip(fig["intake"], fig["baseline"], strict=True)
        ]
        lines += ["", "intake ÷ baseline (same run): " + ", ".join(ratios)]
        rounds = fig.get("rounds", 1)
        if rounds > 1:
            per = "; ".join(
                f"{n['clients']} clients " + ", ".join(f"{x:.2f}×" for x in n.get("round_ratios", []))
                for n in fig["intake"]
            )
            lines += [
                "",
                f"Each intake level ran in {rounds} rounds per tree, the two servers up side by side and the "
                "rounds alternating (this tree, the baseline, the baseline, this tree, …), each round "
                f"{seconds / rounds:.0f} s; the rows above merge a tree's rounds. "
                f"Ratio per round pair: {per}.",
            ]
    if fig["pooled"]:
        eight = next(r for r in fig["intake"] if r["clients"] == 8)
        ceil8 = next(r for r in fig["ceiling"] if r["clients"] == 8)
        lines += [
            "",
            "persistent connections ÷ psycopg pool at 8 clients (same run): "
            f"intake {eight['rps'] / fig['pooled'][0]['rps']:.2f}×, "
            f"framework ceiling {ceil8['rps'] / fig['pooled'][1]['rps']:.2f}×",
        ]
    return lines


def _reads(fig: dict[str, Any], cases: int) -> list[str]:
    """One row per read: p50 wall time and CPU per request on the same database at SMALL cases and at
    N, each with its ratio, and p99 at N."""
    small, at_small, at_n = fig["small"], fig["lookups_small"], fig["lookups"]
    lines = [
        "",
        f"## Reads at {small:,} and at {cases:,} cases (side by side, sequential, one client)",
        "",
        f"The database as it was at {small:,} cases is kept as a copy; after it has grown to {cases:,}, both "
        "are served at once and every read alternates between them in rounds (A B B A A B B A), so that "
        "both p50s are taken on the same machine in the same minutes.",
        "",
        f"| read | n | p50 ms at {small:,} | p50 ms at {cases:,} | ratio | CPU ms at {small:,} "
        f"| CPU ms at {cases:,} | CPU ratio | p99 ms at {cases:,} |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    nan = ([float("nan")], [], float("nan"))
    for name, (lat, _codes, cpu) in at_n.items():
        lat0, _codes0, cpu0 = at_small.get(name, nan)
        p0, p1 = pct(lat0, 50), pct(lat, 50)
        cells = f"{p0:.1f} | {p1:.1f} | {p1 / p0:.2f} | {cpu0:.1f} | {cpu:.1f} | {cpu / cpu0:.2f}"
        lines.append(f"| {name} | {len(lat)} | {cells} | {pct(lat, 99):.1f} |")
    lines += [
        "",
        "CPU per read: the server's processes and the application database's PostgreSQL backends "
        "(procfs, 10 ms ticks) over the read's requests, ÷ requests; on a shared machine it moves less "
        "than the wall time with what else runs.",
    ]
    return lines


def render_report(kw: dict[str, Any]) -> str:
    lines = _header(kw) + _statements(kw["statements"])
    lines += _under_load(kw["args"].seconds, kw["figures"], kw["tps"])
    lines += _reads(kw["figures"], kw["args"].cases)
    lines += [
        "",
        "CPU per request: user + system time of the server's processes (procfs) and of the PostgreSQL "
        "backends of the application database (`pg_stat_activity` pids), over the level, ÷ successful "
        "requests. A pgbench tpcb-like transaction is 5 SQL statements; the ratio says how many raw "
        "database transactions' worth of capacity one request costs on this machine.",
        f"Total benchmark time: {time.perf_counter() - T0:.0f} s.",
    ]
    return "\n".join(lines) + "\n"


def render_reads_report(kw: dict[str, Any]) -> str:
    """A reads-only run (``--reads-only``): the header and the reads table."""
    lines = _header(kw) + _reads(kw["figures"], kw["args"].cases)
    lines += ["", f"Reads only (`--reads-only`). Total benchmark time: {time.perf_counter() - T0:.0f} s."]
    return "\n".join(lines) + "\n"
