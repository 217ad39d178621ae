"""Small SVG charts drawn on the server from the numbers the table beside them shows.
No script and no inline style (the console's CSP allows neither): colours are SVG
attributes.  Each chart is an image whose text equivalent is the table it names."""
from __future__ import annotations

import math

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 40
COLOURS = ("#00497a", "#8fb8d6", "#a4001c", "#1f6b2b")


def _frame(title: str, table_id: str, body: list[str], legend: list[tuple[str, str]]) -> Markup:
    keys, x = [], LEFT
    for name, colour in legend:
        keys.append(f'<rect x="{x}" y="{HEIGHT - 14}" width="12" height="12" fill="{colour}"/>'
                    f'<text x="{x + 16}" y="{HEIGHT - 4}" font-size="12">{escape(name)}</text>')
        x += 16 + 7 * len(name) + 18  # about 7 px a character at this size
    keys = "".join(keys)
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-label="{escape(title)}; the figures are in the table {escape(table_id)}" '
        f'aria-describedby="{escape(table_id)}" xmlns="http://www.w3.org/2000/svg">'
        f'<title>{escape(title)}</title>' + "".join(body) + keys + "</svg>")


def _axis(top_label: str) -> list[str]:
    base = HEIGHT - BOTTOM
    return [f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base}" stroke="#555"/>',
            f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="#555"/>',
            f'<text x="{LEFT - 4}" y="{TOP + 10}" font-size="11" text-anchor="end">{escape(top_label)}</text>',
            f'<text x="{LEFT - 4}" y="{base}" font-size="11" text-anchor="end">0</text>']


def _x_labels(labels: list[str], step: float) -> list[str]:
    every = max(1, math.ceil(48 / step))  # a label needs about 48 px
    base = HEIGHT - BOTTOM
    return [f'<text x="{LEFT + step * (i + 0.5):.1f}" y="{base + 14}" font-size="11" text-anchor="middle">'
            f'{escape(label)}</text>' for i, label in enumerate(labels) if i % every == 0]


def bars(title: str, table_id: str, labels: list[str], series: list[tuple[str, list[float | None]]]) -> Markup:
    """Grouped bars, one group per label."""
    peak = max([v for _, values in series for v in values if v] or [1])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(labels))
    bar_w = max(1.0, step * 0.8 / max(1, len(series)))
    body = _axis(f"{peak:g}")
    for s, (name, values) in enumerate(series):
        colour = COLOURS[s % len(COLOURS)]
        for i, value in enumerate(values):
            if not value:
                continue
            h = plot_h * value / peak
            x = LEFT + step * i + step * 0.1 + bar_w * s
            body.append(f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                        f'fill="{colour}"><title>{escape(labels[i])}: {escape(name)} {value:g}</title></rect>')
    body += _x_labels(labels, step)
    return _frame(title, table_id, body, [(name, COLOURS[s % len(COLOURS)]) for s, (name, _) in enumerate(series)])


def lines(title: str, table_id: str, labels: list[str], series: list[tuple[str, list[float | None]]],
          top: float = 1.0, top_label: str = "100%") -> Markup:
    """Lines from 0 to TOP (a gap where a value is missing), with a dot per point."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(labels))
    body = _axis(top_label)
    for s, (name, values) in enumerate(series):
        colour = COLOURS[s % len(COLOURS)]
        runs, run = [], []
        for i, value in enumerate(values):
            if value is None:
                if run:
                    runs.append(run)
                run = []
                continue
            point = (LEFT + step * (i + 0.5), TOP + plot_h - plot_h * min(value, top) / top)
            run.append(point)
            body.append(f'<circle cx="{point[0]:.1f}" cy="{point[1]:.1f}" r="2.5" fill="{colour}">'
                        f'<title>{escape(labels[i])}: {escape(name)} {value:.3g}</title></circle>')
        if run:
            runs.append(run)
        for r in runs:
            if len(r) > 1:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in r)
                body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
    body += _x_labels(labels, step)
    return _frame(title, table_id, body, [(name, COLOURS[s % len(COLOURS)]) for s, (name, _) in enumerate(series)])
