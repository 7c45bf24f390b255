"""``onewindow.documents.pdf``: any template to PDF bytes, never touching the network."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.catalog import selectors as catalog
from onewindow.documents import pdf as documents_pdf


def test_render_pdf_returns_pdf_bytes(world: Any) -> None:
    version = catalog.item_get_published("MZ-001")
    context = {"v": version, "materials": list(version.materials.all()), "steps": version.steps}
    data = documents_pdf.render_pdf("portal/item_print.html", context)
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")


def test_render_html_names_the_cjk_font_and_marks_pdf_mode(world: Any) -> None:
    version = catalog.item_get_published("MZ-001")
    html = documents_pdf.render_html("portal/item_print.html", {"v": version})
    assert "Noto Sans CJK SC" in html
    assert "window.print()" not in html  # the on-screen toolbar is left out of documents


@pytest.mark.parametrize("url", ["http://example.com/a.png", "https://example.com/a.css", "ftp://x/y"])
def test_remote_resources_are_refused(url: str) -> None:
    fetcher = documents_pdf._url_fetcher()
    fetch = getattr(fetcher, "fetch", fetcher)
    with pytest.raises(ValueError):
        fetch(url)
