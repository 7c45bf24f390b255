"""API keys and tokens in query strings (Open311 clients) are not written to the access log."""

from __future__ import annotations

import datetime as dt
import logging
import sys
from types import SimpleNamespace
from typing import Any

import pytest
from gunicorn.config import Config

from onewindow import cli
from onewindow.core.accesslog import RedactingLogger, redact

KEY = "ow_s3cr3tKEYvalue"


def _log_line(raw_uri: str, fmt: str | None = None, **headers: str) -> str:
    cfg = Config()
    cfg.set("accesslog", "-")
    if fmt:
        cfg.set("access_log_format", fmt)
    logger = RedactingLogger(cfg)
    records: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    logger.access_log.addHandler(Capture())
    path, _, query = raw_uri.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": raw_uri,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": f"https://x.example/?token={KEY}",
    }
    resp = SimpleNamespace(status="200 OK", sent=10, headers=[])
    req = SimpleNamespace(headers=list(headers.items()))
    logger.access(resp, req, environ, dt.timedelta(seconds=0, microseconds=1500))
    assert records
    return records[-1]


@pytest.mark.parametrize(
    "uri",
    [
        f"/open311/v2/requests.json?api_key={KEY}&jurisdiction_id=152522",
        f"/open311/v2/requests.json?jurisdiction_id=152522&api_key={KEY}",
        f"/api/v1/cases?token={KEY}",
        f"/api/v1/cases?access_token={KEY}&page=2",
    ],
)
def test_secret_query_values_are_redacted_in_the_access_log(uri: str) -> None:
    line = _log_line(uri)
    assert KEY not in line
    assert "[redacted]" in line
    assert "/api/v1/" in line or "/open311/" in line  # the rest of the request line stays


def test_other_atoms_and_headers_are_redacted_too() -> None:
    line = _log_line(
        f"/open311/v2/services.json?api_key={KEY}",
        fmt="%(q)s %({query_string}e)s %({authorization}i)s %(f)s",
        Authorization=f"Bearer {KEY}",
    )
    assert KEY not in line and line.count("[redacted]") == 4


def test_redact_leaves_other_parameters_alone() -> None:
    assert redact("/a?monkey=1&page=2&q=token") == "/a?monkey=1&page=2&q=token"
    assert redact("/a?mykey=3") == "/a?mykey=3"


def test_onewindow_serve_uses_the_redacting_logger(monkeypatch: Any) -> None:
    seen: list[list[str]] = []
    import gunicorn.app.wsgiapp

    monkeypatch.setattr(gunicorn.app.wsgiapp, "run", lambda: seen.append(list(sys.argv)))
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    cli.serve(["--port", "8999"])
    argv = seen[0]
    assert argv[argv.index("--logger-class") + 1] == "onewindow.core.accesslog.RedactingLogger"
