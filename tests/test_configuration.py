"""One configuration room: README's configuration tables, ``onewindow/settings.py`` and the code agree.

- every variable in README's tables changes its setting: ``settings.py`` is executed afresh (a separate
  module object; Django's live settings are not touched) once with no variable set and once per variable
  set to another valid value, and the setting must take exactly that value; the default written in the
  README must be the one ``settings.py`` gives (where the README writes a value rather than a sentence);
- every environment variable ``settings.py`` reads is in the README, and the launcher's (``onewindow
  serve``) as well;
- every ``settings.X`` the code reads is declared in ``settings.py`` (or is one of Django's own);
- ``RATING_RECTIFY_DAYS=3`` gives 3: in a real Django process, and in the rectification deadline.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.conf import global_settings

from tests.support import run_python

ROOT = Path(__file__).resolve().parents[1]
SETTINGS_PY = ROOT / "onewindow" / "settings.py"
CLI_PY = ROOT / "onewindow" / "cli.py"
LAUNCHER_HEADING = "onewindow serve"  # the README table of variables read by the launcher, not by settings.py

# A variable whose setting has another name (else the setting is named as the variable).
SETTING_OF = {"ONEWINDOW_DATA_DIR": "DATA_DIR", "ONEWINDOW_HTTPS": "HTTPS"}
# Settings that only exist in a context (the HTTPS block of settings.py).
CONTEXT = {
    name: {"ONEWINDOW_HTTPS": "1"}
    for name in (
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
    )
}
# Where the variable also reaches a setting Django or a library reads: that one changes as well.
DERIVED: dict[str, Callable[[dict[str, Any]], Any]] = {
    "LOGIN_FAILURE_LIMIT": lambda s: s["AXES_FAILURE_LIMIT"],
    "TRUST_X_FORWARDED_FOR": lambda s: bool(s["AXES_IPWARE_PROXY_COUNT"]),
    "SESSION_COOKIE_SECURE": lambda s: s["CSRF_COOKIE_SECURE"],
    "QUEUE_PRIORITY_P": lambda s: s["QUEUE_PRIORITY_RATIO"][0],
    "QUEUE_PRIORITY_N": lambda s: s["QUEUE_PRIORITY_RATIO"][1],
    "HUEY_WORKERS": lambda s: s["HUEY"]["consumer"]["workers"],
    "HUEY_NAME": lambda s: s["HUEY"]["name"],
    "HUEY_IMMEDIATE": lambda s: s["HUEY"]["immediate"],
    "LOG_LEVEL": lambda s: s["LOGGING"]["root"]["level"],
    "REDIS_URL": lambda s: s["CACHES"]["default"].get("LOCATION"),
    "DATABASE_URL": lambda s: s["DATABASES"]["default"]["NAME"],
}
# Variables whose other value cannot be guessed from the default's type: (value, expected setting).
SAMPLES: dict[str, tuple[str, Any]] = {
    "DATABASE_URL": ("postgres://probe@127.0.0.1:5432/probe", "postgres://probe@127.0.0.1:5432/probe"),
    "REDIS_URL": ("redis://127.0.0.1:6379/5", "redis://127.0.0.1:6379/5"),
    "CASE_STEP_LIMIT_DAYS": ("ready=5", {"accepted": 2, "approved": 1, "denied": 1, "ready": 5}),
    "COMPLAINT_STEP_DAYS": ("accepted=4", {"accepted": 4}),
    "ASSESSMENT_WEIGHTS": ("on_time=0.5,proxy=0", {"on_time": 0.5, "proxy": 0.0}),
    "NOTIFY_BACKENDS": ("sms=sms_http, email=email", {"sms": "sms_http", "email": "email"}),
    "NOTIFY_SMS_HEADERS": ('{"X-Api-Key": "k"}', {"X-Api-Key": "k"}),
    "WEBHOOK_LEASE_SECONDS": ("70", 70.0),
}
# Functions of the apps that read a setting by a name given as a string literal (first argument).
SETTING_READERS = {"_setting", "conf", "setting_float"}


# --- README ----------------------------------------------------------------------------------------


def readme_rows() -> list[tuple[str, list[str], str]]:
    """(heading, variables, default cell) of every row of the tables in README's Configuration section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows, heading = [], ""
    for line in section.splitlines():
        if line.startswith("### "):
            heading = line[4:]
        elif line.startswith("| `"):
            cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
            rows.append((heading, re.findall(r"`([A-Z][A-Z0-9_]*)`", cells[0]), cells[1]))
    return rows


