"""Upload handling shared by the proxy intake, the resident portal and notices.

- The type is decided by the content (magic bytes, then Pillow for images), never by the name or the
  browser's ``Content-Type``: a renamed text file is refused with ``unsupported_file_type``.
- Size limit ``UPLOAD_MAX_BYTES`` (default 10 MiB) → ``file_too_large``; an empty file → ``empty_file``.
- Images are decoded, EXIF (and GPS) dropped, downscaled to ``UPLOAD_IMAGE_MAX_PX`` on the long side and
  re-encoded; a file Pillow cannot decode is refused (``corrupt_file``).
- Content is stored encrypted (the residents' documents are personal data) under
  ``DATA_DIR/uploads/<aa>/<uuid>``; the client's name is kept only as a label, never in a path.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.http import HttpResponse
from PIL import Image, UnidentifiedImageError

from onewindow.errors import Invalid
from onewindow.files.models import StoredFile
from onewindow.privacy import crypto

ALLOWED = {"image/jpeg": "JPEG", "image/png": "PNG", "application/pdf": "PDF"}
Image.MAX_IMAGE_PIXELS = 60_000_000  # a decompression bomb is refused, not decoded


def max_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def max_px() -> int:
    return int(getattr(settings, "UPLOAD_IMAGE_MAX_PX", 2000))


def storage_root() -> Path:
    root = Path(getattr(settings, "UPLOAD_ROOT", Path(settings.DATA_DIR) / "uploads"))
    return root


def sniff(head: bytes) -> str | None:
    """The real type from the first bytes."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.lstrip(b"\r\n\t ")[:5] == b"%PDF-":
        return "application/pdf"
    return None


def _label(name: str) -> str:
    base = Path(name.replace("\\", "/")).name
    return "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*')[:120]


def _normalise_image(data: bytes, kind: str) -> tuple[bytes, str, int, int]:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        img: Any = Image.open(io.BytesIO(data))
        img.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise Invalid("图片已损坏或无法识别，请重新拍照上传", code="corrupt_file") from exc
    from PIL import ImageOps

    img = ImageOps.exif_transpose(img) or img
    limit = max_px()
    if max(img.size) > limit:
        img.thumbnail((limit, limit))
    out = io.BytesIO()
    if kind == "image/png" and img.mode in ("RGBA", "LA", "P"):
        img.save(out, format="PNG", optimize=True)
        kind = "image/png"
    else:
        if img.mode not in ("RGB", "L"):
            img = img.convert("RGB")
        img.save(out, format="JPEG", quality=85, optimize=True)
        kind = "image/jpeg"
    return out.getvalue(), kind, img.size[0], img.size[1]


def store_bytes(data: bytes, *, name: str = "", user: Any = None, field: str = "file") -> StoredFile:
    if not data:
        raise Invalid("文件为空", code="empty_file", details={field: ["文件为空"]})
    limit = max_bytes()
    if len(data) > limit:
        raise Invalid(
            f"文件过大：最大 {limit // (1024 * 1024)} MB",
            code="file_too_large",
            details={field: [f"最大 {limit} 字节"]},
        )
    kind = sniff(data[:16])
    if kind is None:
        raise Invalid(
            "只能上传 JPEG、PNG 图片或 PDF 文件（按文件内容识别，改扩展名无效）",
            code="unsupported_file_type",
            details={field: ["仅支持 JPEG/PNG/PDF"]},
        )
    original_size = len(data)
    width = height = None
    if kind.startswith("image/"):
        data, kind, width, height = _normalise_image(data, kind)
    elif b"%%EOF" not in data[-2048:]:
        raise Invalid("PDF 文件不完整或已损坏", code="corrupt_file", details={field: ["PDF 不完整"]})
    fid = uuid.uuid4()
    rel = f"{fid.hex[:2]}/{fid.hex}"
    path = storage_root() / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(crypto.encrypt_bytes(data))
    return StoredFile.objects.create(
        id=fid,
        content_type=kind,
        size=len(data),
        original_size=original_size,
        sha256=hashlib.sha256(data).hexdigest(),
        name=_label(name),
        width=width,
        height=height,
        path=rel,
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
    )


def store_upload(upload: IO[bytes] | Any, *, user: Any = None, field: str = "file") -> StoredFile:
    """Validate and store a Django ``UploadedFile`` (or any binary file object with ``name``)."""
    limit = max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise Invalid(
            f"文件过大：最大 {limit // (1024 * 1024)} MB",
            code="file_too_large",
            details={field: [f"最大 {limit} 字节"]},
        )
    data = upload.read(limit + 1)
    return store_bytes(data, name=getattr(upload, "name", "") or "", user=user, field=field)


def read_file(f: StoredFile) -> bytes:
    return crypto.decrypt_bytes((storage_root() / f.path).read_bytes())


def file_response(f: StoredFile, *, download: bool = False) -> HttpResponse:
    """The decrypted content. Callers must check access first (the owning case or request)."""
    resp = HttpResponse(read_file(f), content_type=f.content_type)
    ext = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}[f.content_type]
    disposition = "attachment" if download else "inline"
    resp["Content-Disposition"] = f'{disposition}; filename="{f.id}.{ext}"'
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Cache-Control"] = "private, no-store"
    return resp
