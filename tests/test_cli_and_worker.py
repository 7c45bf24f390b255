"""The `onewindow` command and the real background worker (huey consumer in a subprocess); `onewindow
serve` with its embedded worker, the busy-port message, the serve defaults, HEAD, the data directory."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.support import python_process

ROOT = Path(__file__).resolve().parent.parent


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "HUEY_IMMEDIATE"}}
    env["ONEWINDOW_DATA_DIR"] = str(data_dir)
    env["PYTHONPATH"] = str(ROOT)
    return env


def _ow(args: list[str], data_dir: Path, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return python_process(["-m", "onewindow.cli", *args], _env(data_dir), timeout)


def test_cli_help_lists_commands() -> None:
    from onewindow import cli

    assert cli.main(["--help"]) == 0


def test_first_start_creates_secret_files_mode_600(tmp_path: Path) -> None:
    r = _ow(["check"], tmp_path)
    assert r.returncode == 0, r.stderr
    for name in ("secret_key", "data_keys", "index_key"):
        f = tmp_path / name
        assert f.exists()
        assert oct(f.stat().st_mode & 0o777) == "0o600"
    before = (tmp_path / "secret_key").read_text()
    assert _ow(["check"], tmp_path).returncode == 0
    assert (tmp_path / "secret_key").read_text() == before  # reused, not regenerated


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite data directory for the tests that start real processes (migrating takes long)."""
    data_dir = tmp_path_factory.mktemp("ow")
    r = _ow(["migrate", "--noinput"], data_dir, timeout=300)
    assert r.returncode == 0, r.stderr
    return data_dir


def test_worker_runs_enqueued_task(migrated: Path) -> None:
    tmp_path = migrated
    enqueue = "from onewindow.org.tasks import heartbeat; heartbeat('from-test')"
    r = _ow(["shell", "-c", enqueue], tmp_path)
    assert r.returncode == 0, r.stderr
    worker = subprocess.Popen(
        [sys.executable, "-m", "onewindow.cli", "worker", "--workers", "1"],
        env=_env(tmp_path),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        check = (
            "from onewindow.org.models import WorkerHeartbeat as H; "
            "print(H.objects.filter(name='from-test').exists())"
        )
        deadline = time.monotonic() + 60
        seen = False
        while time.monotonic() < deadline:
            out = _ow(["shell", "-c", check], tmp_path)
            if out.stdout.strip().endswith("True"):
                seen = True
                break
            time.sleep(1)
        assert seen, "the worker did not run the queued task within 60 s"
    finally:
        worker.terminate()
        worker.wait(timeout=30)


@pytest.mark.django_db
def test_heartbeat_task_runs_inline() -> None:
    from onewindow.org.models import WorkerHeartbeat
    from onewindow.org.tasks import heartbeat

    heartbeat.call_local("inline")
    assert WorkerHeartbeat.objects.filter(name="inline").exists()


# --- onewindow serve -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthz(port: int) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
            return dict(json.loads(r.read()))
    except OSError:
        return None


def _processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@pytest.fixture
def server(migrated: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    port = _free_port()
    log = migrated / f"serve-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "onewindow.cli", "serve", f"--port={port}", "--workers=1", "--threads=1"],
            env=_env(migrated),
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            yield proc, port, log
        finally:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=30)


def test_serve_runs_the_background_worker(server: tuple[subprocess.Popen[bytes], int, Path]) -> None:
    proc, port, log = server
    deadline = time.monotonic() + 60
    body = None
    while time.monotonic() < deadline and proc.poll() is None:
        body = _healthz(port)
        if body and body["worker_last_seen_seconds"] is not None:
            break
        time.sleep(0.5)
    assert body and body["database"] is True, log.read_text()
    assert body["worker_last_seen_seconds"] is not None, "no heartbeat of the worker\n" + log.read_text()
    assert body["worker_last_seen_seconds"] < 60
    # one sync worker (threads=1, the default kind): eight clients at once wait their turn, none fails
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _i: _healthz(port), range(8)))
    assert all(a and a["database"] is True for a in answers), log.read_text()
    run_dir = Path(_env(log.parent)["ONEWINDOW_DATA_DIR"]) / "run"
    assert (run_dir / f"gunicorn-{port}.pid").read_text().strip() == str(proc.pid)
    deadline = time.monotonic() + 15  # gunicorn opens its control socket in a thread after start-up
    while not (run_dir / f"ctl-{port}").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert (run_dir / f"ctl-{port}").exists(), log.read_text()  # this instance's own control socket
    child = _processes_with(f"--stop-with {proc.pid}")
    assert len(child) == 1
    proc.send_signal(signal.SIGINT)  # Ctrl-C: the worker stops with the server
    proc.wait(timeout=30)
    deadline = time.monotonic() + 20
    while _processes_with(f"--stop-with {proc.pid}") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_with(f"--stop-with {proc.pid}") == []
    text = log.read_text()
    assert "Using worker: sync" in text
    assert "Listening at" in text and "Background worker (huey consumer) started" in text
    assert "+0800]" in text and "+0000]" not in text  # one time zone: Asia/Shanghai with its offset