def readme_variables(*, launcher: bool) -> dict[str, str]:
    """Variable → its default cell, for the settings' tables or for the launcher's."""
    return {
        name: default
        for heading, names, default in readme_rows()
        if (LAUNCHER_HEADING in heading) == launcher
        for name in names
    }


# --- settings.py, executed afresh ------------------------------------------------------------------


@pytest.fixture
def probe(tmp_path: Path) -> Iterator[Callable[[dict[str, str]], dict[str, Any]]]:
    """settings.py's values with exactly these variables set (every documented one unset otherwise)."""
    documented = set(readme_variables(launcher=False))
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in documented and not (k.endswith("_FILE") and k[: -len("_FILE")] in documented)
    }
    clean["ONEWINDOW_DATA_DIR"] = str(tmp_path / "data")

    def load(env: dict[str, str]) -> dict[str, Any]:
        with mock.patch.dict(os.environ, {**clean, **env}, clear=True):
            spec = importlib.util.spec_from_file_location("onewindow_settings_probe", SETTINGS_PY)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        return {k: getattr(module, k) for k in dir(module) if k.isupper()}

    yield load


def other_value(name: str, default: Any, tmp_path: Path) -> tuple[str, Any]:
    """A valid value for the variable, different from the default, and the setting it must give."""
    if name in SAMPLES:
        return SAMPLES[name]
    if isinstance(default, bool):
        return ("0" if default else "1"), not default
    if isinstance(default, int):
        return str(default + 7), default + 7
    if isinstance(default, float):
        return str(default + 1.5), default + 1.5
    if isinstance(default, Path):
        other = (tmp_path / f"probe-{name.lower()}").resolve()
        return str(other), other
    if isinstance(default, list):
        return "probe-a,probe-b", ["probe-a", "probe-b"]
    if isinstance(default, str):
        return f"probe-{name.lower()}", f"probe-{name.lower()}"
    raise AssertionError(f"{name}: add a sample value for a default of type {type(default).__name__}")


def documented_default(cell: str) -> Any:
    """The value a README default cell states, or ``...`` when it is a sentence (not checked)."""
    if cell == "—":
        return None
    if cell in {"on", "off"}:
        return cell == "on"
    if re.fullmatch(r"\d+", cell):
        return int(cell)
    if re.fullmatch(r"\d+\.\d+", cell):
        return float(cell)
    if re.fullmatch(r"`[^`]+`", cell):
        return cell[1:-1]
    return ...


def as_documented(value: Any) -> Any:
    """A setting's value as the README writes it."""
    if value in ("", None, [], {}):
        return None
    if isinstance(value, list):
        return ",".join(value)
    if isinstance(value, dict):
        return ",".join(f"{k}={v}" for k, v in value.items())
    return value


