"""Upload handling shared by the proxy intake, the resident portal and notices.

- The type is decided by the content (magic bytes, then Pillow for images), never by the name or the
  browser's ``Content-Type``: a renamed text file is refused with ``unsupported_file_type``.
- Size limit ``UPLOAD_MAX_BYTES`` (default 10 MiB) → ``file_too_large``; an empty file → ``empty_file``.
- Images are decoded, EXIF (and GPS) dropped, downscaled to ``UPLOAD_IMAGE_MAX_PX`` on the long side and
  re-encoded; a file Pillow cannot decode, or a truncated one, is refused (``corrupt_file``).
- Decompression bombs: the pixel count is read from the header before anything is decoded and an image
  over ``UPLOAD_IMAGE_MAX_PIXELS`` (default 25 million: a 4000 × 3000 phone photo is 12 million) is refused
  (``image_too_large``); Pillow's own bomb *warning* is turned into an error; JPEGs are decoded in draft
  mode straight at (about) the target size; at most ``UPLOAD_IMAGE_CONCURRENCY`` images (default 2) are
  decoded at once on this host, across all worker processes and threads (file locks in the data
  directory); a request that waits longer than ``UPLOAD_IMAGE_WAIT_SECONDS`` gets 503 ``server_busy``.
  Truncated-image loading (``ImageFile.LOAD_TRUNCATED_IMAGES``) stays off.
- PDFs are always served as attachments (never rendered inline in the browser's origin).
- Content is stored encrypted (the residents' documents are personal data) under
  ``DATA_DIR/uploads/<aa>/<uuid>``; the client's name is kept only as a label, never in a path.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import io
import os
import time
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.http import HttpResponse
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from onewindow.core.errors import DomainError, Invalid
from onewindow.files.models import StoredFile
from onewindow.privacy import crypto

ALLOWED = {"image/jpeg": "JPEG", "image/png": "PNG", "application/pdf": "PDF"}
# Pillow's safety net behind our own header check: its bomb warning (above this) is an error here too.
Image.MAX_IMAGE_PIXELS = 60_000_000
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)
DEFAULT_MAX_PIXELS = 25_000_000


class ServerBusy(
    DomainError, status=503, code="server_busy", message="服务器繁忙，正在处理其他图片，请稍后重试"
):
    pass


def max_bytes() -> int:
    return int(settings.UPLOAD_MAX_BYTES)


def max_px() -> int:
    return int(settings.UPLOAD_IMAGE_MAX_PX)


def max_pixels() -> int:
    return int(settings.UPLOAD_IMAGE_MAX_PIXELS)


@contextlib.contextmanager
def image_slot() -> Iterator[None]:
    """One of ``UPLOAD_IMAGE_CONCURRENCY`` slots for decoding an image, shared by every process and
    thread of this instance (``flock`` on slot files in the data directory); waits at most
    ``UPLOAD_IMAGE_WAIT_SECONDS``, then :class:`ServerBusy`."""
    slots = max(1, int(settings.UPLOAD_IMAGE_CONCURRENCY))
    wait = float(settings.UPLOAD_IMAGE_WAIT_SECONDS)
    lock_dir = Path(settings.DATA_DIR) / "locks"
    lock_dir.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    while True:
        for i in range(slots):
            fd = os.open(lock_dir / f"image-{i}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                os.close(fd)
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise
                continue
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
            return
        if time.monotonic() >= deadline:
            raise ServerBusy()
        time.sleep(0.05)


def storage_root() -> Path:
    root = Path(settings.UPLOAD_ROOT)
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


def label(name: str) -> str:
    """The client's file name as a safe label: the last path part, printable characters only (no NUL,
    no control or format characters), at most 120 characters."""
    base = Path(name.replace("\\", "/")).name
    return "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*')[:120]


_label = label


def _too_large(pixels: int, field: str) -> Invalid:
    limit = max_pixels()
    size = f"（{pixels // 10_000} 万像素）" if pixels else ""
    return Invalid(
        f"图片像素过大{size}，最多 {limit // 10_000} 万像素，请缩小后重新上传",
        code="image_too_large",
        details={field: [f"最多 {limit} 像素"]},
    )


def _normalise_image(data: bytes, kind: str, field: str = "file") -> tuple[bytes, str, int, int]:
    # A truncated upload must fail to load. The switch is process-wide and a library may turn it on
    # when imported (WeasyPrint does; onewindow.documents switches it off again): never decode with it.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        # 1. the header only: Image.open does not decode pixels
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
            pillow_limit = Image.MAX_IMAGE_PIXELS or max_pixels()
            if width * height > min(max_pixels(), pillow_limit):
                # our limit, and Pillow's warning threshold treated as an error whatever the warning
                # filters in force (pytest, an embedding process) say
                raise _too_large(width * height, field)
            probe.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_large(0, field) from exc  # Pillow's check inside Image.open, before our own
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise Invalid("图片已损坏或无法识别，请重新拍照上传", code="corrupt_file") from exc
    limit = max_px()
    with image_slot():
        try:
            img: Any = Image.open(io.BytesIO(data))
            if kind == "image/jpeg" and max(width, height) > limit:
                # 2. JPEG draft mode: the decoder scales by 1/2, 1/4 or 1/8 while decoding
                ratio = limit / max(width, height)
                img.draft("RGB", (max(1, int(width * ratio)), max(1, int(height * ratio))))
            img.load()  # a truncated file raises here (LOAD_TRUNCATED_IMAGES is off)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_large(width * height, field) from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise Invalid("图片已损坏或无法识别，请重新拍照上传", code="corrupt_file") from exc
        img = ImageOps.exif_transpose(img) or img
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
        data, kind, width, height = _normalise_image(data, kind, field)
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


def discard(f: StoredFile) -> None:
    """Delete a stored file that nothing refers to any more (its row and its encrypted content)."""
    path = storage_root() / f.path
    f.delete()
    path.unlink(missing_ok=True)


def read_file(f: StoredFile) -> bytes:
    return crypto.decrypt_bytes((storage_root() / f.path).read_bytes())


def file_response(f: StoredFile, *, download: bool = False) -> HttpResponse:
    """The decrypted content. Callers must check access first (the owning case or request).

    Only images are ever shown inline; a user's PDF is always an attachment (a PDF viewer in the
    site's origin runs the file's scripts and forms)."""
    resp = HttpResponse(read_file(f), content_type=f.content_type)
    ext = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}[f.content_type]
    disposition = "attachment" if download or not f.is_image else "inline"
    resp["Content-Disposition"] = f'{disposition}; filename="{f.id}.{ext}"'
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Cache-Control"] = "private, no-store"
    return resp