def test_serve_refuses_a_busy_port_and_says_how_to_choose_another(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = _ow(["serve", "--port", str(port)], tmp_path, timeout=60)
        ports = subprocess.run(
            [sys.executable, "-m", "onewindow.operations.ports", "127.0.0.1", str(port)],
            cwd=ROOT,
            env=_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    for result in (r, ports):
        assert result.returncode == 2
        assert f"端口 {port} 已被占用" in result.stderr and f"Port {port} is already in use" in result.stderr
        assert "PORT=8001 make run" in result.stderr
    assert not (tmp_path / "onewindow.sqlite3").exists()  # refused before touching anything


def test_serve_defaults_fit_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    from onewindow import cli

    for name in ("WEB_CONCURRENCY", "ONEWINDOW_THREADS", "ONEWINDOW_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    args = cli.serve_arguments([])
    assert (args.workers, args.threads, args.timeout, args.worker) == (
        len(os.sched_getaffinity(0)) + 1,
        1,
        120,
        None,
    )
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    monkeypatch.setenv("ONEWINDOW_THREADS", "3")
    monkeypatch.setenv("ONEWINDOW_TIMEOUT", "60")
    args = cli.serve_arguments(["--no-worker"])
    assert (args.workers, args.threads, args.timeout, args.worker) == (5, 3, 60, False)


def test_serve_arguments_for_gunicorn(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    from onewindow import cli

    seen: list[list[str]] = []
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    monkeypatch.setattr("gunicorn.app.wsgiapp.run", lambda: seen.append(list(sys.argv)))
    monkeypatch.setattr(cli, "port_free", lambda host, port: True)
    settings.SERVE_WITH_WORKER = True
    cli.serve(["--port", "8123"])
    settings.SERVE_WITH_WORKER = False
    cli.serve(["--port", "8123"])
    cli.serve(["--port", "8123", "--worker"])
    with_worker, without, forced = seen
    hooks = ["--config", "python:onewindow.operations.gunicorn_hooks"]
    assert "--preload" in with_worker and with_worker[1] == "onewindow.operations.warm:application"
    assert " ".join(hooks) in " ".join(with_worker) and " ".join(hooks) not in " ".join(without)
    assert " ".join(hooks) in " ".join(forced)
    run_dir = str(Path(settings.DATA_DIR) / "run")
    for flag, value in (("--pid", "gunicorn-8123.pid"), ("--control-socket", "ctl-8123")):
        assert with_worker[with_worker.index(flag) + 1] == f"{run_dir}/{value}"
    assert with_worker[with_worker.index("--worker-tmp-dir") + 1] == run_dir


def test_head_is_get_without_the_body() -> None:
    from onewindow.operations.serving import HeadAsGet

    calls: list[str] = []

    class Body(list[bytes]):
        closed = False

        def close(self) -> None:
            self.closed = True

    body = Body([b"<html>"])

    def app(environ: dict[str, Any], start_response: Any) -> Body:
        calls.append(environ["REQUEST_METHOD"])
        start_response("200 OK", [("Content-Length", "6")])
        return body

    started: list[str] = []
    head = {"REQUEST_METHOD": "HEAD"}
    assert list(HeadAsGet(app)(head, lambda status, headers: started.append(status))) == []
    assert calls == ["GET"] and started == ["200 OK"] and body.closed
    assert head["REQUEST_METHOD"] == "HEAD"  # the access log still names the method asked
    assert list(HeadAsGet(app)({"REQUEST_METHOD": "GET"}, lambda s, h: None)) == [b"<html>"]


def test_data_dir_defaults_to_the_checkouts_var() -> None:
    import importlib

    settings_module = importlib.import_module("onewindow.settings")
    assert settings_module._default_data_dir() == str(ROOT / "var")  # not the working directory's


def test_axes_lines_go_to_the_security_log_not_the_console(settings: Any) -> None:
    import logging

    handlers = [h for h in logging.getLogger("axes").handlers if not type(h).__module__.startswith("_pytest")]
    assert [type(h).__name__ for h in handlers] == ["WatchedFileHandler"]  # (pytest adds its own)
    assert not logging.getLogger("axes").propagate
    logging.getLogger("axes").warning("AXES: probe %s", "lockout")
    for h in handlers:
        h.flush()
    assert "AXES: probe lockout" in (Path(settings.DATA_DIR) / "security.log").read_text()


def test_embedded_worker_is_restarted_when_it_dies_and_stopped_with_the_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from onewindow.operations import embedded_worker

    class Log:
        def __init__(self) -> None:
            self.lines: list[str] = []

        def info(self, msg: str, *args: Any) -> None:
            self.lines.append(msg % args)

        warning = info

    dies_at_once = [sys.executable, "-c", "pass"]
    monkeypatch.setattr(embedded_worker, "RESTART_DELAY_SECONDS", 0.1)
    monkeypatch.setattr(embedded_worker, "worker_command", lambda parent: dies_at_once)
    log = Log()
    worker = embedded_worker.EmbeddedWorker(log)
    worker.start()
    deadline = time.monotonic() + 8
    while sum("restarting" in line for line in log.lines) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sum("restarting" in line for line in log.lines) >= 2, log.lines
    long_lived = [sys.executable, "-c", "import time; time.sleep(60)"]
    monkeypatch.setattr(embedded_worker, "worker_command", lambda parent: long_lived)
    while (worker.proc is None or worker.proc.args != long_lived) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert worker.proc is not None and worker.proc.poll() is None
    worker.stop()
    assert worker.proc.poll() is not None  # stopped (SIGINT), not left behind
    worker.thread.join(timeout=5)
    assert not worker.thread.is_alive()


def test_the_served_application_is_frozen_out_of_the_collector_before_workers_fork(tmp_path: Path) -> None:
    """``--preload`` imports ``operations.warm`` in gunicorn's master: what it loaded (Django, the URLs,
    views, templates) is frozen (gc.freeze), so the workers' full collections do not walk it."""
    code = "import gc, onewindow.operations.warm; print(gc.get_freeze_count())"
    r = python_process(["-c", code], _env(tmp_path))
    assert r.returncode == 0, r.stderr
    assert int(r.stdout.strip().splitlines()[-1]) > 10_000
