"""Settings of the benchmark server only: the project's settings plus ``bench_urls`` (the framework
ceiling view). Never a production URL: ``make bench`` starts its server with
``DJANGO_SETTINGS_MODULE=bench_settings`` and ``bench/`` on the path."""

from onewindow.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
