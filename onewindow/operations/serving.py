"""What ``onewindow serve`` wraps around Django's WSGI application (:mod:`onewindow.operations.warm`
builds it): a warm-up before gunicorn listens, and HEAD answered as GET without the body.

``onewindow serve`` runs gunicorn with ``--preload``: the master imports ``warm`` before it binds the
port and says "Listening at", and forks its workers from the warmed process. So the first request is
answered at once instead of each worker first importing every view, building the API schema and
compiling templates (8–13 s on two busy cores). Nothing is left open across the fork: the database and
cache connections the warm-up may have opened are closed before the workers are forked.

HEAD (RFC 9110 §9.3.2: the same as GET, without the body): Django's function views limited to GET
answered it 405 with a "Method Not Allowed (HEAD)" warning, and the others sent a body gunicorn then
dropped with a warning. :class:`HeadAsGet` runs the GET and sends its status and headers only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.core.cache import caches
from django.db import connections
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.template.loader import get_template
from django.urls import get_resolver

log = logging.getLogger("onewindow.serve")


def template_names() -> set[str]:
    """Every template the Django engines can find (project, apps, Django's own)."""
    names: set[str] = set()
    for engine in engines.all():
        for loader in engine.engine.template_loaders:  # type: ignore[attr-defined]
            for inner in getattr(loader, "loaders", [loader]):
                for directory in inner.get_dirs():
                    names.update(str(p.relative_to(directory)) for p in Path(directory).rglob("*.html"))
    return names


class HeadAsGet:
    """WSGI middleware: a HEAD request is run as GET; the response's body is closed unsent."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "HEAD":
            return self.app(environ, start_response)
        environ = {**environ, "REQUEST_METHOD": "GET"}  # the access log still says HEAD
        body = self.app(environ, start_response)
        close = getattr(body, "close", None)
        if close is not None:
            close()  # Django's request_finished (closes the database connection as usual)
        return []


def warm_up() -> float:
    """Import every view (the URLconf, the API and its schema), compile every template; seconds taken."""
    started = time.monotonic()
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - imports the URLconf and with it every view and router
    resolver._populate()
    for name in sorted(template_names()):
        try:
            get_template(name)
        except (TemplateDoesNotExist, TemplateSyntaxError):  # a partial that only works included
            continue
    connections.close_all()
    caches.close_all()
    return time.monotonic() - started