def test_every_readme_variable_changes_its_setting(
    probe: Callable[[dict[str, str]], dict[str, Any]], tmp_path: Path
) -> None:
    variables = readme_variables(launcher=False)
    assert "RATING_RECTIFY_DAYS" in variables and len(variables) > 90
    baselines: dict[str, dict[str, Any]] = {}
    checked = []
    for name, cell in variables.items():
        base_name = name[: -len("_FILE")] if name.endswith("_FILE") else name
        setting = SETTING_OF.get(base_name, base_name)
        context = CONTEXT.get(setting, {})
        key = json.dumps(context, sort_keys=True)
        if key not in baselines:
            baselines[key] = probe(context)
        base = baselines[key]
        assert setting in base, f"{name}: settings.py declares no {setting}"
        value, expected = other_value(base_name, base[setting], tmp_path)
        if name != base_name:  # NAME_FILE: the value comes from a file
            file = tmp_path / f"{name.lower()}.txt"
            file.write_text(value + "\n", encoding="utf-8")
            value = str(file)
        changed = probe({**context, name: value})
        assert changed[setting] == expected != base[setting], (
            f"{name}={value!r}: {setting} is {changed[setting]!r}"
        )
        if base_name in DERIVED:
            derive = DERIVED[base_name]
            assert derive(changed) != derive(base), f"{name} does not reach the setting Django reads"
        stated = documented_default(cell)
        if stated is not ... and name == base_name:
            assert stated == as_documented(base[setting]), (
                f"README: {name} defaults to {cell}, settings.py: {base[setting]!r}"
            )
            checked.append(name)
    assert len(checked) > 70  # most defaults are written as values


def test_rating_rectify_days_3_gives_3(probe: Callable[[dict[str, str]], dict[str, Any]]) -> None:
    assert probe({})["RATING_RECTIFY_DAYS"] == 15
    assert probe({"RATING_RECTIFY_DAYS": "3"})["RATING_RECTIFY_DAYS"] == 3
    # …and in a real Django process started with it
    from django.conf import settings

    env = {**os.environ, "RATING_RECTIFY_DAYS": "3", "PYTHONPATH": str(ROOT)}
    env.update(ONEWINDOW_DATA_DIR=str(settings.DATA_DIR), DJANGO_SETTINGS_MODULE="onewindow.settings")
    code = (
        "import django; django.setup(); from django.conf import settings as s; print(s.RATING_RECTIFY_DAYS)"
    )
    assert run_python(["-c", code], env, timeout=60).split() == ["3"]


def test_rectification_deadline_follows_rating_rectify_days(
    world: Any, settings: Any, probe: Callable[[dict[str, str]], dict[str, Any]]
) -> None:
    from django.utils import timezone

    from onewindow.feedback import services
    from onewindow.feedback.models import Rectification
    from onewindow.worktime.calendar import WorkCalendar
    from tests.feedback.conftest import delivered_case

    settings.RATING_RECTIFY_DAYS = probe({"RATING_RECTIFY_DAYS": "3"})["RATING_RECTIFY_DAYS"]
    case = delivered_case()
    rating = services.rating_submit(
        number=case.number, check="002X", level=2, comment="等了很久", now=timezone.now()
    )
    rect = Rectification.objects.get(rating=rating)
    calendar = WorkCalendar()
    assert rect.deadline == calendar.add_workdays(rect.opened_on, 3)
    assert rect.deadline != calendar.add_workdays(rect.opened_on, 15)


# --- the launcher ----------------------------------------------------------------------------------

# Variable → (its gunicorn flag, the part of the flag's argument it sets)
LAUNCHER: dict[str, tuple[str, Callable[[str], str]]] = {
    "ONEWINDOW_HOST": ("--bind", lambda arg: arg.rsplit(":", 1)[0]),
    "ONEWINDOW_PORT": ("--bind", lambda arg: arg.rsplit(":", 1)[1]),
    "WEB_CONCURRENCY": ("--workers", lambda arg: arg),
    "ONEWINDOW_THREADS": ("--threads", lambda arg: arg),
    "ONEWINDOW_TIMEOUT": ("--timeout", lambda arg: arg),
    "FORWARDED_ALLOW_IPS": ("--forwarded-allow-ips", lambda arg: arg),
}
# Launcher defaults the README states as a rule rather than a value: the value the rule gives here.
COMPUTED_DEFAULTS: dict[str, Callable[[], int]] = {
    "WEB_CONCURRENCY": lambda: len(os.sched_getaffinity(0)) + 1
}


