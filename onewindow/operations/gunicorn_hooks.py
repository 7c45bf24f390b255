"""gunicorn server hooks of ``onewindow serve`` (``-c python:onewindow.operations.gunicorn_hooks``),
given only when the server runs its own background worker (:mod:`onewindow.operations.embedded_worker`).
"""

from __future__ import annotations

from typing import Any

from onewindow.operations.embedded_worker import EmbeddedWorker

_worker: list[EmbeddedWorker] = []


def when_ready(server: Any) -> None:
    """The master listens and is about to fork the web workers: start the background worker."""
    worker = EmbeddedWorker(server.log)
    _worker.append(worker)
    worker.start()


def on_exit(server: Any) -> None:
    """The master stops: stop the background worker with it."""
    for worker in _worker:
        worker.stop()
