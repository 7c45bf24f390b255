"""A tiny server-side SVG chart generator (bars and lines) for the PDF reports — no JS, no network."""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from xml.sax.saxutils import escape

FONT = "Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif"
COLOURS = ["#1f5fa8", "#d4831c", "#2e8b57", "#b03a2e", "#7d5ba6"]


def _nice_max(v: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ that is ≥ v (the top of the value axis)."""
    if v <= 0:
        return 1
    mag = 10 ** math.floor(math.log10(v))
    return next(m * mag for m in (1, 2, 2.5, 5, 10) if v <= m * mag)


def _frame(width: int, height: int, title: str, body: list[str]) -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="11">'
        f'<rect width="{width}" height="{height}" fill="#fff"/>'
        f'<text x="{width / 2}" y="16" text-anchor="middle" font-size="13" '
        f'font-weight="bold">{escape(title)}</text>'
    )
    return head + "".join(body) + "</svg>"


def _axes(left: int, top: int, w: int, h: int, vmax: float) -> list[str]:
    out = []
    for i in range(5):
        y = top + h - h * i / 4
        val = vmax * i / 4
        label = f"{val:g}" if vmax >= 4 else f"{val:.2g}"
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + w}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{label}</text>')
    out.append(f'<line x1="{left}" y1="{top + h}" x2="{left + w}" y2="{top + h}" stroke="#333"/>')
    return out


def bar_chart(
    labels: Sequence[str], values: Sequence[float], *, title: str = "", width: int = 520, height: int = 240
) -> str:
    left, top, bottom = 40, 28, 46
    w, h = width - left - 10, height - top - bottom
    vmax = _nice_max(max(values, default=0))
    body = _axes(left, top, w, h, vmax)
    n = max(len(values), 1)
    slot = w / n
    bw = max(slot * 0.6, 2)
    for i, (lab, v) in enumerate(zip(labels, values, strict=True)):
        x = left + slot * i + (slot - bw) / 2
        bh = h * (v / vmax) if vmax else 0
        y = top + h - bh
        body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bw:.1f}" height="{bh:.1f}" fill="{COLOURS[0]}"/>')
        body.append(f'<text x="{x + bw / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle">{v:g}</text>')
        short = lab if len(lab) <= 8 else lab[:7] + "…"
        body.append(
            f'<text x="{x + bw / 2:.1f}" y="{top + h + 14}" text-anchor="middle" '
            f'fill="#333">{escape(short)}</text>'
        )
    return _frame(width, height, title, body)


def line_chart(
    labels: Sequence[str],
    series: dict[str, Sequence[float]],
    *,
    title: str = "",
    width: int = 520,
    height: int = 240,
) -> str:
    left, top, bottom = 40, 28, 52
    w, h = width - left - 10, height - top - bottom
    vmax = _nice_max(max((v for s in series.values() for v in s), default=0))
    body = _axes(left, top, w, h, vmax)
    n = len(labels)
    step = w / (n - 1) if n > 1 else 0
    every = max(1, n // 8)
    for i, lab in enumerate(labels):
        if i % every == 0:
            body.append(
                f'<text x="{left + step * i:.1f}" y="{top + h + 14}" '
                f'text-anchor="middle">{escape(lab)}</text>'
            )
    for k, (name, values) in enumerate(series.items()):
        colour = COLOURS[k % len(COLOURS)]
        pts = " ".join(f"{left + step * i:.1f},{top + h - h * (v / vmax):.1f}" for i, v in enumerate(values))
        body.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"/>')
        lx = left + 90 * k
        body.append(f'<rect x="{lx}" y="{height - 14}" width="10" height="10" fill="{colour}"/>')
        body.append(f'<text x="{lx + 14}" y="{height - 5}">{escape(name)}</text>')
    return _frame(width, height, title, body)


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
