"""The stats page's pictures, drawn on the server: Python computes every shape in SVG user units, the template
`figures/_figure.html` writes them out. No JavaScript and nothing from another site (the CSP allows neither).

Every figure is a `Figure`: a title, a one-sentence summary (the SVG's aria-label), the shapes, and the same numbers
as a table for screen readers and for anyone who wants the exact values. A figure with nothing to show carries an
`empty` sentence instead, which the page prints in place of the picture.

The drawings are narrow (WIDTH user units) and scale with the page (viewBox, width 100 %): at a 390 px phone the
text stays about as large as it is written here, on a desktop the figures sit side by side.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 360
HEIGHT = 230
LEFT = 46  # room for the y ticks' numbers
RIGHT = 20  # room for half of the last x tick's number ("100k")
TOP = 26  # room for the y axis' name
BOTTOM = 42  # room for the x ticks' labels and the x axis' name
ROW = 26  # a row of a horizontal bar chart
LABEL_CHARS = 13  # a row's label is cut to this many characters, to fit its room (the table has it whole)


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    css: str
    tip: str  # its <title>: what a pointer hovering the bar reads


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    css: str


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    css: str = "tick"
    anchor: str = "middle"


@dataclass(frozen=True)
class Dot:
    cx: float
    cy: float
    css: str = "point"


@dataclass
class Figure:
    slug: str  # unique on the page: the ids of its title and table
    title: str
    summary: str  # one sentence for screen readers (aria-label)
    width: int = WIDTH
    height: int = HEIGHT
    rects: list[Rect] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    dots: list[Dot] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (css class, name)
    table_head: list[str] = field(default_factory=list)
    table_rows: list[list[str]] = field(default_factory=list)
    empty: str = ""  # when set, there is nothing to draw: the page says this instead

    def marks(self) -> SafeString:
        """The shapes as SVG elements, lines under bars under dots under text. Written here rather than by template
        loops: a scatter has thousands of dots, and the template engine would take most of the page's time on them.
        Every text is escaped; the numbers are ours."""
        parts = [
            f'<line x1="{_n(e.x1)}" y1="{_n(e.y1)}" x2="{_n(e.x2)}" y2="{_n(e.y2)}" class="{e.css}"/>'
            for e in self.lines
        ]
        parts += [
            f'<rect x="{_n(e.x)}" y="{_n(e.y)}" width="{_n(e.width)}" height="{_n(e.height)}" class="bar {e.css}">'
            f"<title>{escape(e.tip)}</title></rect>"
            for e in self.rects
        ]
        parts += [f'<circle cx="{_n(e.cx)}" cy="{_n(e.cy)}" r="2.5" class="{e.css}"/>' for e in self.dots]
        parts += [
            f'<text x="{_n(e.x)}" y="{_n(e.y)}" text-anchor="{e.anchor}" class="{e.css}">{escape(e.text)}</text>'
            for e in self.texts
        ]
        return mark_safe("".join(parts))


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    css: str


def compact(value: float) -> str:
    """1234 → "1.2k", 2500000 → "2.5M", 0.25 → "0.25": short enough for a tick."""
    if value != int(value):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    value = int(value)
    for size, suffix in ((1_000_000_000, "G"), (1_000_000, "M"), (1_000, "k")):
        if abs(value) >= size:
            return f"{value / size:.1f}".rstrip("0").rstrip(".") + suffix
    return str(value)


def nice_ticks(top: float, *, count: int = 4, whole: bool = True, low: float = 0.0) -> list[float]:
    """Round tick values (multiples of 1, 2, 2.5 or 5 × 10^k, about `count` steps) from `low` to at least `top`;
    with `whole`, whole numbers only. A `low` below 0 is reached by the ticks only where it is a multiple of the
    step (the axis itself starts at `low`)."""
    if top <= low:
        return [low, low + 1]
    raw = (top - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    steps = (m * magnitude for m in (1, 2, 2.5, 5, 10))
    step = next(s for s in steps if s >= raw and (not whole or s == int(s)))
    if whole:
        step = max(step, 1)
    first, last = math.ceil(low / step - 1e-9), math.ceil(top / step - 1e-9)
    return [round(n * step, 10) for n in range(first, last + 1)]


def bar_chart(
    *,
    slug: str,
    title: str,
    summary: str,
    categories: Sequence[str],
    series: Sequence[Series],
    x_label: str,
    y_label: str,
    empty: str,
    label_every: int = 1,
    edge_labels: Sequence[str] | None = None,
    table_head: Sequence[str] | None = None,
    height: int = HEIGHT,
) -> Figure:
    """Vertical bars, one per category, the series stacked in order. The x labels name the categories (every
    `label_every`-th), or, with `edge_labels` (one more than the categories), the bars' edges (a histogram of a
    continuous value). The table has a row per category: its label, each series' count, and their total when
    several."""
    head = list(table_head or ["", *(s.name for s in series)]) + (["total"] if len(series) > 1 else [])
    rows = []
    totals = []
    for i, category in enumerate(categories):
        values = [int(s.values[i] or 0) for s in series]
        totals.append(sum(values))
        rows.append([category, *map(str, values)] + ([str(sum(values))] if len(series) > 1 else []))
    figure = Figure(slug=slug, title=title, summary=summary, height=height, table_head=head, table_rows=rows)
    if not any(totals):
        figure.empty = empty
        return figure
    ticks = nice_ticks(max(totals))
    top = ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, height - TOP - BOTTOM
    base = TOP + plot_h
    band = plot_w / len(categories)
    gap = min(band * 0.2, 6)
    _y_axis(figure, ticks, top, plot_h, y_label)
    for i, category in enumerate(categories):
        x = LEFT + i * band
        stacked = 0.0
        for s in series:
            value = float(s.values[i] or 0)
            if value <= 0:
                continue
            y_top = base - (stacked + value) / top * plot_h
            y_bottom = base - stacked / top * plot_h
            tip = f"{category}: {compact(value)}" + (f" ({s.name})" if len(series) > 1 else "")
            figure.rects.append(Rect(_r(x + gap / 2), _r(y_top), _r(band - gap), _r(y_bottom - y_top), s.css, tip))
            stacked += value
        if edge_labels is None and i % label_every == 0:
            figure.texts.append(Text(_r(x + band / 2), base + 16, category))
    if edge_labels is not None:
        for i, label in enumerate(edge_labels):
            if i % label_every == 0:
                figure.texts.append(Text(_r(LEFT + i * band), base + 16, label))
    figure.lines.append(Line(LEFT, base, LEFT + plot_w, base, "axis-line"))
    figure.texts.append(Text(WIDTH - RIGHT, height - 6, x_label, "axis", "end"))
    if len(series) > 1:
        figure.legend = [(s.css, s.name) for s in series]
    return figure


def horizontal_bars(
    *,
    slug: str,
    title: str,
    summary: str,
    labels: Sequence[str],
    series: Sequence[Series],
    x_label: str,
    empty: str,
    domain: tuple[float, float] | None = None,
    guides: Sequence[tuple[float, str]] = (),
    number: str = "{:,.0f}",
    table_head: Sequence[str] | None = None,
) -> Figure:
    """A row per label with a bar per series (side by side within the row), from 0 to the value; a missing value
    (None) draws no bar and reads "n/a". `domain` fixes the x axis (else 0 to the largest value, rounded up);
    `guides` are dashed vertical lines at given values, named at the top."""
    left = 128
    head = list(table_head or ["", *(s.name for s in series)])
    rows = [[label, *(_number(s.values[i], number) for s in series)] for i, label in enumerate(labels)]
    top = TOP + 14 if guides else TOP - 10  # the guides' names go above the rows
    height = top + max(len(labels), 1) * ROW + BOTTOM - 8
    figure = Figure(slug=slug, title=title, summary=summary, height=height, table_head=head, table_rows=rows)
    values = [v for s in series for v in s.values if v is not None]
    if not values:
        figure.empty = empty
        return figure
    if domain is None:
        ticks = nice_ticks(max(max(values), 1))
        lo, hi = 0.0, ticks[-1]
    else:
        lo, hi = domain
        ticks = [t for t in nice_ticks(hi, low=lo, whole=False) if lo <= t <= hi]
    plot_w = WIDTH - left - RIGHT
    plot_h = len(labels) * ROW

    def x_of(value: float) -> float:
        return _r(left + (min(max(value, lo), hi) - lo) / (hi - lo) * plot_w)

    for tick in ticks:
        figure.lines.append(Line(x_of(tick), top, x_of(tick), top + plot_h, "grid"))
        figure.texts.append(Text(x_of(tick), top + plot_h + 16, compact(tick)))
    for value, name in guides:
        figure.lines.append(Line(x_of(value), top - 4, x_of(value), top + plot_h, "guide"))
        figure.texts.append(Text(x_of(value), top - 8, name, "guide-label"))
    zero = x_of(0.0)
    figure.lines.append(Line(zero, top, zero, top + plot_h, "axis-line"))
    thickness = (ROW - 8) / len(series)
    for i, label in enumerate(labels):
        y = top + i * ROW + 4
        short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
        figure.texts.append(Text(left - 6, _r(y + (ROW - 8) / 2 + 4), short, "row-label", "end"))
        for k, s in enumerate(series):
            value = s.values[i]
            bar_y = _r(y + k * thickness)
            if value is None:
                figure.texts.append(Text(zero + 4, _r(bar_y + thickness / 2 + 4), "n/a", "tick", "start"))
                continue
            start, end = sorted((zero, x_of(value)))
            tip = f"{label}: {_number(value, number)}" + (f" ({s.name})" if len(series) > 1 else "")
            figure.rects.append(Rect(start, bar_y, _r(max(end - start, 1)), _r(thickness - 1), s.css, tip))
    figure.texts.append(Text(WIDTH - RIGHT, height - 6, x_label, "axis", "end"))
    if len(series) > 1:
        figure.legend = [(s.css, s.name) for s in series]
    return figure


def scatter(
    *,
    slug: str,
    title: str,
    summary: str,
    points: Sequence[tuple[float, float]],
    x_label: str,
    y_label: str,
    empty: str,
    table_head: Sequence[str],
    table_rows: list[list[str]],
    low: float = 1.0,
    high: float = 10.0,
) -> Figure:
    """Points on a square from `low` to `high` on both axes (values outside are drawn on the edge), with the
    diagonal where x equals y. Thousands of points make a poor table: the caller gives one that sums them up."""
    size = WIDTH
    figure = Figure(
        slug=slug,
        title=title,
        summary=summary,
        width=size,
        height=size,
        table_head=list(table_head),
        table_rows=table_rows,
    )
    if not points:
        figure.empty = empty
        return figure
    plot = size - LEFT - RIGHT
    base = TOP + plot

    def scale(value: float) -> float:
        return (min(max(value, low), high) - low) / (high - low) * plot

    figure.lines.append(Line(LEFT, base, LEFT + plot, TOP, "diagonal"))
    figure.lines.append(Line(LEFT, base, LEFT + plot, base, "axis-line"))
    figure.lines.append(Line(LEFT, base, LEFT, TOP, "axis-line"))
    for value in range(int(low), int(high) + 1):
        figure.texts.append(Text(_r(LEFT + scale(value)), base + 16, str(value)))
        figure.texts.append(Text(LEFT - 8, _r(base - scale(value) + 4), str(value), "tick", "end"))
    figure.texts.append(Text(size - RIGHT, size - 6, x_label + " →", "axis", "end"))
    figure.texts.append(Text(4, 14, "↑ " + y_label, "axis", "start"))
    figure.dots = [Dot(_r(LEFT + scale(x)), _r(base - scale(y))) for x, y in points]
    return figure


def _y_axis(figure: Figure, ticks: list[float], top: float, plot_h: float, label: str) -> None:
    base = TOP + plot_h
    for tick in ticks:
        y = _r(base - tick / top * plot_h)
        figure.lines.append(Line(LEFT, y, WIDTH - RIGHT, y, "grid"))
        figure.texts.append(Text(LEFT - 6, _r(y + 4), compact(tick), "tick", "end"))
    figure.texts.append(Text(4, 14, "↑ " + label, "axis", "start"))


def _number(value: float | None, number: str) -> str:
    return "n/a" if value is None else number.format(value)


def _r(value: float) -> float:
    return round(value, 1)


def _n(value: float) -> str:
    """A coordinate as SVG wants it: 12.5, 40 (no thousands separator, no locale)."""
    return f"{value:.1f}".removesuffix(".0")
