"""Render a Django template to PDF with WeasyPrint.

A leaf module: it renders whatever template and context it is given (each app owns its own
document templates) and imports no domain app. Chinese text uses the locally installed Noto CJK
fonts (Debian ``fonts-noto-cjk``); nothing is fetched from the network — only ``data:`` URLs and
local files are resolved.
"""

from __future__ import annotations

import logging
from typing import Any

from django.template.loader import render_to_string

# Name the fonts explicitly so documents never fall back to a font without Chinese glyphs.
PDF_FONT_FAMILY = '"Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Micro Hei", sans-serif'
ALLOWED_PROTOCOLS = frozenset({"data", "file"})

# WeasyPrint logs every rendering step at INFO; keep the server log for what matters.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def _url_fetcher() -> Any:
    """A fetcher that refuses every network protocol (no network at run time)."""
    # deferred: WeasyPrint is heavy (~1 s, fonts, Pango); loaded on the first PDF, not at start-up
    try:
        from weasyprint.urls import URLFetcher  # WeasyPrint >= 67
    except ImportError:  # pragma: no cover - older WeasyPrint
        from weasyprint import default_url_fetcher  # type: ignore[attr-defined]

        def fetch(url: str, *args: Any, **kwargs: Any) -> Any:
            if url.split(":", 1)[0].lower() not in ALLOWED_PROTOCOLS:
                raise ValueError(f"documents may not load remote resources: {url}")
            return default_url_fetcher(url, *args, **kwargs)

        return fetch
    return URLFetcher(allowed_protocols=set(ALLOWED_PROTOCOLS))


def render_html(template_name: str, context: dict[str, Any]) -> str:
    return render_to_string(template_name, {"pdf_font_family": PDF_FONT_FAMILY, "for_pdf": True, **context})


def render_pdf(template_name: str, context: dict[str, Any], *, base_url: str | None = None) -> bytes:
    """Render ``template_name`` with ``context`` and return the PDF bytes."""
    # deferred: WeasyPrint is heavy; loaded on the first PDF, not at start-up
    from PIL import ImageFile
    from weasyprint import HTML

    # WeasyPrint turns truncated-image loading on for the whole process when it is imported; uploads
    # (onewindow.files) must refuse truncated images, so it is switched off again.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    html = render_html(template_name, context)
    pdf = HTML(string=html, base_url=base_url, url_fetcher=_url_fetcher()).write_pdf()
    if pdf is None:  # pragma: no cover - write_pdf() without a target always returns bytes
        raise RuntimeError("WeasyPrint returned no PDF")
    return bytes(pdf)
