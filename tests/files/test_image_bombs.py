"""Uploads under real conditions: decompression bombs, JPEG draft decoding, bounded concurrency,
truncated images, PDFs served as attachments.

The bomb of the issue: a 462 KB PNG of 10,900 × 10,900 pixels took 1.35 GB and 9 s to process.
"""

from __future__ import annotations

import io
import struct
import threading
import time
import zlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image, ImageFile, JpegImagePlugin

from onewindow.core.errors import Invalid
from onewindow.files import services
from onewindow.files.services import file_response, image_slot, store_upload


@pytest.fixture(autouse=True)
def _tmp_uploads(tmp_path: Any, settings: Any) -> None:
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    settings.DATA_DIR = tmp_path


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(side: int = 10_900) -> bytes:
    """A valid grey PNG of side × side black pixels, a few hundred KB on disk."""
    comp = zlib.compressobj(9)
    row = b"\x00" * (side + 1)  # filter byte + one byte per pixel
    idat = b"".join(comp.compress(row) for _ in range(side)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def jpeg(w: int, h: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), (20, 120, 200)).save(buf, format="JPEG", quality=70)
    return buf.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return bomb_png()


@pytest.fixture
def agent(world: dict[str, Any], login: Any) -> Client:
    return login("agent")


def upload(client: Client, data: bytes, name: str = "photo.png") -> Any:
    return client.post("/api/v1/proxy/files", {"file": SimpleUploadedFile(name, data)})


@pytest.mark.django_db
def test_pixel_bomb_is_refused_from_the_header_without_decoding(
    agent: Client, bomb: bytes, monkeypatch: Any
) -> None:
    assert len(bomb) < 1024 * 1024
    loads: list[Any] = []
    real_load = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: loads.append(self) or real_load(self))
    started = time.monotonic()
    r = upload(agent, bomb)
    assert r.status_code == 422, r.content
    assert r.json()["error"]["code"] == "image_too_large"
    assert time.monotonic() - started < 2
    assert loads == []  # no pixel was decoded


@pytest.mark.django_db
def test_header_limit_admits_a_phone_photo_and_refuses_just_above(settings: Any) -> None:
    f = store_upload(SimpleUploadedFile("phone.jpg", jpeg(4000, 3000)))
    assert (f.width, f.height) == (2000, 1500)
    settings.UPLOAD_IMAGE_MAX_PIXELS = 4000 * 3000 - 1
    with pytest.raises(Invalid) as exc:
        store_upload(SimpleUploadedFile("phone.jpg", jpeg(4000, 3000)))
    assert exc.value.code == "image_too_large"


@pytest.mark.django_db
def test_pillows_bomb_warning_is_an_error(settings: Any, bomb: bytes) -> None:
    """Even with our own limit raised far above the image, Pillow's warning (over 60 M pixels, below its
    own error at 120 M) refuses the 118.8 M pixel image instead of decoding it."""
    settings.UPLOAD_IMAGE_MAX_PIXELS = 10**10
    assert Image.MAX_IMAGE_PIXELS is not None
    assert Image.MAX_IMAGE_PIXELS < 10_900 * 10_900 < 2 * Image.MAX_IMAGE_PIXELS
    with pytest.raises(Invalid) as exc:
        store_upload(SimpleUploadedFile("bomb.png", bomb))
    assert exc.value.code == "image_too_large"


@pytest.mark.django_db
def test_jpeg_is_decoded_in_draft_mode(monkeypatch: Any) -> None:
    decoded: list[tuple[int, int]] = []
    real_load = JpegImagePlugin.JpegImageFile.load

    def spy(self: Any) -> Any:
        result = real_load(self)
        decoded.append(self.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "load", spy)
    f = store_upload(SimpleUploadedFile("phone.jpg", jpeg(4000, 3000)))
    assert (f.width, f.height) == (2000, 1500)
    assert decoded and decoded[0] == (2000, 1500)  # the decoder scaled by 1/2, not the full 12 M pixels


@pytest.mark.django_db
def test_truncated_images_are_refused() -> None:
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False  # nobody turned it on globally
    for data, name in ((jpeg(800, 600), "t.jpg"), (bomb_png(600), "t.png")):
        with pytest.raises(Invalid) as exc:
            store_upload(SimpleUploadedFile(name, data[: len(data) * 2 // 3]))
        assert exc.value.code == "corrupt_file", name


@pytest.mark.django_db
def test_image_decoding_waits_for_a_free_slot_then_answers_busy(agent: Client, settings: Any) -> None:
    settings.UPLOAD_IMAGE_CONCURRENCY = 1
    settings.UPLOAD_IMAGE_WAIT_SECONDS = 0.3
    with image_slot():  # another request (or worker process) is decoding
        r = upload(agent, jpeg(300, 200), "a.jpg")
    assert r.status_code == 503 and r.json()["error"]["code"] == "server_busy"
    assert upload(agent, jpeg(300, 200), "a.jpg").status_code == 201


@pytest.mark.django_db(transaction=True)
def test_at_most_n_images_are_decoded_at_once(settings: Any, monkeypatch: Any) -> None:
    settings.UPLOAD_IMAGE_CONCURRENCY = 2
    active = peak = 0
    lock = threading.Lock()
    real_load = ImageFile.ImageFile.load

    def slow_load(self: Any) -> Any:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.2)
        try:
            return real_load(self)
        finally:
            with lock:
                active -= 1

    monkeypatch.setattr(ImageFile.ImageFile, "load", slow_load)
    errors: list[BaseException] = []
    data = jpeg(400, 300)

    def work() -> None:
        try:
            services._normalise_image(data, "image/jpeg")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert peak == 2


@pytest.mark.django_db
def test_pdfs_are_served_as_attachments_images_inline() -> None:
    pdf = store_upload(SimpleUploadedFile("a.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"))
    assert file_response(pdf)["Content-Disposition"].startswith("attachment;")
    img = store_upload(SimpleUploadedFile("a.jpg", jpeg(40, 30)))
    assert file_response(img)["Content-Disposition"].startswith("inline;")


@pytest.mark.django_db
def test_uploaded_pdf_is_an_attachment_over_http(agent: Client) -> None:
    fid = upload(agent, b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", "scan.pdf").json()["id"]
    r = agent.get(f"/api/v1/proxy/files/{fid}")
    assert r.status_code == 200
    assert r["Content-Disposition"].startswith("attachment;")
    assert r["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_rendering_a_pdf_does_not_leave_truncated_image_loading_on(monkeypatch: Any) -> None:
    """WeasyPrint sets ``ImageFile.LOAD_TRUNCATED_IMAGES = True`` for the process when imported."""
    from onewindow.documents import pdf

    monkeypatch.setattr(pdf, "render_html", lambda name, context: "<p>委托书</p>")
    ImageFile.LOAD_TRUNCATED_IMAGES = True  # as right after WeasyPrint's first import
    assert pdf.render_pdf("any.html", {}).startswith(b"%PDF")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    data = jpeg(800, 600)
    ImageFile.LOAD_TRUNCATED_IMAGES = True  # and even if some other library turned it on again
    with pytest.raises(Invalid) as exc:
        store_upload(SimpleUploadedFile("t.jpg", data[: len(data) * 2 // 3]))
    assert exc.value.code == "corrupt_file"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
