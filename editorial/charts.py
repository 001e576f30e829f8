"""Server-rendered SVG chart geometry for the dashboard: pure functions, no database."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

CHART_WIDTH = 640
PAIR_WIDTH = 400  # the two agreement charts share a row
CHART_HEIGHT = 200
# Room for the y tick labels (right), the axis title (top) and the day labels (bottom). The
# scale is on the right, by the latest day: a chart wider than a phone opens there (the
# dashboard scrolls it sideways), and a scale on the left was out of sight.
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 12, 44, 22, 24


# --------------------------------------------------------------------------------------------
# Chart geometry: pure functions, no database
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Segment:
    """One stacked part of a bar."""

    value: float
    css_class: str


@dataclass(frozen=True)
class Bar:
    label: str
    segments: tuple[Segment, ...]
    title: str

    @property
    def total(self) -> float:
        return sum(s.value for s in self.segments)


@dataclass(frozen=True)
class Series:
    """One line of a line chart; None marks a day without data (a gap in the line)."""

    name: str
    css_class: str
    values: tuple[float | None, ...]
    titles: tuple[str, ...]


def nice_ceiling(value: float, *, minimum: float = 0) -> float:
    """The smallest of 1, 2, 4, 6, 8 × 10ⁿ at or above ``value`` (so halves stay round);
    1 for nothing at all."""
    value = max(value, minimum)
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 4, 6, 8, 10):
        if step * magnitude >= value * (1 - 1e-9):
            return step * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def _frame(width: int, height: int) -> dict[str, float]:
    return {
        "width": width,
        "height": height,
        "x0": MARGIN_LEFT,
        "x1": width - MARGIN_RIGHT,
        "y0": MARGIN_TOP,
        "y1": height - MARGIN_BOTTOM,
        "plot_height": height - MARGIN_BOTTOM - MARGIN_TOP,
        "label_y": height - 8,
        "title_x": width - 4,  # the axis title, right-aligned above the scale
    }


def _ticks(
    frame: dict[str, float], y_max: float, fmt: Callable[[float], str]
) -> list[dict[str, Any]]:
    plot = frame["y1"] - frame["y0"]
    return [
        {
            "y": round(frame["y1"] - plot * share, 1),
            "label": fmt(y_max * share),
            "x": frame["x1"] + 6,
        }
        for share in (0, 0.5, 1)
    ]


def _x_labels(
    labels: Sequence[str], centres: Sequence[float], width: int
) -> list[dict]:
    # About 56 px per "14 Mar"; thin the labels out rather than let them collide.
    every = max(1, math.ceil(len(labels) / max(1, (width - MARGIN_LEFT) // 56)))
    last = len(labels) - 1
    return [
        {"x": round(x, 1), "text": text}
        for i, (text, x) in enumerate(zip(labels, centres, strict=True))
        if (last - i) % every == 0  # always label the latest day
    ]


def bar_chart(
    bars: Sequence[Bar],
    *,
    width: int = CHART_WIDTH,
    height: int = CHART_HEIGHT,
    y_max: float | None = None,
    y_format: Callable[[float], str] = lambda v: f"{v:g}",
    y_label: str = "",
) -> dict[str, Any]:
    """Geometry of a (stacked) bar chart: one bar per item, segments stacked bottom up."""
    frame = _frame(width, height)
    top = y_max or nice_ceiling(max((b.total for b in bars), default=0))
    plot_h = frame["y1"] - frame["y0"]
    slot = (frame["x1"] - frame["x0"]) / max(1, len(bars))
    bar_w = slot * 0.7
    drawn = []
    for i, bar in enumerate(bars):
        x = frame["x0"] + i * slot + (slot - bar_w) / 2
        base, rects = frame["y1"], []
        for segment in bar.segments:
            h = plot_h * min(segment.value, top) / top if top else 0
            if h <= 0:
                continue
            base -= h
            rects.append(
                {"y": round(base, 1), "height": round(h, 1), "css": segment.css_class}
            )
        drawn.append(
            {
                "x": round(x, 1),
                "width": round(bar_w, 1),
                "slot_x": round(frame["x0"] + i * slot, 1),
                "slot_width": round(slot, 1),
                "rects": rects,
                "title": bar.title,
            }
        )
    centres = [frame["x0"] + (i + 0.5) * slot for i in range(len(bars))]
    return {
        **frame,
        "y_label": y_label,
        "ticks": _ticks(frame, top, y_format),
        "bars": drawn,
        "labels": _x_labels([b.label for b in bars], centres, width),
    }


def line_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    width: int = CHART_WIDTH,
    height: int = CHART_HEIGHT,
    y_max: float | None = None,
    y_format: Callable[[float], str] = lambda v: f"{v:g}",
    y_label: str = "",
) -> dict[str, Any]:
    """Geometry of a line chart: each series as polylines broken where a value is None,
    with a dot (and its tooltip) on every known value."""
    frame = _frame(width, height)
    known = [v for s in series for v in s.values if v is not None]
    top = y_max or nice_ceiling(max(known, default=0))
    plot_h = frame["y1"] - frame["y0"]
    step = (frame["x1"] - frame["x0"]) / max(1, len(labels))
    centres = [frame["x0"] + (i + 0.5) * step for i in range(len(labels))]
    drawn = []
    for line in series:
        segments: list[list[str]] = [[]]
        dots = []
        for x, value, title in zip(centres, line.values, line.titles, strict=True):
            if value is None:
                if segments[-1]:
                    segments.append([])  # a gap: the line starts again after it
                continue
            y = frame["y1"] - plot_h * min(value, top) / top
            segments[-1].append(f"{x:.1f},{y:.1f}")
            dots.append({"x": round(x, 1), "y": round(y, 1), "title": title})
        drawn.append(
            {
                "name": line.name,
                "css": line.css_class,
                "polylines": [" ".join(s) for s in segments if len(s) > 1],
                "dots": dots,
            }
        )
    return {
        **frame,
        "y_label": y_label,
        "ticks": _ticks(frame, top, y_format),
        "series": drawn,
        "labels": _x_labels(labels, centres, width),
    }


def progress_bar(
    *, spent: Decimal, reserved: Decimal, limit: Decimal, width: int = CHART_WIDTH
) -> dict[str, Any]:
    """Geometry of the budget bar: spent, then reserved, against the day's limit."""
    scale = width / float(limit) if limit > 0 else 0
    spent_w = min(width, float(spent) * scale)
    reserved_w = min(width - spent_w, float(reserved) * scale)
    return {
        "width": width,
        "height": 24,
        "spent_width": round(spent_w, 1),
        "reserved_x": round(spent_w, 1),
        "reserved_width": round(reserved_w, 1),
        "percent": round(100 * (spent + reserved) / limit) if limit > 0 else 100,
        "exhausted": spent + reserved >= limit,
    }


def usd(value: float | Decimal) -> str:
    """Dollars and cents; tenths of a cent for the small sums a single call costs."""
    sign, value = "-" if value < 0 else "", abs(float(value))
    return f"{sign}${value:,.{2 if value >= 0.1 or value == 0 else 4}f}"


def percent(value: float) -> str:
    return f"{100 * value:.0f}%"


# --------------------------------------------------------------------------------------------
# Figures: one aggregate query each
# --------------------------------------------------------------------------------------------
