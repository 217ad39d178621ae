"""What each chart on the supervisors' pages shows, as data for Chart.js (vendored
under console/static/vendor, drawn by console/static/charts.js).

The page carries the chart as JSON in a ``<script type="application/json">`` block,
which the browser never runs, so the console's CSP (no inline script or style) holds.
Every chart names the table beside it that holds the same figures; a period with no
calls says so in words instead of drawing an empty frame."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

# A y axis: its title (with the unit), how ticks are written, and its range.
PERCENT = {"title": "Share of calls (%)", "format": "percent", "min": 0, "max": 100}
SECONDS = {"title": "Time (minutes and seconds)", "format": "duration", "min": 0}
CALLS = {"title": "Number of calls", "format": "count", "min": 0}


@dataclass
class Chart:
    id: str
    title: str
    kind: str  # "bar" | "line"
    table_id: str
    table_caption: str
    labels: list[str]
    series: list[dict]
    y: dict
    x_title: str
    part: list[bool] = field(default_factory=list)  # a period not over yet (or not all in range)
    target: dict | None = None  # {"value", "label"}: a horizontal line
    empty_text: str = "No calls in this period."

    @property
    def empty(self) -> bool:
        return not any(v for s in self.series for v in s["values"] if v is not None)

    @property
    def has_part(self) -> bool:
        return any(self.part)

    def spec(self) -> dict:
        """What charts.js reads."""
        return {"title": self.title, "kind": self.kind, "labels": self.labels, "series": self.series,
                "y": self.y, "xTitle": self.x_title, "part": self.part, "target": self.target}


def period_label(start: date, period: str) -> str:
    """Short tick labels, British order: 01/06 (a day) or w/c 01/06 (a week)."""
    text = start.strftime("%d/%m")
    return text if period == "day" else "w/c " + text


def part_periods(starts: list[date], days: int, last: date, today: date) -> list[bool]:
    """A period still under way (it runs past today) or cut by the end of the range."""
    return [start + timedelta(days=days - 1) >= today or start + timedelta(days=days - 1) > last
            for start in starts]


def series(name: str, values, scale: float = 1.0) -> dict:
    return {"name": name, "values": [None if v is None else round(v * scale, 2) for v in values]}
