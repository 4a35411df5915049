"""Chart geometry for server-rendered SVG: where each bar, gridline and label goes.

The template (templates/monitoring/_chart.html) only draws what is computed here, so a chart reads
the same without JavaScript and its numbers can be checked against the table beside it. Sizes are
in the SVG's own units; the page scales the drawing to its width.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

WIDTH = 720
PLOT_TOP = 16
LEFT = 56  # room for the value axis's labels
RIGHT = 12
BOTTOM = 36  # room for the category labels
PLOT_HEIGHT = 240
MOST_LABELS = 12  # category labels shown at most; the table names every one
BAR_ROW = 52  # a horizontal bar's row: its label above, the bar below
ROWS_TOP = 28  # room for the scale above horizontal bars


@dataclass(frozen=True)
class Bar:
    """One drawn bar (or one part of a stacked bar): a series' value for a category."""

    x: float
    y: float
    width: float
    height: float
    series: str
    category: str
    value: float
    title: str


@dataclass(frozen=True)
class Text:
    """A label at a point, anchored `start`, `middle` or `end`."""

    x: float
    y: float
    text: str
    anchor: str = "middle"


@dataclass(frozen=True)
class Line:
    """A gridline."""

    x1: float
    y1: float
    x2: float
    y2: float


@dataclass
class Chart:
    """Everything the template draws, with the accessible name and description."""

    id: str
    title: str
    description: str
    height: float
    width: float = WIDTH
    bars: list[Bar] = field(default_factory=list)
    labels: list[Text] = field(default_factory=list)
    gridlines: list[Line] = field(default_factory=list)


def nice_step(value: float) -> float:
    """The smallest of 1, 2 or 5 times a power of ten at or above `value` (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def scale(largest: float, top: float | None = None) -> list[float]:
    """The value axis's ticks from 0: quarters of a fixed `top`, else round steps (at most five)
    up to the first at or above `largest`."""
    if top:
        return [top * part / 4 for part in range(5)]
    step = nice_step(largest / 5)
    return [step * n for n in range(max(1, math.ceil(largest / step)) + 1)]


def _tick_label(value: float, unit: str) -> str:
    return f"{value:g}{unit}"


def columns(
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float]]],
    top: float | None = None,
    unit: str = "",
) -> Chart:
    """Vertical columns, one per category, the series (key, name, values) stacked bottom up.

    `top` fixes the value axis (100 for percentages); otherwise it fits the tallest stack.
    """
    stacks = [sum(values[i] for _, _, values in series) for i in range(len(categories))]
    ticks = scale(max(stacks, default=0), top)
    top = ticks[-1]
    chart = Chart(chart_id, title, description, height=PLOT_TOP + PLOT_HEIGHT + BOTTOM)
    plot_width = WIDTH - LEFT - RIGHT
    baseline = PLOT_TOP + PLOT_HEIGHT
    for tick in ticks:
        y = baseline - PLOT_HEIGHT * tick / top
        chart.gridlines.append(Line(LEFT, y, WIDTH - RIGHT, y))
        chart.labels.append(Text(LEFT - 6, y + 5, _tick_label(tick, unit), "end"))
    if not categories:
        return chart
    slot = plot_width / len(categories)
    every = math.ceil(len(categories) / MOST_LABELS)
    for index, category in enumerate(categories):
        x = LEFT + slot * index + slot * 0.15
        y = baseline
        for key, name, values in series:
            height = PLOT_HEIGHT * values[index] / top
            y -= height
            title = f"{category} {name}: {_tick_label(values[index], unit)}"
            chart.bars.append(Bar(x, y, slot * 0.7, height, key, category, values[index], title))
        if index % every == 0:
            chart.labels.append(Text(LEFT + slot * (index + 0.5), baseline + 22, category))
    return chart


def rows(
    chart_id: str,
    title: str,
    description: str,
    items: Sequence[tuple[str, float, str]],
    top: float,
    unit: str = "",
) -> Chart:
    """Horizontal bars, one row per item (label, value, series key), on a scale from 0 to `top`."""
    chart = Chart(chart_id, title, description, height=ROWS_TOP + BAR_ROW * max(len(items), 1))
    plot_width = WIDTH - RIGHT - 8 - 64  # leaves room for the value after the longest bar
    for tick in scale(top, top):
        x = 8 + plot_width * tick / top
        chart.gridlines.append(Line(x, ROWS_TOP, x, chart.height))
        chart.labels.append(Text(x, ROWS_TOP - 6, _tick_label(tick, unit), "middle" if tick else "start"))
    for index, (label, value, key) in enumerate(items):
        y = ROWS_TOP + BAR_ROW * index
        width = plot_width * value / top
        chart.labels.append(Text(8, y + 18, label, "start"))
        chart.labels.append(Text(8 + width + 6, y + 41, _tick_label(value, unit), "start"))
        chart.bars.append(
            Bar(8, y + 24, width, 22, key, label, value, f"{label}: {_tick_label(value, unit)}")
        )
    return chart
