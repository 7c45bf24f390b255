"""Past one process: two gunicorn app servers and a huey worker against one PostgreSQL and one Redis.

Tickets issued concurrently through both servers get unique, gap-free numbers; the same case transition
raced on both servers succeeds exactly once and every timeline's hash chain stays intact; a notification
queued by one server is delivered by the separate worker process. PostgreSQL only (skipped on SQLite).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(url)


def _request(url: str, body: dict[str, Any] | None = None, token: str = "") -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method="POST" if body is not None else "GET")
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[dict[str, Any]]:
    if connection.vendor != "postgresql":
        pytest.skip("multi-process deployment test runs on PostgreSQL only")
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        pytest.skip("redis-server not installed")
    procs: list[subprocess.Popen[bytes]] = []
    redis_port = _free_port()
    procs.append(
        subprocess.Popen(
            [redis_server, "--port", str(redis_port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    )
    s = connection.settings_dict
    db_url = (
        f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "ONEWINDOW_DATA_DIR": str(settings.DATA_DIR),  # same keys as this process
        "HUEY_NAME": f"ow-test-{redis_port}",
        "QUEUE_ENFORCE_HOURS": "0",
        "PUBLIC_POST_RATE_LIMIT": "100000",
        "DEBUG": "0",
        "SERVE_WITH_WORKER": "0",  # as deployed: the separate worker below delivers
    }
    ports = [_free_port(), _free_port()]
    log = (tmp_path / "cluster.log").open("wb")
    for port in ports:
        procs.append(
            subprocess.Popen(
                [str(BIN / "onewindow"), "serve", "--port", str(port), "--workers", "2", "--threads", "2"],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=log,
            )
        )
    procs.append(
        subprocess.Popen([str(BIN / "onewindow"), "worker"], env=env, cwd=ROOT, stdout=log, stderr=log)
    )
    try:
        for port in ports:
            _wait_http(f"http://127.0.0.1:{port}/healthz")
        yield {
            "urls": [f"http://127.0.0.1:{p}" for p in ports],
            "log": tmp_path / "cluster.log",
            "redis_url": env["REDIS_URL"],
            "huey_name": env["HUEY_NAME"],
        }
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        log.close()


def test_two_app_servers_and_a_worker(cluster: dict[str, Any]) -> None:
    from onewindow.api.tokens import token_create
    from onewindow.cases.models import Case
    from onewindow.cases.selectors import chain_verify
    from onewindow.queueing.models import Ticket
    from tests.cases.conftest import intake
    from tests.factories import build_world

    build_world()
    urls = cluster["urls"]

    # 1. Tickets: 40 concurrent requests spread over both servers.
    def take(i: int) -> tuple[int, Any]:
        return _request(f"{urls[i % 2]}/api/v1/tickets", {"centre": "C-A", "category": "comprehensive"})

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(take, range(40)))
    assert all(code in (200, 201) for code, _ in results), results[:3]
    numbers = [body["number"] for _, body in results]
    assert len(set(numbers)) == 40
    digits = sorted(int("".join(ch for ch in n if ch.isdigit())) for n in numbers)
    assert digits == list(range(digits[0], digits[0] + 40)), "ticket numbers have gaps or repeats"
    assert Ticket.objects.filter(centre__code="C-A").count() == 40

    # 2. The same transition raced on both servers: exactly one wins, chains stay intact.
    _, token = token_create(username="reviewer")
    cases = [intake() for _ in range(6)]

    def approve(args: tuple[int, str]) -> int:
        i, number = args
        return _request(f"{urls[i % 2]}/api/v1/cases/{number}/actions", {"action": "approve"}, token=token)[0]

    jobs = [(i, c.number) for c in cases for i in (0, 1)]
    with ThreadPoolExecutor(max_workers=12) as pool:
        codes = list(pool.map(approve, jobs))
    for k in range(len(cases)):
        pair = sorted(codes[2 * k : 2 * k + 2])
        assert pair == [200, 409], pair
    for c in Case.objects.filter(pk__in=[c.pk for c in cases]):
        assert c.state == "approved"
        assert chain_verify(c) == []

    # 3. Work queued on Redis is done by the separate worker process.
    from huey import RedisHuey
    from huey.contrib.djhuey import HUEY

    from onewindow.notify import services as notify_services
    from onewindow.notify.models import Notification
    from onewindow.notify.services import notify

    saved = HUEY.storage
    HUEY.storage = RedisHuey(cluster["huey_name"], url=cluster["redis_url"]).storage
    # the intakes above asked this process's own queue for a batch within the last second (debounced,
    # ``services.kick``): this commit must ask the cluster's queue, the one its worker reads
    notify_services._debounced.reset()
    try:
        n = notify(
            "ready",
            channel="sms",
            to="13912345678",
            context={"number": cases[0].number, "item": "最低生活保障申请", "centre": "甲镇便民服务中心"},
            case_number=cases[0].number,
        )
    finally:
        HUEY.storage = saved
    deadline = time.time() + 30
    state = ""
    while time.time() < deadline:
        state = Notification.objects.get(pk=n.pk).state
        if state != "queued":
            break
        time.sleep(0.3)
    assert state == "sent", (state, cluster["log"].read_text()[-2000:])
