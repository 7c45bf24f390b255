"""At-least-once across a worker crash: a real ``onewindow worker`` is killed (SIGKILL) while the receiver
stalls; after a restart the event is delivered, and every copy carries the same event id."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from onewindow.integration.services import verify
from tests.integration.receiver import running_receiver
from tests.support import run_python

ROOT = Path(__file__).resolve().parent.parent.parent
SECRET = "kill-test-secret"


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "HUEY_IMMEDIATE"}}
    env.update(
        ONEWINDOW_DATA_DIR=str(data_dir),
        PYTHONPATH=str(ROOT),
        WEBHOOK_TIMEOUT="5",
        WEBHOOK_ALLOW_PRIVATE="1",  # the receiver listens on 127.0.0.1
        WEBHOOK_LEASE_SECONDS="6",
        LOG_LEVEL="WARNING",
    )
    return env


def _shell(code: str, data_dir: Path) -> str:
    return run_python(["-m", "onewindow.cli", "shell", "-c", code], _env(data_dir))


def _worker(data_dir: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "onewindow.cli", "worker", "--workers", "1"],
        env=_env(data_dir),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


STATE = (
    "from onewindow.integration.models import WebhookDelivery as D; "
    "d = D.objects.get(); print('STATE', d.state, d.attempts)"
)


def test_worker_killed_mid_delivery_redelivers_with_the_same_event_id(tmp_path: Path) -> None:
    run_python(["-m", "onewindow.cli", "migrate", "--noinput"], _env(tmp_path), timeout=600)
    with running_receiver(hold=True) as rec:
        out = _shell(
            "from django.db import transaction\n"
            "from onewindow.core.actor import system\n"
            "from onewindow.integration.services import subscription_create, event_record\n"
            "with transaction.atomic():\n"
            f"    subscription_create(actor=system(), name='t', url='{rec.url}', secret='{SECRET}')\n"
            "    e = event_record('case.accept', data={'number': 'K1'})\n"
            "print('EVENT', e.id)\n",
            tmp_path,
        )
        event_id = out.split("EVENT", 1)[1].strip()

        worker = _worker(tmp_path)
        try:
            assert rec.arrived.wait(90), "the worker never posted the event"
            os.kill(worker.pid, signal.SIGKILL)  # dies while the receiver is still holding the answer
            worker.wait(timeout=30)
        finally:
            if worker.poll() is None:
                worker.kill()
        assert "STATE delivering 1" in _shell(STATE, tmp_path)  # claimed, never finished
        rec.hold = False
        rec.release.set()

        worker = _worker(tmp_path)
        try:
            deadline = time.monotonic() + 120
            state = ""
            while time.monotonic() < deadline:
                # what the minute scan does; enqueued here so the test need not wait for the clock
                _shell(
                    "from onewindow.integration.tasks import deliver_webhooks; deliver_webhooks()", tmp_path
                )
                time.sleep(2)
                state = _shell(STATE, tmp_path)
                if "STATE done" in state:
                    break
            assert "STATE done 2" in state, state
        finally:
            worker.terminate()
            worker.wait(timeout=30)

    assert len(rec.requests) == 2
    assert {r.headers["x-onewindow-event-id"] for r in rec.requests} == {event_id}
    assert rec.requests[0].body == rec.requests[1].body
    assert all(verify(SECRET, r.body, r.headers["x-onewindow-signature"]) for r in rec.requests)
