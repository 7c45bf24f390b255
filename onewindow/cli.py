"""The ``onewindow`` command: Django's management commands plus a few of our own.

onewindow migrate                 apply database migrations
onewindow demo                    load the demo county (idempotent)
onewindow serve [--host H --port P] [--workers N] [--threads N] [--timeout S] [--no-worker]
                                  serve with gunicorn (static files via whitenoise) and run the
                                  background worker beside it (--no-worker: a separate `onewindow worker`)
onewindow worker                  run the background worker (huey consumer)
onewindow token create USERNAME   print a new API token for USERNAME
onewindow <any django command>    e.g. createsuperuser, shell, check
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import django
import gunicorn.app.wsgiapp as gunicorn_app
from django.conf import settings
from django.core.management import execute_from_command_line

from onewindow.operations.embedded_worker import stop_with
from onewindow.operations.ports import busy_message, port_free

# Sync workers (one request at a time each), one more than the cores: on 2 cores 3 × 1 answered
# intakes 1.3-1.4× faster than 2 × 2 threads and 3 × 4 threads, with less CPU per request in the
# application and in PostgreSQL (fewer backends, no GIL hand-offs; issue #18, `make bench`). A sync
# worker holds a slow client for the whole request: in production nginx buffers requests and
# responses (deploy/nginx-onewindow.conf); threads > 1 switch gunicorn to its gthread workers.
THREADS_PER_WORKER = 1
TIMEOUT_SECONDS = 120


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")


def cores() -> int:
    """CPUs this process may run on (a container's or taskset's share, not the whole machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def serve_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="onewindow serve", description="用 gunicorn 启动一窗通办")
    parser.add_argument("--host", default=os.environ.get("ONEWINDOW_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("ONEWINDOW_PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", cores() + 1)))
    parser.add_argument(
        "--threads", type=int, default=int(os.environ.get("ONEWINDOW_THREADS", THREADS_PER_WORKER))
    )
    # a request running longer is ended and its worker replaced (a sync worker cannot answer meanwhile)
    parser.add_argument(
        "--timeout", type=int, default=int(os.environ.get("ONEWINDOW_TIMEOUT", TIMEOUT_SECONDS))
    )
    worker = parser.add_mutually_exclusive_group()
    worker.add_argument("--worker", dest="worker", action="store_true", default=None)
    worker.add_argument("--no-worker", dest="worker", action="store_false", help="后台任务另行运行")
    return parser.parse_args(argv)


def serve(argv: list[str]) -> int:
    args = serve_arguments(argv)
    if not port_free(args.host, args.port):
        print(busy_message(args.host, args.port), file=sys.stderr)
        return 2
    _django_setup()
    # Reading the settings now also sets TZ (Django does): gunicorn's lines and Django's share one zone.
    run_dir = Path(settings.DATA_DIR) / "run"
    run_dir.mkdir(mode=0o700, exist_ok=True)
    with_worker = settings.SERVE_WITH_WORKER if args.worker is None else args.worker
    gunicorn_args = [
        "gunicorn",
        "onewindow.operations.warm:application",
        "--preload",  # warm up (views, templates) before listening: the first request is answered at once
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--timeout",
        str(args.timeout),
        "--access-logfile",
        "-",
        "--logger-class",  # API keys and tokens in query strings are not written to the access log
        "onewindow.core.accesslog.RedactingLogger",
        "--forwarded-allow-ips",
        os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        # this instance's own files under the data directory, one set per port
        "--pid",
        str(run_dir / f"gunicorn-{args.port}.pid"),
        "--control-socket",
        str(run_dir / f"ctl-{args.port}"),
        "--worker-tmp-dir",
        str(run_dir),
    ]
    if with_worker:
        gunicorn_args += ["--config", "python:onewindow.operations.gunicorn_hooks"]
    sys.argv = gunicorn_args
    gunicorn_app.run()  # looked up at call time: tests replace gunicorn.app.wsgiapp.run
    return 0


def worker(argv: list[str]) -> int:
    """The huey consumer; ``--stop-with PID``: stop when that process (the server) is gone."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--stop-with", type=int, default=None)
    known, rest = parser.parse_known_args(argv)
    if known.stop_with:
        stop_with(known.stop_with)
    django.setup()
    from onewindow.org.tasks import heartbeat  # deferred: needs the app registry (django.setup)

    heartbeat("worker")  # queued: the consumer's first task records it is alive (shown by /healthz)
    execute_from_command_line(["onewindow", "run_huey", *rest])
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    command, rest = argv[0], argv[1:]
    if command == "serve":
        return serve(rest)
    _django_setup()
    if command == "worker":
        return worker(rest)
    execute_from_command_line(["onewindow", command, *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