def test_every_launcher_variable_reaches_gunicorn(monkeypatch: pytest.MonkeyPatch) -> None:
    from onewindow import cli

    variables = readme_variables(launcher=True)
    assert set(variables) == set(LAUNCHER) == environ_reads(CLI_PY)
    seen: list[list[str]] = []
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    monkeypatch.setattr("gunicorn.app.wsgiapp.run", lambda: seen.append(list(sys.argv)))
    monkeypatch.setattr(cli, "port_free", lambda host, port: True)  # no server is started

    def gunicorn_argument(env: dict[str, str], flag: str) -> str:
        for name in LAUNCHER:
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        cli.serve([])
        argv = seen[-1]
        return argv[argv.index(flag) + 1]

    for name, (flag, part) in LAUNCHER.items():
        default = part(gunicorn_argument({}, flag))
        stated = documented_default(variables[name])
        if stated is ... and name in COMPUTED_DEFAULTS:
            stated = COMPUTED_DEFAULTS[name]()
        assert str(stated) == default, f"README: default of {name}"
        value = "8123" if default.isdigit() else "10.9.8.7"
        assert part(gunicorn_argument({name: value}, flag)) == value != default


# --- the code --------------------------------------------------------------------------------------


def environ_reads(path: Path) -> set[str]:
    """Variables a module reads: env_*("NAME", …) and os.environ.get("NAME", …)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
            continue
        func = node.func
        if (isinstance(func, ast.Name) and func.id.startswith("env_")) or (
            isinstance(func, ast.Attribute) and func.attr == "get" and ast.unparse(func.value) == "os.environ"
        ):
            names.add(str(node.args[0].value))
    return names


def test_every_variable_settings_py_reads_is_documented() -> None:
    documented = set(readme_variables(launcher=False))
    read = environ_reads(SETTINGS_PY)
    assert read - documented == set(), "read by settings.py, missing from README's configuration tables"
    file_variants = {n for n in documented if n.endswith("_FILE")}
    assert documented - file_variants - read == set(), "in README, but settings.py does not read it"


def settings_read_by_code() -> dict[str, str]:
    """Every setting name the code reads → one place that reads it (prefixes of f-strings end in '*')."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "onewindow").rglob("*.py")):
        if path == SETTINGS_PY:
            continue
        where = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name_arg: ast.expr | None = None
            if (
                isinstance(node, ast.Attribute)
                and ast.unparse(node.value) == "settings"
                and node.attr.isupper()
            ):
                found.setdefault(node.attr, f"{where}:{node.lineno}")
            elif isinstance(node, ast.Call) and node.args:
                function = ast.unparse(node.func).rsplit(".", 1)[-1]
                if function == "getattr" and len(node.args) >= 2 and ast.unparse(node.args[0]) == "settings":
                    name_arg = node.args[1]
                elif function in SETTING_READERS:
                    name_arg = node.args[0]
            if isinstance(name_arg, ast.Constant) and str(name_arg.value).isupper():
                found.setdefault(str(name_arg.value), f"{where}:{node.lineno}")
            elif isinstance(name_arg, ast.JoinedStr):
                prefix = "".join(str(v.value) for v in name_arg.values if isinstance(v, ast.Constant))
                found.setdefault(prefix + "*", f"{where}:{node.lineno}")
    return found


def test_every_setting_the_code_reads_is_declared(probe: Callable[[dict[str, str]], dict[str, Any]]) -> None:
    declared = set(probe({})) | {n for n in dir(global_settings) if n.isupper()}
    read = settings_read_by_code()
    assert {"RATING_RECTIFY_DAYS", "PORTAL_OTP_TTL_SECONDS", "NOTIFY_SMS_URL", "ASSESSMENT_MIN_*"} <= set(
        read
    )
    missing = {
        name: where
        for name, where in read.items()
        if not (any(d.startswith(name[:-1]) for d in declared) if name.endswith("*") else name in declared)
    }
    assert missing == {}, "declare these in onewindow/settings.py (typed default + environment variable)"
