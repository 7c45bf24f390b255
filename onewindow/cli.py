"""The ``onewindow`` command: Django's management commands plus a few of our own.

onewindow migrate                 apply database migrations
onewindow demo                    load the demo county (idempotent)
onewindow serve [--host H --port P] [--workers N]
                                  serve with gunicorn (static files via whitenoise)
onewindow worker                  run the background worker (huey consumer)
onewindow token create USERNAME   print a new API token for USERNAME
onewindow <any django command>    e.g. createsuperuser, shell, check
"""

from __future__ import annotations

import argparse
import os
import sys

from django.core.management import execute_from_command_line
from gunicorn.app import wsgiapp


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")


def serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="onewindow serve", description="用 gunicorn 启动一窗通办")
    parser.add_argument("--host", default=os.environ.get("ONEWINDOW_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("ONEWINDOW_PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("ONEWINDOW_THREADS", "4")))
    args = parser.parse_args(argv)
    _django_setup()
    gunicorn_args = [
        "gunicorn",
        "onewindow.wsgi:application",
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--access-logfile",
        "-",
        "--logger-class",  # API keys and tokens in query strings are not written to the access log
        "onewindow.core.accesslog.RedactingLogger",
        "--forwarded-allow-ips",
        os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
    ]
    sys.argv = gunicorn_args
    wsgiapp.run()
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
        execute_from_command_line(["onewindow", "run_huey", *rest])
        return 0
    execute_from_command_line(["onewindow", command, *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
