"""Personal data at rest: no ID number, phone or address appears in clear text anywhere in the database
(the SQLite file via the online backup API, or a pg_dump of the PostgreSQL database)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from onewindow.org.actors import actor_of
from onewindow.org.models import Resident
from onewindow.org.services import resident_create
from tests.cases.conftest import applicant, intake
from tests.factories import build_world

pytestmark = pytest.mark.django_db(transaction=True)

# Valid, distinctive values (check digits computed by the validators).
PEOPLE = [
    {
        "name": "苏和",
        "id_number": "11010519491231002X",
        "phone": "13912345678",
        "address": "甲镇乌兰嘎查七组牧点",
    },
    {
        "name": "其其格",
        "id_number": "152522198807150023",
        "phone": "15847901234",
        "address": "甲镇巴彦淖尔嘎查东营盘",
    },
]


def database_bytes() -> bytes:
    if connection.vendor == "sqlite":
        with tempfile.TemporaryDirectory() as d:
            target = Path(d) / "copy.sqlite3"
            dest = sqlite3.connect(target)
            connection.ensure_connection()
            connection.connection.backup(dest)  # type: ignore[union-attr]
            dest.close()
            return target.read_bytes()
    if connection.vendor == "postgresql":
        pg_dump = shutil.which("pg_dump") or next(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"), None)
        if pg_dump is None:
            pytest.skip("pg_dump not installed")
        s = connection.settings_dict
        env = {**os.environ, "PGPASSWORD": s.get("PASSWORD") or ""}
        args = [str(pg_dump), "-h", s.get("HOST") or "127.0.0.1", "-p", str(s.get("PORT") or 5432)]
        args += ["-U", s.get("USER") or "postgres", "--data-only", s["NAME"]]
        return subprocess.run(args, check=True, capture_output=True, env=env).stdout
    pytest.skip(f"no scanner for {connection.vendor}")


def test_no_clear_personal_data_in_the_database() -> None:
    world = build_world()
    clerk = get_user_model().objects.get(username="clerk")
    first, second = PEOPLE
    intake(applicant=applicant(**first))
    resident_create(actor=actor_of(clerk), kind="person", jurisdiction=world["va"], **second)
    assert Resident.objects.count() >= 2
    # The values are readable through the application...
    r = Resident.objects.get(name=second["name"])
    assert r.id_number == second["id_number"] and r.phone == second["phone"]
    # ...but never stored in clear.
    blob = database_bytes()
    assert "甲镇".encode() in blob or b"152522" in blob  # the scan does see ordinary data
    for person in PEOPLE:
        for field in ("id_number", "phone", "address"):
            value = person[field]
            for encoded in {value.encode("utf-8"), value.encode("utf-16-le")}:
                assert encoded not in blob, f"{field} {value} stored in clear text"
