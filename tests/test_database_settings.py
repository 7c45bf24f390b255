"""SQLite given as DATABASE_URL=sqlite:///… gets the embedded default's options (WAL, BEGIN IMMEDIATE,
busy timeout), so concurrent writes wait for the lock instead of failing with "database is locked"."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from onewindow.settings import SQLITE_OPTIONS, database_config
from tests.test_concurrency import bearer, intake_body

ROOT = Path(__file__).resolve().parents[1]


def test_sqlite_url_gets_the_embedded_defaults_options(tmp_path: Path) -> None:
    embedded = database_config("", tmp_path)
    from_url = database_config(f"sqlite:///{tmp_path}/db.sqlite3", tmp_path)
    assert embedded["OPTIONS"] == from_url["OPTIONS"] == SQLITE_OPTIONS
    assert from_url["OPTIONS"]["transaction_mode"] == "IMMEDIATE" and from_url["OPTIONS"]["timeout"] >= 20
    assert "journal_mode=WAL" in from_url["OPTIONS"]["init_command"]
    assert from_url["NAME"] == f"{tmp_path}/db.sqlite3"
    pg = database_config("postgres://u@127.0.0.1:5432/x", tmp_path)
    assert "transaction_mode" not in pg.get("OPTIONS", {})


def test_postgresql_connections_run_without_jit_unless_asked(tmp_path: Path) -> None:
    url = "postgres://u@127.0.0.1:5432/x"
    assert database_config(url, tmp_path, jit=False)["OPTIONS"]["options"] == "-c jit=off"
    assert "options" not in (database_config(url, tmp_path, jit=True).get("OPTIONS") or {})
    kept = database_config(f"{url}?options=-c%20statement_timeout%3D5000", tmp_path, jit=False)
    assert kept["OPTIONS"]["options"] == "-c statement_timeout=5000 -c jit=off"
    assert "options" not in database_config("", tmp_path, jit=False)["OPTIONS"]  # SQLite


def test_postgresql_connections_run_without_parallel_query_unless_asked(tmp_path: Path) -> None:
    url = "postgres://u@127.0.0.1:5432/x"
    both = database_config(url, tmp_path, jit=False, parallel_workers=0)["OPTIONS"]["options"]
    assert both == "-c jit=off -c max_parallel_workers_per_gather=0"
    alone = database_config(url, tmp_path, jit=True, parallel_workers=2)["OPTIONS"]["options"]
    assert alone == "-c max_parallel_workers_per_gather=2"
    assert "options" not in (
        database_config(url, tmp_path, jit=True, parallel_workers=None).get("OPTIONS") or {}
    )
    assert "options" not in database_config("", tmp_path, parallel_workers=0)["OPTIONS"]  # SQLite


@pytest.mark.django_db
def test_the_live_postgresql_connection_has_no_jit_and_no_parallel_query() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cur:
        cur.execute("SHOW jit")
        assert cur.fetchone()[0] == "off"
        cur.execute("SHOW max_parallel_workers_per_gather")
        assert cur.fetchone()[0] == "0"


# Runs in a separate process with DATABASE_URL=sqlite:///<file>: the settings as a deployment reads them.
BURST = r"""
import io, json, os, sys, threading
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client

job = json.load(sys.stdin)
n = len(job["tickets"]) + len(job["intakes"])
barrier = threading.Barrier(n)
results, lock = [], threading.Lock()

def run(url, body, headers):
    try:
        c = Client(raise_request_exception=False)
        barrier.wait()
        r = c.post(url, body, content_type="application/json", **headers)
        with lock:
            results.append([url, r.status_code, r.content.decode()[:300]])
    finally:
        connections.close_all()

threads = [threading.Thread(target=run, args=("/api/v1/tickets", b, {})) for b in job["tickets"]]
threads += [
    threading.Thread(target=run, args=("/api/v1/cases", b, {"HTTP_AUTHORIZATION": job["auth"]}))
    for b in job["intakes"]
]
for t in threads:
    t.start()
for t in threads:
    t.join()
with connection.cursor() as cur:
    cur.execute("PRAGMA journal_mode")
    journal = cur.fetchone()[0]
out = io.StringIO()
call_command("audit", "verify", stdout=out)
print(json.dumps({"results": results, "journal": journal, "options": settings.DATABASES["default"]["OPTIONS"],
                  "verify": out.getvalue()}, ensure_ascii=False))
"""


@pytest.mark.skipif(
    "connection.vendor != 'sqlite'",
    reason="copies the SQLite test database into a file (the PostgreSQL pass has tests/test_concurrency.py)",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_writes_on_a_sqlite_database_url(tmp_path: Path) -> None:
    from tests.factories import build_world

    build_world()
    auth = bearer("clerk")["HTTP_AUTHORIZATION"]
    db_file = tmp_path / "onewindow.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(db_file) as target:
        connection.connection.backup(target)  # the migrated, seeded test database, as a file
    target.close()
    job: dict[str, Any] = {
        "auth": auth,
        "tickets": [{"centre": "C-A", "category": "comprehensive"}] * 20,
        "intakes": [intake_body(n) for n in [1, 2, 3, 4, 5, 1, 2, 3, 4, 5]],  # new, then returning
    }
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db_file}",
        "DJANGO_SETTINGS_MODULE": "onewindow.settings",
        "ONEWINDOW_DATA_DIR": str(settings.DATA_DIR),  # same keys as this process (tokens, blind index)
        "PYTHONPATH": str(ROOT),
        "QUEUE_ENFORCE_HOURS": "0",
        "PUBLIC_POST_RATE_LIMIT": "100000",
        "DEBUG": "0",
    }
    proc = subprocess.run(
        [sys.executable, "-c", BURST],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["options"] == SQLITE_OPTIONS and report["journal"] == "wal"
    failed = [r for r in report["results"] if r[1] != 201]
    assert failed == [], f"{len(failed)} of {len(report['results'])} failed: {failed[:3]}"
    tickets = [
        json.loads(body)["number"] for url, _code, body in report["results"] if url.endswith("tickets")
    ]
    assert sorted(tickets) == [f"A{i:03d}" for i in range(1, 21)]
    cases = [json.loads(body)["number"] for url, _code, body in report["results"] if url.endswith("cases")]
    assert len(set(cases)) == 10
    assert "共 10 个办件，记录链全部完整" in report["verify"]
