"""The `onewindow` command and the real background worker (huey consumer in a subprocess)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "HUEY_IMMEDIATE"}}
    env["ONEWINDOW_DATA_DIR"] = str(data_dir)
    env["PYTHONPATH"] = str(ROOT)
    return env


def _ow(args: list[str], data_dir: Path, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "onewindow.cli", *args],
        env=_env(data_dir),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


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


def test_worker_runs_enqueued_task(tmp_path: Path) -> None:
    assert _ow(["migrate", "--noinput"], tmp_path, timeout=300).returncode == 0
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
