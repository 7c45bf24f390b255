"""Ask the worker for a background task a few seconds from now, at most once per that interval per
process (the ledger's fold, the notices' batch delivery).

The task runs ``seconds`` after the first request of an interval and handles everything committed
before it runs, so a request suppressed inside the interval loses nothing; a request the broker
refuses is logged, not raised (the task's minutely sweep catches up)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any


class Debounced:
    """``Debounced(task, seconds, log, message)()``: ``task.schedule(delay=seconds())`` unless this
    process did so less than that many seconds ago."""

    def __init__(self, task: Any, seconds: Callable[[], int], log: logging.Logger, message: str) -> None:
        self.task = task  # its ``schedule`` is looked up at each call (tests replace it)
        self.seconds = seconds
        self.log = log
        self.message = message
        self._next = 0.0

    def __call__(self) -> None:
        delay = int(self.seconds())
        now = time.monotonic()
        if now < self._next:
            return
        self._next = now + delay
        try:
            self.task.schedule(delay=delay)
        except Exception:  # the broker is down: the task's periodic sweep catches up
            self.log.warning("%s", self.message, exc_info=True)

    def reset(self) -> None:
        """Forget the last request (the next call asks again)."""
        self._next = 0.0
