"""Django settings for OneWindow: EVERY setting the code reads, with its typed default and its
environment variable (in the way of Zulip's ``default_settings.py``).

With no configuration at all, the project runs on a SQLite file under ``ONEWINDOW_DATA_DIR``
(default: ``var/`` of the source checkout, whatever the working directory) and creates its secret key
and personal-data keys there on first start.

Rules: apps read ``settings.X`` (never ``getattr(settings, "X", default)`` — the default lives here,
once); a setting that can be configured reads its environment variable through the typed helpers of
``onewindow.core.env`` (any of them also from ``NAME_FILE``); the settings are grouped by room, and the
README's configuration table lists every variable (tests/test_configuration.py holds both true).
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import dj_database_url

from onewindow.core.env import (
    env_bool,
    env_dict,
    env_float,
    env_int,
    env_json,
    env_list,
    env_str,
    secret_file,
)

# --- core: data directory, secrets, hosts -----------------------------------------------------------
BASE_DIR = Path(__file__).resolve().parent


def _default_data_dir() -> str:
    """``var/`` of the source checkout the package runs from (``make run``'s, and ``.venv/bin/onewindow``'s
    from any directory); ``./var`` of the working directory when installed as a package (set it there)."""
    checkout = BASE_DIR.parent
    return str(checkout / "var") if (checkout / "pyproject.toml").is_file() else "var"


DATA_DIR = Path(env_str("ONEWINDOW_DATA_DIR", _default_data_dir())).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY") or secret_file(DATA_DIR / "secret_key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Demo mode (``make run``): the development pages (/dev/outbox/), ``onewindow demo otp``, full phone numbers
# in the console SMS log line. Never with production settings (ONEWINDOW_HTTPS or a non-local
# ALLOWED_HOSTS): see onewindow/core/devmode.py.
ONEWINDOW_DEMO = env_bool("ONEWINDOW_DEMO", False)


def _new_fernet_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


# Personal-data encryption: several keys for rotation, newest first. Decrypt with any, encrypt
# with the first. ONEWINDOW_DATA_KEYS="new,old" or a file with one key per line.
ONEWINDOW_DATA_KEYS = env_list("ONEWINDOW_DATA_KEYS") or [
    line.strip() for line in secret_file(DATA_DIR / "data_keys", _new_fernet_key).splitlines() if line.strip()
]
# Key for the blind index (keyed hash for exact look-ups of ID numbers). Never rotated silently:
# changing it would require recomputing every blind index, which no command does yet.
ONEWINDOW_INDEX_KEY = env_str("ONEWINDOW_INDEX_KEY") or secret_file(DATA_DIR / "index_key")

# --- Django: apps, middleware, templates -----------------------------------------------------------
INSTALLED_APPS = [
    "onewindow.security.admin_site.OneWindowAdminConfig",  # 三员分立 on every admin page
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "template_partials",
    "ninja",
    "huey.contrib.djhuey",
    "onewindow.privacy",
    "onewindow.worktime",
    "onewindow.org",
    "onewindow.catalog",
    "onewindow.cases",
    "onewindow.queueing",
    "onewindow.documents",
    "onewindow.api",
    "onewindow.portal",
    "onewindow.files",
    "onewindow.notify",
    "onewindow.proxy",
    "onewindow.feedback",
    "onewindow.ledger",
    "onewindow.integration",
    "onewindow.security",
    "onewindow.operations",
    "onewindow.devtools",
    "onewindow.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "onewindow.core.boundary.PrivateNoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "onewindow.core.boundary.InputBoundaryMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "onewindow.security.middleware.SecurityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "onewindow.core.audit.DeferredAuditMiddleware",  # an API write's audit entry in its transaction
]

ROOT_URLCONF = "onewindow.urls"
WSGI_APPLICATION = "onewindow.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "onewindow.org.context_processors.staff",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

# --- database --------------------------------------------------------------------------------------
# SQLite, embedded default or DATABASE_URL=sqlite:///…: WAL (readers never wait for the writer),
# BEGIN IMMEDIATE (a write transaction takes the write lock at its start and waits for it up to the
# busy timeout, instead of failing at once with "database is locked" when a read lock cannot be
# upgraded) and a 20 s busy timeout. What still loses a race is retried (onewindow.core.locking).
SQLITE_OPTIONS: dict[str, Any] = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


def database_config(
    url: str,
    data_dir: Path,
    *,
    conn_max_age: int = 600,
    health_checks: bool = False,
    pool: int = 0,
    prepare_threshold: int = 0,
    jit: bool = True,
    parallel_workers: int | None = None,
) -> dict[str, Any]:
    """The ``default`` database: DATABASE_URL if set, else SQLite in the data directory.

    A server database keeps its connection per thread for ``conn_max_age`` seconds, without a
    ``SELECT 1`` health check at the start of every request unless ``health_checks`` (a broken
    connection is still replaced: Django closes it after the error). ``pool`` > 0 uses psycopg's pool
    of that many connections per process instead (PostgreSQL; it needs ``CONN_MAX_AGE = 0``).
    ``prepare_threshold`` > 0 (PostgreSQL): parameters are bound by the server and a statement a
    connection has run that many times is prepared there — parsed and planned once per connection
    instead of at every execution (psycopg's automatic prepared statements). ``jit`` False
    (PostgreSQL): the connections run with ``jit=off``. ``parallel_workers`` (PostgreSQL; None: the
    server's setting): the connections' ``max_parallel_workers_per_gather``."""
    if url:
        db: dict[str, Any] = dict(
            dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=health_checks)
        )
        if pool and db["ENGINE"] == "django.db.backends.postgresql":
            db["CONN_MAX_AGE"] = 0
            db["OPTIONS"] = {**(db.get("OPTIONS") or {}), "pool": {"min_size": 1, "max_size": pool}}
        if prepare_threshold > 0 and db["ENGINE"] == "django.db.backends.postgresql":
            db["OPTIONS"] = {
                **(db.get("OPTIONS") or {}),
                "server_side_binding": True,
                "prepare_threshold": prepare_threshold,
            }
        server_options = [] if jit else ["-c jit=off"]
        if parallel_workers is not None:
            server_options.append(f"-c max_parallel_workers_per_gather={int(parallel_workers)}")
        if server_options and db["ENGINE"] == "django.db.backends.postgresql":
            options = db.get("OPTIONS") or {}
            db["OPTIONS"] = {
                **options,
                "options": " ".join([options.get("options", ""), *server_options]).strip(),
            }
    else:
        db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(data_dir / "onewindow.sqlite3")}
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db["OPTIONS"] = {**SQLITE_OPTIONS, **(db.get("OPTIONS") or {})}
    return db


DATABASE_URL = env_str("DATABASE_URL")
# Measured with `make bench` (README, performance): persistent connections without the per-request
# health check beat psycopg's pool on this workload; the pool stays available (DB_POOL=<size>).
DB_CONN_MAX_AGE = env_int("DB_CONN_MAX_AGE", 600)
DB_CONN_HEALTH_CHECKS = env_bool("DB_CONN_HEALTH_CHECKS", False)
DB_POOL = env_int("DB_POOL", 0)
# PostgreSQL: statements run this many times on a connection are prepared (parsed and planned once);
# `make bench` measured about half the database CPU of an intake going to parsing and planning without
# it (issue #18). 0: client-side parameter binding, nothing prepared (e.g. behind a pgbouncer in
# transaction mode).
DB_PREPARE_THRESHOLD = env_int("DB_PREPARE_THRESHOLD", 5)
# PostgreSQL's JIT compiles a query whose estimated cost passes jit_above_cost: the estimates of the
# index walks that stop after a page grow with the tables, and at 1 M cases the compilation (20–40 ms)
# took longer than the query (1–2 ms) on the case lists and the ledger's lists (issue #18). Off for
# the application's connections unless DB_JIT.
DB_JIT = env_bool("DB_JIT", False)
# PostgreSQL's parallel query for the application's connections: at 1 M cases the planner sent a township
# clerk's page of 50 cases to two parallel workers, whose start-up alone took ~6 ms of a query that runs in
# ~1 ms without them (EXPLAIN ANALYZE, issue #18); a request never needs a scan that large, and on a small
# server the workers take the cores from other requests. -1: the server's own setting.
DB_PARALLEL_WORKERS = env_int("DB_PARALLEL_WORKERS", 0)
DATABASES = {
    "default": database_config(
        DATABASE_URL,
        DATA_DIR,
        conn_max_age=DB_CONN_MAX_AGE,
        health_checks=DB_CONN_HEALTH_CHECKS,
        pool=DB_POOL,
        prepare_threshold=DB_PREPARE_THRESHOLD,
        jit=DB_JIT,
        parallel_workers=None if DB_PARALLEL_WORKERS < 0 else DB_PARALLEL_WORKERS,
    )
}
# Write services rerun a transaction that lost a deadlock / serialization race / SQLite busy wait this
# many times in all (jittered exponential backoff from DB_RETRY_BASE_SECONDS), then answer 409.
DB_RETRY_ATTEMPTS = env_int("DB_RETRY_ATTEMPTS", 5)
DB_RETRY_BASE_SECONDS = env_float("DB_RETRY_BASE_SECONDS", 0.02)
# PostgreSQL: sequence numbers (case, ticket, proxy, complaint numbers) are taken on a second connection
# and committed at once, so intakes do not queue on the counter row; off: in the caller's transaction
# (no gap on rollback, as on SQLite). onewindow.core.counters
NUMBERS_OWN_CONNECTION = env_bool("NUMBERS_OWN_CONNECTION", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- security: authentication (等保 level 3: identification and authentication) --------------------
# Lockout (django-axes) is checked first; the subclass skips non-request logins (tests, shell).
AUTHENTICATION_BACKENDS = [
    "onewindow.security.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    "onewindow.security.backends.AdminPolicyBackend",
]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# Wrong passwords for one (account, address) before it is locked.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
# Locked per (account, address) with growing delays (onewindow/security/lockout.py): after the limit the
# pair is locked for LOGIN_LOCKOUT_MINUTES (0: until the security admin unlocks), doubling with every
# further failure up to LOGIN_LOCKOUT_MAX_MINUTES; failures are remembered a day (or the maximum delay).
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
LOGIN_LOCKOUT_MAX_MINUTES = env_int("LOGIN_LOCKOUT_MAX_MINUTES", 24 * 60)
AXES_COOLOFF_TIME = (max(LOGIN_LOCKOUT_MAX_MINUTES, 24 * 60) / 60) if LOGIN_LOCKOUT_MINUTES > 0 else None
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "onewindow.security.lockout.GrowingLockoutHandler"
AXES_LOCKOUT_CALLABLE = "onewindow.security.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_VERBOSE = False
AXES_LOCK_OUT_AT_FAILURE = True  # read by onewindow.security.lockout too
# Behind a reverse proxy: take the client address from X-Forwarded-For (the last hop).
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)
AXES_IPWARE_PROXY_COUNT = 1 if TRUST_X_FORWARDED_FOR else 0
# Idle timeout: a session unused for this many seconds is logged out (0: off).
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
# Roles that must pass TOTP two-factor after the password (superusers always).
OTP_REQUIRED_ROLES = env_list(
    "OTP_REQUIRED_ROLES", ["supervisor", "centre_head", "admin", "security_admin", "audit_admin"]
)
# The issuer name shown in authenticator apps.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "一窗通办")
# Login attempts per client address per minute.
LOGIN_RATE_LIMIT = env_int("LOGIN_RATE_LIMIT", 20)
# Anonymous POSTs (public forms and API writes) per client address per minute.
PUBLIC_POST_RATE_LIMIT = env_int("PUBLIC_POST_RATE_LIMIT", 60)
# Public progress look-ups (number + check code) per client address per minute.
PROGRESS_RATE_LIMIT = env_int("PROGRESS_RATE_LIMIT", 30)
# Audit log (安全审计): entries older than this are purged by `onewindow auditlog purge` (never < 183).
AUDIT_RETENTION_DAYS = max(env_int("AUDIT_RETENTION_DAYS", 400), 183)
# The worker chains new audit entries (seq, previous hash, chain hash) this often (security.tasks).
AUDIT_CHAIN_SECONDS = max(env_int("AUDIT_CHAIN_SECONDS", 5), 1)

# --- language, time, static files ------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"

# --- sessions, cookies, HTTPS, CSP, request limits (等保 level 3) -------------------------------------
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
# Seconds a session lives at most (8 hours), however active.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Production behind HTTPS (nginx terminates TLS and sets X-Forwarded-Proto): ONEWINDOW_HTTPS=1 turns on
# secure cookies, HTTPS redirect and HSTS. `onewindow check --deploy` is clean with it (tests/security).
HTTPS = env_bool("ONEWINDOW_HTTPS", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# Content-Security-Policy (django-csp): scripts only from our own static files, never inline (page
# behaviours live in security/behaviours.js); inline styles stay allowed (htmx indicators, print pages).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "data:", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Request size limits (uploads have their own limit, UPLOAD_MAX_BYTES, below).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 2000)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600

# --- Background work, logging, cache ---------------------------------------------------------------
# huey, on a SQLite file by default, on Redis when REDIS_URL is set (the cache too).
REDIS_URL = env_str("REDIS_URL")
HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", False)
HUEY_NAME = env_str("HUEY_NAME", "onewindow")
HUEY_WORKERS = env_int("HUEY_WORKERS", 2)
# `onewindow serve` (and `make run`) runs the worker beside the web server; off where a separate
# `onewindow worker` runs it (deploy/onewindow-worker.service).
SERVE_WITH_WORKER = env_bool("SERVE_WITH_WORKER", True)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": HUEY_NAME,
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": HUEY_WORKERS, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": HUEY_NAME,
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": HUEY_WORKERS, "worker_type": "thread"},
    }

LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
# One time zone and one shape in the server's log: Django sets TZ to TIME_ZONE (Asia/Shanghai) when it
# reads these settings, and `onewindow serve` reads them before gunicorn starts, so gunicorn's lines,
# the access log, Django's and the worker's all carry local time with its offset (+0800), e.g.
# "[2026-12-07 17:57:35 +0800] [17903] [INFO] onewindow.serve: ...". django-axes' lines (failed logins,
# lockouts) are not for the console: the audit log records them (LoginRecord, `security.audit`); their
# text goes to security.log in the data directory.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "server": {
            "format": "[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s",
            "datefmt": "%Y-%m-%d %H:%M:%S %z",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "server"},
        "security": {
            "class": "logging.handlers.WatchedFileHandler",
            "filename": str(DATA_DIR / "security.log"),
            "formatter": "server",
            "delay": True,
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "huey": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},  # once, not twice
        "axes": {"handlers": ["security"], "level": "INFO", "propagate": False},
    },
}

# Cache (rate limits, guessing counters): Redis when configured, else a file cache shared by all local
# processes.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

# --- files: uploaded materials ---------------------------------------------------------------------
# Size limit of one upload; images are downscaled to this long side (pixels). Stored under UPLOAD_ROOT.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
UPLOAD_IMAGE_MAX_PX = env_int("UPLOAD_IMAGE_MAX_PX", 2000)
UPLOAD_ROOT = Path(env_str("UPLOAD_ROOT", str(DATA_DIR / "uploads")))
# Pixel limit read from the header before decoding (a 4000 × 3000 phone photo is 12 million), how many
# images this host decodes at once (across all processes), and how long an upload waits for a turn.
UPLOAD_IMAGE_MAX_PIXELS = env_int("UPLOAD_IMAGE_MAX_PIXELS", 25_000_000)
UPLOAD_IMAGE_CONCURRENCY = env_int("UPLOAD_IMAGE_CONCURRENCY", 2)
UPLOAD_IMAGE_WAIT_SECONDS = env_int("UPLOAD_IMAGE_WAIT_SECONDS", 30)
# A material may have several files (both sides of an ID card, the pages of a 户口簿): at most this many
# files per material and per application, and at most this many bytes (as uploaded) per material and
# per application.
UPLOAD_MAX_FILES_PER_MATERIAL = env_int("UPLOAD_MAX_FILES_PER_MATERIAL", 10)
UPLOAD_MAX_FILES_PER_APPLICATION = env_int("UPLOAD_MAX_FILES_PER_APPLICATION", 30)
UPLOAD_MAX_MATERIAL_BYTES = env_int("UPLOAD_MAX_MATERIAL_BYTES", 30 * 1024 * 1024)
UPLOAD_MAX_APPLICATION_BYTES = env_int("UPLOAD_MAX_APPLICATION_BYTES", 80 * 1024 * 1024)

# --- catalog ---------------------------------------------------------------------------------------
# Largest Excel file the catalog import accepts.
CATALOG_IMPORT_MAX_BYTES = env_int("CATALOG_IMPORT_MAX_BYTES", 5 * 1024 * 1024)

# --- cases -----------------------------------------------------------------------------------------
# 电子监察: each step's own limit in working days (accepted = waiting to be assigned in the back office,
# approved/denied = waiting to go to the output window, ready = waiting to be delivered; 行政许可法 art. 44
# gives 10 days from the decision). Cases over a step's limit are flagged and a reminder is queued.
# CASE_STEP_LIMIT_DAYS="ready=5" changes one step and keeps the others.
CASE_STEP_LIMIT_DAYS: dict[str, int] = {
    "accepted": 2,
    "approved": 1,
    "denied": 1,
    "ready": 10,
    **{k: int(v) for k, v in env_dict("CASE_STEP_LIMIT_DAYS").items()},
}

# Guessing the public progress check (办件编号 + 4 characters): wrong checks are counted per case number
# across every endpoint; this many within the window lock that number's lookups, first for
# PROGRESS_CHECK_LOCK_SECONDS, doubling with each further lock that day (onewindow/cases/checkguard.py).
PROGRESS_CHECK_MAX_FAILURES = env_int("PROGRESS_CHECK_MAX_FAILURES", 5)
PROGRESS_CHECK_FAILURE_WINDOW = env_int("PROGRESS_CHECK_FAILURE_WINDOW", 3600)
PROGRESS_CHECK_LOCK_SECONDS = env_int("PROGRESS_CHECK_LOCK_SECONDS", 900)

# --- queueing: tickets, appointments ---------------------------------------------------------------
# Queue: at most P priority tickets per P+N calls (e.g. 1 priority per 2 normal); refuse tickets
# outside opening hours unless turned off (e.g. for a 24-hour kiosk hall).
QUEUE_PRIORITY_P = env_int("QUEUE_PRIORITY_P", 1)
QUEUE_PRIORITY_N = env_int("QUEUE_PRIORITY_N", 2)
QUEUE_PRIORITY_RATIO = (QUEUE_PRIORITY_P, QUEUE_PRIORITY_N)
QUEUE_ENFORCE_HOURS = env_bool("QUEUE_ENFORCE_HOURS", True)

# Appointments (预约): slot length and capacity per slot; check-in opens this many minutes early.
APPOINTMENT_SLOT_MINUTES = env_int("APPOINTMENT_SLOT_MINUTES", 30)
APPOINTMENT_SLOT_CAPACITY = env_int("APPOINTMENT_SLOT_CAPACITY", 4)
APPOINTMENT_EARLY_MINUTES = env_int("APPOINTMENT_EARLY_MINUTES", 30)
# Anonymous bookings need the phone verified by an SMS code (staff, agents and kiosks need none); at most
# this many open (booked, not yet due) appointments per mobile number for non-staff bookings.
APPOINTMENT_MAX_OPEN_PER_PHONE = env_int("APPOINTMENT_MAX_OPEN_PER_PHONE", 2)
# The booking SMS code (onewindow/queueing/phonecheck.py), the same rules as the portal's login code:
# lifetime, codes asked per address per hour, seconds between two sends, sends per number per day,
# wrong codes per (number, address) before a lock (first LOCK_SECONDS, doubling), wrong codes in all.
BOOKING_CODE_TTL_SECONDS = env_int("BOOKING_CODE_TTL_SECONDS", 300)
BOOKING_CODE_PER_IP_PER_HOUR = env_int("BOOKING_CODE_PER_IP_PER_HOUR", 20)
BOOKING_CODE_RESEND_SECONDS = env_int("BOOKING_CODE_RESEND_SECONDS", 60)
BOOKING_CODE_DAILY_LIMIT = env_int("BOOKING_CODE_DAILY_LIMIT", 10)
BOOKING_CODE_MAX_ATTEMPTS = env_int("BOOKING_CODE_MAX_ATTEMPTS", 5)
BOOKING_CODE_LOCK_SECONDS = env_int("BOOKING_CODE_LOCK_SECONDS", 900)
BOOKING_CODE_MAX_TOTAL = env_int("BOOKING_CODE_MAX_TOTAL", 10)

# --- portal: residents' SMS login codes ------------------------------------------------------------
# Lifetime, codes asked per address per hour, seconds between two sends, sends per number per day, wrong
# codes per (number, address) before a lock (first LOCK_SECONDS, doubling per lock, at most a day), and
# wrong tries after which a code dies whoever tries it.
PORTAL_OTP_TTL_SECONDS = env_int("PORTAL_OTP_TTL_SECONDS", 300)
PORTAL_OTP_PER_IP_PER_HOUR = env_int("PORTAL_OTP_PER_IP_PER_HOUR", 20)
PORTAL_OTP_RESEND_SECONDS = env_int("PORTAL_OTP_RESEND_SECONDS", 60)
PORTAL_OTP_DAILY_LIMIT = env_int("PORTAL_OTP_DAILY_LIMIT", 10)
PORTAL_OTP_MAX_ATTEMPTS = env_int("PORTAL_OTP_MAX_ATTEMPTS", 5)
PORTAL_OTP_LOCK_SECONDS = env_int("PORTAL_OTP_LOCK_SECONDS", 900)
PORTAL_OTP_CODE_MAX_ATTEMPTS = env_int("PORTAL_OTP_CODE_MAX_ATTEMPTS", 10)

# --- proxy: 帮办代办 ---------------------------------------------------------------------------------
# Working days for a village agent to pass a request on; the follow-up call (回访) is due this many
# working days after delivery.
PROXY_PASS_ON_DAYS = env_int("PROXY_PASS_ON_DAYS", 3)
PROXY_FOLLOW_UP_DAYS = env_int("PROXY_FOLLOW_UP_DAYS", 5)

# --- feedback: 好差评 and complaints ------------------------------------------------------------------
# A bad rating opens a rectification due in this many working days; a delivered case nobody rated gets
# 基本满意 after this many natural days.
RATING_RECTIFY_DAYS = env_int("RATING_RECTIFY_DAYS", 15)
RATING_DEFAULT_DAYS = env_int("RATING_DEFAULT_DAYS", 7)
# Working days per complaint step, over the built-in ones (onewindow.feedback.models), e.g. "accepted=2".
COMPLAINT_STEP_DAYS: dict[str, int] = {k: int(v) for k, v in env_dict("COMPLAINT_STEP_DAYS").items()}

# --- ledger: statistics and 考核 -------------------------------------------------------------------
# A complaint closed within this many working days counts as closed on time.
LEDGER_COMPLAINT_DAYS = env_int("LEDGER_COMPLAINT_DAYS", 15)
# The rollups are folded from the event log by the worker (onewindow/ledger/fold.py): this many seconds
# after a commit that logged an event, in batches of LEDGER_FOLD_BATCH; a dashboard / stats read folds
# first itself when at most LEDGER_FOLD_ON_READ events wait (0: reads never fold).
LEDGER_FOLD_SECONDS = env_int("LEDGER_FOLD_SECONDS", 5)
LEDGER_FOLD_BATCH = env_int("LEDGER_FOLD_BATCH", 2000)
LEDGER_FOLD_ON_READ = env_int("LEDGER_FOLD_ON_READ", 2000)
# 考核 score weights over the built-in ones (on_time .4, satisfaction .3, complaints .2, proxy .1),
# e.g. "on_time=0.5,proxy=0"; a key left out keeps its weight.
ASSESSMENT_WEIGHTS: dict[str, float] = {k: float(v) for k, v in env_dict("ASSESSMENT_WEIGHTS").items()}
# Minimum volumes in the period (never below 1: no rank and no component on no data). A unit with fewer
# received cases is shown "—" and not ranked; a component below its minimum is left out.
ASSESSMENT_MIN_CASES = env_int("ASSESSMENT_MIN_CASES", 1)
ASSESSMENT_MIN_DECIDED = env_int("ASSESSMENT_MIN_DECIDED", 1)
ASSESSMENT_MIN_RATINGS = env_int("ASSESSMENT_MIN_RATINGS", 1)
ASSESSMENT_MIN_COMPLAINTS = env_int("ASSESSMENT_MIN_COMPLAINTS", 1)
# Absolute base of the link to the public 指标说明 in exported reports (empty: a relative link).
SITE_URL = env_str("SITE_URL")

# --- notify: SMS, e-mail, webhook ------------------------------------------------------------------
# Channel → backend (console, sms_http, email, webhook), e.g. "sms=sms_http,email=email". Unset: None,
# and onewindow.notify reads the variable when it sends (every channel on the console if still unset).
NOTIFY_BACKENDS: dict[str, str] | None = env_dict("NOTIFY_BACKENDS") or None
# The worker delivers the waiting notices in batches: this many seconds after a commit that recorded one
# (at most one such request per interval per process; and every minute).
NOTIFY_BATCH_SECONDS = env_int("NOTIFY_BATCH_SECONDS", 1)
# Absolute base of links in SMS texts (the rating invitation); empty: no link.
NOTIFY_SITE_URL = env_str("NOTIFY_SITE_URL")
# The HTTP SMS gateway: URL, body template ({phone} {text} {subject} {template} {id}), its content type,
# extra headers (a JSON object), timeout in seconds.
NOTIFY_SMS_URL = env_str("NOTIFY_SMS_URL")
NOTIFY_SMS_BODY = env_str("NOTIFY_SMS_BODY", '{"phone": "{phone}", "text": "{text}"}')
NOTIFY_SMS_CONTENT_TYPE = env_str("NOTIFY_SMS_CONTENT_TYPE", "application/json; charset=utf-8")
NOTIFY_SMS_HEADERS: dict[str, str] = env_json("NOTIFY_SMS_HEADERS", {})
NOTIFY_SMS_TIMEOUT = env_float("NOTIFY_SMS_TIMEOUT", 10.0)
# Sender of notification e-mails (empty: Django's DEFAULT_FROM_EMAIL).
NOTIFY_EMAIL_FROM = env_str("NOTIFY_EMAIL_FROM")
# The notification webhook: URL, HMAC secret (X-OneWindow-Signature), timeout in seconds.
NOTIFY_WEBHOOK_URL = env_str("NOTIFY_WEBHOOK_URL")
NOTIFY_WEBHOOK_SECRET = env_str("NOTIFY_WEBHOOK_SECRET")
NOTIFY_WEBHOOK_TIMEOUT = env_float("NOTIFY_WEBHOOK_TIMEOUT", 10.0)

# --- integration: event webhooks, outbox -----------------------------------------------------------
# Webhook URLs may point at loopback / private / link-local addresses only when this is on.
WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE", False)
# Seconds to wait for a receiver; seconds a worker holds a claimed delivery (unset: timeout + 50, and
# always more than the timeout); attempts before a dead letter; first retry delay (doubled per attempt).
WEBHOOK_TIMEOUT = env_float("WEBHOOK_TIMEOUT", 10.0)
WEBHOOK_LEASE_SECONDS: float | None = env_float("WEBHOOK_LEASE_SECONDS", 0.0) or None
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8)
WEBHOOK_RETRY_BASE_SECONDS = env_float("WEBHOOK_RETRY_BASE_SECONDS", 30.0)
# Delivered events are forgotten after this many days.
OUTBOX_RETENTION_DAYS = env_int("OUTBOX_RETENTION_DAYS", 90)

# --- api -------------------------------------------------------------------------------------------
# Lifetime in days of a token created without --days / "days" (0 = never expires).
API_TOKEN_DEFAULT_DAYS = env_int("API_TOKEN_DEFAULT_DAYS", 90)
