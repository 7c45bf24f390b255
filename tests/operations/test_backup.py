"""Backup → empty instance → restore: every case, timeline (hash chain) and file comes back intact."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image

from onewindow.cases.models import Case, CaseEvent
from onewindow.cases.selectors import chain_verify
from onewindow.files.models import StoredFile
from onewindow.files.services import read_file, store_upload
from onewindow.operations.backup import BackupError, backup, restore
from onewindow.security import audit
from tests.cases.conftest import applicant, intake
from tests.factories import build_world

pytestmark = pytest.mark.django_db(transaction=True)


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def dirs(tmp_path: Path, settings: Any) -> dict[str, Path]:
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "staff").mkdir(parents=True)
    (tmp_path / "media" / "staff" / "photo.jpg").write_bytes(b"\xff\xd8\xff photo")
    return {"root": tmp_path, "uploads": tmp_path / "uploads", "media": tmp_path / "media"}


def test_backup_restore_roundtrip(dirs: dict[str, Path]) -> None:
    build_world()
    cases = [intake(), intake(applicant=applicant(name="其其格", phone="15847901234"))]
    stored = store_upload(SimpleUploadedFile("证明.png", _png()))
    content = read_file(stored)
    audit.record("test.before_backup")
    before = {
        c.number: list(CaseEvent.objects.filter(case=c).order_by("seq").values_list("hash", flat=True))
        for c in cases
    }

    out = backup(dirs["root"] / "backups")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["cases"] == 2 and manifest["counts"]["files"] == 1
    assert any(e["path"].startswith("files/uploads/") for e in manifest["files"])
    assert any(e["path"] == "files/media/staff/photo.jpg" for e in manifest["files"])
    assert all(len(e["sha256"]) == 64 for e in manifest["files"])

    # An empty instance: no database rows, no files.
    call_command("flush", interactive=False, verbosity=0)
    for d in ("uploads", "media"):
        for p in sorted(dirs[d].rglob("*"), reverse=True):
            p.unlink() if p.is_file() else p.rmdir()
    assert Case.objects.count() == 0

    result = restore(out)
    assert result["problems"] == []
    assert Case.objects.count() == 2
    for number, hashes in before.items():
        case = Case.objects.get(number=number)
        assert (
            list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("hash", flat=True)) == hashes
        )
        assert chain_verify(case) == []
    assert read_file(StoredFile.objects.get(pk=stored.pk)) == content
    assert (dirs["media"] / "staff" / "photo.jpg").read_bytes() == b"\xff\xd8\xff photo"
    assert audit.verify() == []
    assert Case.objects.get(number=cases[1].number).applicant_phone == "15847901234"

    # Restoring over live data needs --force.
    with pytest.raises(BackupError):
        restore(out)


def test_tampered_backup_is_refused(dirs: dict[str, Path]) -> None:
    build_world()
    intake()
    store_upload(SimpleUploadedFile("a.png", _png()))
    out = backup(dirs["root"] / "backups")
    victim = next((out / "files" / "uploads").rglob("*"))
    while victim.is_dir():
        victim = next(victim.iterdir())
    victim.write_bytes(victim.read_bytes() + b"x")
    with pytest.raises(BackupError, match="校验失败"):
        restore(out, force=True)


def test_backup_command(dirs: dict[str, Path], capsys: Any) -> None:
    build_world()
    intake()
    call_command("backup", "--output", str(dirs["root"] / "b"))
    assert "备份完成" in capsys.readouterr().out
    assert len(list((dirs["root"] / "b").iterdir())) == 1
