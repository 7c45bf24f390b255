"""A tiny server-side SVG chart generator (counts as bars) for the PDF reports — no JS, no network."""

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


def count_ticks(vmax: float) -> list[int]:
    """The ticks of a count axis: whole numbers from 0, at most 6, evenly spaced (1, 2 or 5 × 10ⁿ),
    the last at or above ``vmax`` — never a fraction (a count of 3 is not drawn against 3.75)."""
    top = max(math.ceil(vmax), 1)
    step = 1
    while top / step > 5:
        mag = 10 ** math.floor(math.log10(step))
        step = next(m * mag for m in (1, 2, 5, 10) if m * mag > step)
    last = math.ceil(top / step) * step
    return list(range(0, last + 1, step))


def _frame(width: int, height: int, title: str, body: list[str]) -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="11">'
        f'<rect width="{width}" height="{height}" fill="#fff"/>'
        f'<text x="{width / 2}" y="16" text-anchor="middle" font-size="13" '
        f'font-weight="bold">{escape(title)}</text>'
    )
    return head + "".join(body) + "</svg>"


def _axes(left: int, top: int, w: int, h: int, ticks: Sequence[float]) -> list[str]:
    out = []
    vmax = ticks[-1]
    for val in ticks:
        y = top + h - h * val / vmax
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + w}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{val:g}</text>')
    out.append(f'<line x1="{left}" y1="{top + h}" x2="{left + w}" y2="{top + h}" stroke="#333"/>')
    return out


def _text_width(label: str) -> float:
    """Rough width at 11 px: CJK characters ~11 px, others ~6.5 px."""
    return sum(11 if ord(ch) > 0x2E80 else 6.5 for ch in label)


def label_every(labels: Sequence[str], slot: float) -> int:
    """Label every n-th category so that no two labels overlap (slot = width of one category)."""
    widest = max((_text_width(lab) for lab in labels), default=0) + 6
    return max(1, math.ceil(widest / slot)) if slot > 0 else 1


def bar_chart(
    labels: Sequence[str], values: Sequence[float], *, title: str = "", width: int = 520, height: int = 240
) -> str:
    """Counts per category as bars on a whole-number axis, each bar with its count."""
    left, top, bottom = 40, 28, 46
    w, h = width - left - 10, height - top - bottom
    ticks = count_ticks(max(values, default=0))
    vmax = ticks[-1]
    body = _axes(left, top, w, h, ticks)
    n = max(len(values), 1)
    slot = w / n
    bw = max(slot * 0.6, 2)
    for i, (lab, v) in enumerate(zip(labels, values, strict=True)):
        x = left + slot * i + (slot - bw) / 2
        bh = h * (v / vmax)
        y = top + h - bh
        body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bw:.1f}" height="{bh:.1f}" fill="{COLOURS[0]}"/>')
        body.append(f'<text x="{x + bw / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle">{v:g}</text>')
        short = lab if len(lab) <= 8 else lab[:7] + "…"
        body.append(
            f'<text x="{x + bw / 2:.1f}" y="{top + h + 14}" text-anchor="middle" '
            f'fill="#333">{escape(short)}</text>'
        )
    return _frame(width, height, title, body)


def columns_chart(
    labels: Sequence[str],
    series: dict[str, Sequence[float]],
    *,
    title: str = "",
    width: int = 520,
    height: int = 240,
) -> str:
    """Daily (or monthly) counts of several series as grouped bars — discrete days, not a line that
    suggests values between them — on a whole-number axis, with as many date labels as fit."""
    left, top, bottom = 40, 28, 52
    w, h = width - left - 10, height - top - bottom
    ticks = count_ticks(max((v for s in series.values() for v in s), default=0))
    vmax = ticks[-1]
    body = _axes(left, top, w, h, ticks)
    n = max(len(labels), 1)
    slot = w / n
    k_count = max(len(series), 1)
    bw = max(slot * 0.8 / k_count, 1)
    every = label_every(labels, slot)
    for i, lab in enumerate(labels):
        if i % every == 0:
            body.append(
                f'<text x="{left + slot * (i + 0.5):.1f}" y="{top + h + 14}" '
                f'text-anchor="middle">{escape(lab)}</text>'
            )
    for k, (name, values) in enumerate(series.items()):
        colour = COLOURS[k % len(COLOURS)]
        for i, v in enumerate(values):
            if not v:
                continue
            x = left + slot * i + slot * 0.1 + bw * k
            bh = h * (v / vmax)
            body.append(
                f'<rect x="{x:.1f}" y="{top + h - bh:.1f}" width="{bw:.1f}" height="{bh:.1f}" '
                f'fill="{colour}"><title>{escape(labels[i])} {escape(name)} {v:g}</title></rect>'
            )
        lx = left + 90 * k
        body.append(f'<rect x="{lx}" y="{height - 14}" width="10" height="10" fill="{colour}"/>')
        body.append(f'<text x="{lx + 14}" y="{height - 5}">{escape(name)}</text>')
    return _frame(width, height, title, body)


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
