"""The background worker inside ``onewindow serve``: one supervised ``onewindow worker`` child.

``onewindow serve`` (and so ``make run``) runs the huey consumer as a child of gunicorn's master, so
notifications, SMS codes, reminders and webhooks work from the first minute without a second terminal.
The master starts it when it is ready (:mod:`onewindow.operations.gunicorn_hooks`), restarts it when it
dies, and stops it when the server stops; the child also stops by itself if the master disappears
(``--stop-with``). In production the systemd unit ``onewindow-worker.service`` runs the worker instead:
``SERVE_WITH_WORKER=0`` or ``onewindow serve --no-worker``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from typing import Any

RESTART_DELAY_SECONDS = 3.0
STOP_TIMEOUT_SECONDS = 15.0


def worker_command(parent_pid: int) -> list[str]:
    return [sys.executable, "-m", "onewindow.cli", "worker", "--stop-with", str(parent_pid)]


class EmbeddedWorker:
    """Start, watch, restart and stop one worker process (from the process that created it only)."""

    def __init__(self, log: Any) -> None:
        self.log = log
        self.owner = os.getpid()
        self.proc: subprocess.Popen[bytes] | None = None
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._supervise, name="onewindow-worker", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _spawn(self) -> bool:
        with self.lock:
            if self.stopping.is_set():
                return False
            # Its log lines join the server's; its own session, so only the master stops it (gracefully),
            # not a Ctrl-C or a signal to the whole group racing the restart.
            self.proc = subprocess.Popen(worker_command(self.owner), start_new_session=True)
        self.log.info("Background worker (huey consumer) started: pid %s", self.proc.pid)
        return True

    def _supervise(self) -> None:
        while self._spawn():
            assert self.proc is not None
            while not self.stopping.wait(1.0) and self.proc.poll() is None:
                pass
            if self.stopping.is_set():
                return
            self.log.warning(
                "Background worker exited (status %s); restarting in %.0f s",
                self.proc.returncode,
                RESTART_DELAY_SECONDS,
            )
            if self.stopping.wait(RESTART_DELAY_SECONDS):
                return

    def stop(self) -> None:
        if os.getpid() != self.owner:  # a forked web worker never stops the master's child
            return
        with self.lock:
            self.stopping.set()
            proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        self.log.info("Stopping the background worker: pid %s", proc.pid)
        proc.send_signal(signal.SIGINT)  # huey: finish the running tasks, then exit
        try:
            proc.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def stop_with(parent_pid: int) -> None:
    """In the worker: stop (as on Ctrl-C) when the server that started it is gone."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            threading.Event().wait(2.0)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=watch, name="stop-with-server", daemon=True).start()
