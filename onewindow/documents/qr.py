"""QR codes as inline SVG data URIs (segno; pure Python, no network)."""

from __future__ import annotations

import segno


def qr_data_uri(text: str, *, scale: int = 4) -> str:
    return str(segno.make(text, error="m").svg_data_uri(scale=scale, border=2))
