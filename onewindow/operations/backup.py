"""Backup and restore (``onewindow backup`` / ``onewindow restore``).

A backup is a directory ``onewindow-backup-YYYYmmdd-HHMMSS/`` holding:

* ``db.sqlite3`` — a consistent snapshot taken with SQLite's online backup API while the system runs,
  or ``db.pgdump`` — ``pg_dump --format=custom`` of the PostgreSQL database;
* ``files/uploads/…`` and ``files/media/…`` — the encrypted uploads (``DATA_DIR/uploads`` or
  ``UPLOAD_ROOT``) and the media files (``MEDIA_ROOT``), copied byte for byte;
* ``manifest.json`` — creation time, database vendor, row counts of the key tables, the sha256 and size
  of every file above, and the sha256 *fingerprints* of the personal-data keys in use.

The keys themselves are NOT in the backup (a stolen backup must stay unreadable): keep
``DATA_DIR/data_keys``, ``index_key`` and ``secret_key`` (or the env vars) in a separate safe place.
``restore`` checks every checksum first, refuses a backup made with other keys, refuses to overwrite a
database that already holds cases unless ``--force``, then loads the database and files and verifies the
case timelines' and the audit log's hash chains.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from onewindow.cases.models import Case, CaseEvent
from onewindow.cases.selectors import chain_verify
from onewindow.files.models import StoredFile
from onewindow.files.services import storage_root
from onewindow.security import audit
from onewindow.security.models import AuditEntry

MANIFEST = "manifest.json"


class BackupError(Exception):
    pass


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def upload_root() -> Path:
    return storage_root()


def file_roots() -> dict[str, Path]:
    return {"uploads": upload_root(), "media": Path(settings.MEDIA_ROOT)}


def key_fingerprints() -> list[str]:
    keys = [*settings.ONEWINDOW_DATA_KEYS, settings.ONEWINDOW_INDEX_KEY]
    return [hashlib.sha256(str(k).encode()).hexdigest()[:16] for k in keys]


def _pg_args(tool: str) -> tuple[list[str], dict[str, str]]:
    s = connection.settings_dict
    exe = shutil.which(tool) or next(
        (str(p) for p in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{tool}"))), None
    )
    if exe is None:
        raise BackupError(f"找不到 {tool}（请安装 postgresql-client）")
    args = [exe, "-h", s.get("HOST") or "127.0.0.1", "-p", str(s.get("PORT") or 5432)]
    args += ["-U", s.get("USER") or "postgres"]
    env = {**os.environ, "PGPASSWORD": str(s.get("PASSWORD") or "")}
    return args, env


def _counts() -> dict[str, int]:
    return {
        "cases": Case.objects.count(),
        "case_events": CaseEvent.objects.count(),
        "files": StoredFile.objects.count(),
        "audit_entries": AuditEntry.objects.count(),
    }


def backup(target_dir: Path) -> Path:
    """Write a backup directory under ``target_dir``; returns its path."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    out = Path(target_dir) / f"onewindow-backup-{stamp}"
    n = 1
    while out.exists():
        n += 1
        out = Path(target_dir) / f"onewindow-backup-{stamp}-{n}"
    out.mkdir(parents=True)
    os.chmod(out, 0o700)
    vendor = connection.vendor
    counts = _counts()
    if vendor == "sqlite":
        db_file = out / "db.sqlite3"
        connection.ensure_connection()
        dest = sqlite3.connect(db_file)
        try:
            connection.connection.backup(dest)  # type: ignore[union-attr]
        finally:
            dest.close()
    elif vendor == "postgresql":
        db_file = out / "db.pgdump"
        args, env = _pg_args("pg_dump")
        args += ["--format=custom", "--no-owner", "--file", str(db_file), connection.settings_dict["NAME"]]
        subprocess.run(args, check=True, env=env, capture_output=True)
    else:
        raise BackupError(f"不支持的数据库：{vendor}")
    entries = [{"path": db_file.name, "size": db_file.stat().st_size, "sha256": _sha256(db_file)}]
    for name, root in file_roots().items():
        if not root.exists():
            continue
        for src in sorted(p for p in root.rglob("*") if p.is_file()):
            rel = Path("files") / name / src.relative_to(root)
            dst = out / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
            entries.append({"path": rel.as_posix(), "size": dst.stat().st_size, "sha256": _sha256(dst)})
    manifest = {
        "format": 1,
        "created_at": timezone.now().isoformat(),
        "vendor": vendor,
        "counts": counts,
        "key_fingerprints": key_fingerprints(),
        "files": entries,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    audit.record("system.backup", obj=out.name, details={"files": len(entries), **counts})
    return out


def verify_backup(src: Path) -> dict[str, Any]:
    """Check the manifest's checksums; returns the manifest."""
    manifest_path = Path(src) / MANIFEST
    if not manifest_path.exists():
        raise BackupError("不是有效的备份目录：缺少 manifest.json")
    manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
    root = Path(src).resolve()
    for entry in manifest["files"]:
        path = (root / entry["path"]).resolve()
        if root not in path.parents:
            raise BackupError(f"备份清单中的路径越界：{entry['path']}")
        if not path.is_file():
            raise BackupError(f"备份缺少文件：{entry['path']}")
        if path.stat().st_size != entry["size"] or _sha256(path) != entry["sha256"]:
            raise BackupError(f"备份文件校验失败（已损坏或被改动）：{entry['path']}")
    return manifest


def restore(src: Path, *, force: bool = False) -> dict[str, Any]:
    """Restore a backup made by :func:`backup` into this instance; returns a summary."""
    src = Path(src)
    manifest = verify_backup(src)
    if manifest["vendor"] != connection.vendor:
        raise BackupError(f"备份来自 {manifest['vendor']}，当前数据库为 {connection.vendor}")
    if manifest.get("key_fingerprints") and manifest["key_fingerprints"][0] not in key_fingerprints():
        raise BackupError(
            "备份使用的个人信息加密密钥与当前实例不同：请先配置原密钥（ONEWINDOW_DATA_KEYS 等）"
        )
    if not force:
        try:
            if Case.objects.exists():
                raise BackupError("当前数据库已有办件数据；确认覆盖请加 --force")
        except BackupError:
            raise
        except Exception:
            pass
    if connection.vendor == "sqlite":
        backup_conn = sqlite3.connect(src / "db.sqlite3")
        try:
            connection.ensure_connection()
            backup_conn.backup(connection.connection)  # type: ignore[arg-type]
        finally:
            backup_conn.close()
    else:
        args, env = _pg_args("pg_restore")
        args += ["--clean", "--if-exists", "--no-owner", "--single-transaction"]
        args += ["-d", connection.settings_dict["NAME"], str(src / "db.pgdump")]
        connection.close()
        subprocess.run(args, check=True, env=env, capture_output=True)
    roots = file_roots()
    for entry in manifest["files"]:
        parts = Path(entry["path"]).parts
        if parts[0] != "files" or parts[1] not in roots:
            continue
        dst = roots[parts[1]].joinpath(*parts[2:])
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src / entry["path"], dst)
    return {"manifest": manifest, "problems": verify_restored(manifest)}


def verify_restored(manifest: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    counts = _counts()
    for key, expected in manifest.get("counts", {}).items():
        # The audit log may only have grown (the backup itself is recorded after the snapshot).
        if key == "audit_entries" and counts.get(key, 0) >= expected:
            continue
        if counts.get(key) != expected:
            problems.append(f"{key}: 备份时 {expected}，恢复后 {counts.get(key)}")
    for case in Case.objects.order_by("pk").iterator():
        problems += [f"办件 {case.number}：{p}" for p in chain_verify(case)]
    problems += audit.verify()
    return problems


def age_of(manifest: dict[str, Any]) -> dt.timedelta:
    return timezone.now() - dt.datetime.fromisoformat(manifest["created_at"])
