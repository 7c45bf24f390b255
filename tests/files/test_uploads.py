from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from onewindow.core.errors import Invalid
from onewindow.files.services import read_file, storage_root, store_upload


def _jpeg(w: int = 3000, h: int = 2000) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), (200, 30, 30)).save(buf, format="JPEG")
    return buf.getvalue()


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGBA", (40, 30), (0, 0, 255, 128)).save(buf, format="PNG")
    return buf.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _tmp_uploads(tmp_path: Any, settings: Any) -> None:
    settings.UPLOAD_ROOT = tmp_path / "uploads"


@pytest.mark.django_db
def test_jpeg_is_downscaled_and_stored_encrypted() -> None:
    raw = _jpeg()
    f = store_upload(SimpleUploadedFile("../../etc/passwd.jpg", raw, content_type="image/jpeg"))
    assert f.content_type == "image/jpeg"
    assert max(f.width or 0, f.height or 0) == 2000
    assert f.name == "passwd.jpg"  # label only, never a path
    on_disk = (storage_root() / f.path).read_bytes()
    assert not on_disk.startswith(b"\xff\xd8\xff")  # encrypted at rest
    clear = read_file(f)
    assert clear.startswith(b"\xff\xd8\xff")
    assert Image.open(io.BytesIO(clear)).size == (2000, 1333)


@pytest.mark.django_db
def test_png_and_pdf_accepted() -> None:
    assert store_upload(SimpleUploadedFile("a.png", _png())).content_type == "image/png"
    assert store_upload(SimpleUploadedFile("a.pdf", PDF)).content_type == "application/pdf"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"just text, renamed to .jpg", "unsupported_file_type"),
        (b"MZ\x90\x00 an exe", "unsupported_file_type"),
        (b"", "empty_file"),
        (b"\xff\xd8\xff\xe0 not really a jpeg", "corrupt_file"),
        (b"%PDF-1.4 truncated", "corrupt_file"),
    ],
)
def test_bad_uploads_refused_by_content(data: bytes, code: str) -> None:
    with pytest.raises(Invalid) as exc:
        store_upload(SimpleUploadedFile("photo.jpg", data, content_type="image/jpeg"))
    assert exc.value.code == code


@pytest.mark.django_db
def test_size_limit() -> None:
    with override_settings(UPLOAD_MAX_BYTES=1000), pytest.raises(Invalid) as exc:
        store_upload(SimpleUploadedFile("big.pdf", PDF + b"0" * 2000 + b"%%EOF"))
    assert exc.value.code == "file_too_large"
