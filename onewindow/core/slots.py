"""``Slot``: an extension point's one answerer, installed by the app that implements it.

A lower app publishes a slot (``_backend = Slot("audit backend", "security", RuntimeError)``); the
outer app installs its answerer in ``AppConfig.ready()`` (``_backend.install(...)``); callers get it
with ``_backend.get()``, which raises while nothing is installed, so a call is never silently lost.
"""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class Slot(Generic[T]):
    def __init__(self, what: str, app: str, error: type[Exception] = LookupError) -> None:
        self.what, self.app, self.error = what, app, error
        self._value: T | None = None

    def install(self, value: T) -> None:
        self._value = value

    def get(self) -> T:
        if self._value is None:  # pragma: no cover - only without the answering app
            raise self.error(f"no {self.what} installed (is onewindow.{self.app} in INSTALLED_APPS?)")
        return self._value
