"""A real local HTTP receiver (a thread) for webhook and SMS-gateway tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers with the next status of ``script`` (then ``default``); ``stall`` holds answers back."""

    url: str = ""
    script: list[int] = field(default_factory=list)
    default: int = 200
    delay: float = 0.0
    requests: list[Received] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    hold: bool = False

    def next_status(self) -> int:
        return self.script.pop(0) if self.script else self.default


@contextmanager
def running_receiver(**kw: object) -> Iterator[Receiver]:
    rec = Receiver(**kw)  # type: ignore[arg-type]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            rec.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            rec.arrived.set()
            if rec.hold:
                rec.release.wait(60)
            if rec.delay:
                time.sleep(rec.delay)
            status = rec.next_status()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:
                pass

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    rec.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        yield rec
    finally:
        rec.release.set()
        server.shutdown()
        server.server_close()
