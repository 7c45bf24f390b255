"""The in-process benchmarks' set-up: a scratch data directory and, unless ``DATABASE_URL`` names one, a
fresh PostgreSQL database on ``BENCH_PG``; then Django, migrated, with the demo county loaded."""

from __future__ import annotations

import os
import tempfile


def scratch_django(database: str, *, prefix: str, load: bool = True) -> None:
    """Configure this process for a scratch run (database ``database`` recreated on ``BENCH_PG`` when
    ``DATABASE_URL`` is not set), set Django up, migrate and (``load``) load the demo county."""
    os.environ.setdefault("ONEWINDOW_DATA_DIR", tempfile.mkdtemp(prefix=prefix))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    if not os.environ.get("DATABASE_URL"):
        import psycopg

        base = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            c.execute(f"CREATE DATABASE {database}")
        os.environ["DATABASE_URL"] = f"{base}/{database}"
    import django

    django.setup()
    from django.core.management import call_command

    from onewindow.demo.loader import load_demo

    call_command("migrate", verbosity=0)
    if load:
        load_demo()
