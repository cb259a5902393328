"""Plots as SVG, drawn on the server: no JavaScript library, no CDN, nothing the CSP must allow.

Colours are CSS classes (static/app.css: `sev-critical` …), so the page's style decides them; the SVG carries
only geometry, a <title> per mark for hover text, and a text alternative for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

SERIES = ("critical", "high", "medium", "low")


def severity_trend_svg(points: Sequence[tuple[date, dict[str, int]]], width: int = 640, height: int = 200) -> str:
    """Stacked areas of open findings by severity, one point per day."""
    if not points:
        return _empty(width, height, "no findings recorded yet")
    pad_left, pad_bottom, pad_top = 44, 22, 8
    plot_w, plot_h = width - pad_left - 8, height - pad_bottom - pad_top
    totals = [sum(counts.get(s, 0) for s in SERIES) for _, counts in points]
    top = max(max(totals), 1)
    step = plot_w / max(len(points) - 1, 1)

    def y(value: float) -> float:
        return pad_top + plot_h - plot_h * value / top

    shapes: list[str] = []
    base = [0.0] * len(points)
    for severity in reversed(SERIES):  # low at the bottom, critical on top
        upper = [b + counts.get(severity, 0) for b, (_, counts) in zip(base, points, strict=True)]
        line = [f"{pad_left + i * step:.1f},{y(v):.1f}" for i, v in enumerate(upper)]
        back = [f"{pad_left + i * step:.1f},{y(v):.1f}" for i, v in reversed(list(enumerate(base)))]
        latest = points[-1][1].get(severity, 0)
        shapes.append(
            f'<polygon class="sev-{severity}" points="{" ".join(line + back)}"><title>{severity}: {latest} open '
            f"now</title></polygon>"
        )
        base = upper
    axis = _axis(pad_left, pad_top, plot_w, plot_h, top, points[0][0], points[-1][0])
    label = f"Open findings by severity over {len(points)} days; now {totals[-1]}"
    return _svg(width, height, label, "".join(shapes) + axis)


def score_bars_svg(scores: Sequence[tuple[str, float | None]], width: int = 640) -> str:
    """One horizontal bar per registry: its posture score out of 100."""
    if not scores:
        return _empty(width, 60, "no registry audit recorded yet")
    row, label_w = 26, 160
    height = row * len(scores) + 8
    bars = []
    for index, (name, score) in enumerate(scores):
        y = 4 + index * row
        value = score if score is not None else 0.0
        band = "good" if value >= 90 else "fair" if value >= 70 else "poor"
        bar_w = (width - label_w - 60) * value / 100
        text = "n/a" if score is None else f"{score:.0f}"
        bars.append(
            f'<text class="chart-label" x="0" y="{y + 16}">{escape(name[:24])}</text>'
            f'<rect class="score-{band}" x="{label_w}" y="{y}" width="{bar_w:.1f}" height="{row - 8}">'
            f"<title>{escape(name)}: {text}</title></rect>"
            f'<text class="chart-value" x="{label_w + bar_w + 6:.1f}" y="{y + 16}">{text}</text>'
        )
    return _svg(width, height, f"Posture score of {len(scores)} registries", "".join(bars))


def _axis(left: int, top: int, width: float, height: float, peak: int, first: date, last: date) -> str:
    bottom = top + height
    return (
        f'<line class="chart-axis" x1="{left}" y1="{bottom}" x2="{left + width:.1f}" y2="{bottom}"/>'
        f'<line class="chart-axis" x1="{left}" y1="{top}" x2="{left}" y2="{bottom}"/>'
        f'<text class="chart-label" x="{left - 6}" y="{top + 10}" text-anchor="end">{peak}</text>'
        f'<text class="chart-label" x="{left - 6}" y="{bottom}" text-anchor="end">0</text>'
        f'<text class="chart-label" x="{left}" y="{bottom + 16}">{first.isoformat()}</text>'
        f'<text class="chart-label" x="{left + width:.1f}" y="{bottom + 16}" text-anchor="end">'
        f"{last.isoformat()}</text>"
    )


def _svg(width: int, height: int, label: str, body: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(label)}</title>{body}</svg>'
    )


def _empty(width: int, height: int, text: str) -> str:
    return _svg(width, height, text, f'<text class="chart-label" x="8" y="{height // 2}">{escape(text)}</text>')
