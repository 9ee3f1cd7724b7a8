"""Small SVG charts: line, band, bar and matrix plots written as text.

The browser views redraw every simulated year. Drawing a four-panel matplotlib figure and
encoding it as PNG costs 0.3-0.8 s per figure on a two-core machine; writing the same chart
as SVG text costs a few milliseconds, stays sharp at any size, needs no JavaScript library
(nothing to fetch from a CDN) and gives hover labels through SVG ``<title>`` elements.

Everything here is pure: functions and a builder class that return strings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
AXIS_COLOUR = "#9ca3af"
GRID_COLOUR = "#e5e7eb"
TEXT_COLOUR = "#374151"
MUTED = "#6b7280"
#: Average glyph width as a share of the font size, to lay out legends without a renderer.
GLYPH = 0.56
#: Height of one legend row, pixels.
LEGEND_ROW = 16
#: Room for row labels (left) and the right-hand labels of a matrix chart, pixels.
MATRIX_LEFT, MATRIX_RIGHT = 150, 96
MATRIX_MARGINS = MATRIX_LEFT + MATRIX_RIGHT


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high], about ``count`` of them (1-2-5 steps)."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return [low] if math.isfinite(low) else []
    raw = (high - low) / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step - 1e-9) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks


def year_ticks(first: int, last: int, most: int = 8) -> list[int]:
    """Whole years from ``first`` to ``last`` at a step that gives at most ``most`` labels."""
    span = max(last - first, 1)
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50) if span / s <= most - 1)
    start = math.ceil(first / step) * step
    return list(range(start, last + 1, step))


def fmt_number(value: float) -> str:
    """Short label: 12k, 1.5M, 0.25, 3."""
    if not math.isfinite(value):
        return ""
    magnitude = abs(value)
    if magnitude >= 1e6:
        return f"{value / 1e6:.3g}M"
    if magnitude >= 1e3:
        return f"{value / 1e3:.3g}k"
    return f"{value:.3g}"


def _attr(**kwargs: object) -> str:
    parts = []
    for key, value in kwargs.items():
        if value is None:
            continue
        parts.append(f'{key.rstrip("_").replace("_", "-")}="{escape(str(value))}"')
    return " ".join(parts)


def text(x: float, y: float, content: str, size: float = 11, colour: str = TEXT_COLOUR,
         anchor: str = "start", weight: str | None = None, rotate: float | None = None,
         baseline: str | None = None) -> str:
    """One SVG text element (content is escaped)."""
    transform = f"rotate({rotate:g} {x:.1f} {y:.1f})" if rotate else None
    return (f"<text {_attr(x=f'{x:.1f}', y=f'{y:.1f}', font_size=size, fill=colour,
                            text_anchor=anchor, font_weight=weight, transform=transform,
                            dominant_baseline=baseline)}>{escape(content)}</text>")


def svg_document(width: float, height: float, body: Sequence[str], label: str = "") -> str:
    """A complete SVG at its own pixel size (never scaled down, so text stays legible)."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
            f'width="{width:g}" height="{height:g}" role="img" '
            f'aria-label="{escape(label)}" style="font-family: {FONT}; display: block; '
            f'background: #ffffff">' + "".join(body) + "</svg>")


@dataclass
class LegendItem:
    """One legend entry: a swatch (line, dashed line or box) and its label."""

    label: str
    colour: str
    kind: str = "line"
    dash: str | None = None
    opacity: float | None = None


@dataclass
class Plot:
    """A time-series panel: numeric x (years) and y, with an optional right-hand axis.

    Add series with the methods below, then call :meth:`render` for the SVG text.
    """

    width: float
    height: float
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    title: str = ""
    y_label: str = ""
    y2_range: tuple[float, float] | None = None
    y2_label: str = ""
    y_format: str = "number"
    margin: tuple[float, float, float, float] = (46, 14, 56, 24)  # left, right, top, bottom
    _layers: list[str] = field(default_factory=list)
    _legend: list[LegendItem] = field(default_factory=list)

    def __post_init__(self) -> None:
        left, right, top, bottom = self.margin
        if self.y2_range is not None:
            right = max(right, 48)
        self._left, self._right = left, self.width - right
        self._top, self._bottom = top, self.height - bottom

    # ------------------------------------------------------------------ coordinates

    def x(self, value: float) -> float:
        """Pixel position of an x value."""
        lo, hi = self.x_range
        span = (hi - lo) or 1.0
        return self._left + (value - lo) / span * (self._right - self._left)

    def y(self, value: float, axis: int = 1) -> float:
        """Pixel position of a y value on the left (1) or right (2) axis."""
        lo, hi = self.y_range if axis == 1 or self.y2_range is None else self.y2_range
        span = (hi - lo) or 1.0
        clipped = min(max(value, lo), hi)
        return self._bottom - (clipped - lo) / span * (self._bottom - self._top)

    # ------------------------------------------------------------------ series

    def line(self, xs: Sequence[float], ys: Sequence[float], colour: str, width: float = 2,
             dash: str | None = None, label: str | None = None, axis: int = 1,
             step: bool = False, tooltip: str | None = None,
             opacity: float | None = None) -> Plot:
        """A line broken at missing (NaN) values."""
        for run in _finite_runs(xs, ys):
            if step:
                run = _steps(run)
            points = " ".join(f"{self.x(a):.1f},{self.y(b, axis):.1f}" for a, b in run)
            if len(run) == 1:
                a, b = run[0]
                self._layers.append(f"<circle {_attr(cx=f'{self.x(a):.1f}',
                                                     cy=f'{self.y(b, axis):.1f}',
                                                     r=f'{max(width, 1.5):g}', fill=colour,
                                                     fill_opacity=opacity)}/>")
                continue
            title = f"<title>{escape(tooltip)}</title>" if tooltip else ""
            self._layers.append(
                f"<polyline {_attr(points=points, fill='none', stroke=colour, stroke_width=width,
                                   stroke_dasharray=dash, stroke_linejoin='round',
                                   stroke_opacity=opacity)}>{title}"
                "</polyline>")
        if label:
            self._legend.append(LegendItem(label, colour, "line", dash, opacity))
        return self

    def legend_only(self, label: str, colour: str, opacity: float | None = None) -> Plot:
        """A legend entry for lines drawn without one (e.g. a faint comparison run)."""
        self._legend.append(LegendItem(label, colour, "line", None, opacity))
        return self

    def band(self, xs: Sequence[float], lows: Sequence[float], highs: Sequence[float],
             colour: str, opacity: float = 0.15, label: str | None = None) -> Plot:
        """A filled area between two curves."""
        for run in _finite_runs(xs, list(zip(lows, highs, strict=True))):
            upper = [f"{self.x(a):.1f},{self.y(hi):.1f}" for a, (_lo, hi) in run]
            lower = [f"{self.x(a):.1f},{self.y(lo):.1f}" for a, (lo, _hi) in reversed(run)]
            self._layers.append(f'<polygon points="{" ".join(upper + lower)}" fill="{colour}" '
                                f'fill-opacity="{opacity:g}" stroke="none"/>')
        if label:
            self._legend.append(LegendItem(label, colour, "box"))
        return self

    def stack(self, xs: Sequence[float], layers: Sequence[tuple[Sequence[float], str, str]],
              opacity: float = 0.85) -> Plot:
        """Stacked areas: each layer is (values, colour, label), drawn from the bottom up."""
        base = [0.0] * len(xs)
        for values, colour, label in layers:
            top = [b + (v if math.isfinite(v) else 0.0) for b, v in zip(base, values,
                                                                         strict=True)]
            self.band(xs, base, top, colour, opacity, label)
            base = top
        return self

    def bars(self, xs: Sequence[float], ys: Sequence[float], colour: str, axis: int = 1,
             label: str | None = None, opacity: float = 1.0, width: float = 0.7,
             unit: str = "") -> Plot:
        """Vertical bars centred on x values (``width`` in x units)."""
        half = width / 2
        zero = self.y(0.0, axis)
        for a, b in zip(xs, ys, strict=True):
            if not math.isfinite(b) or b == 0:
                continue
            left, right = self.x(a - half), self.x(a + half)
            top = self.y(b, axis)
            self._layers.append(
                f'<rect x="{left:.1f}" y="{min(top, zero):.1f}" width="{right - left:.1f}" '
                f'height="{abs(zero - top):.1f}" fill="{colour}" fill-opacity="{opacity:g}">'
                f"<title>{escape(f'{a:g}: {fmt_number(b)} {unit}'.strip())}</title></rect>")
        if label:
            self._legend.append(LegendItem(label, colour, "box"))
        return self

    def hline(self, value: float, colour: str, dash: str | None = "5 4",
              label: str | None = None, width: float = 1.2) -> Plot:
        """A horizontal reference line across the panel (on the left axis)."""
        y = self.y(value)
        self._layers.append(f"<line {_attr(x1=f'{self._left:.1f}', x2=f'{self._right:.1f}',
                                           y1=f'{y:.1f}', y2=f'{y:.1f}', stroke=colour,
                                           stroke_width=width, stroke_dasharray=dash)}/>")
        if label:
            self._legend.append(LegendItem(label, colour, "line", dash))
        return self

    def marker(self, value: float, label: str = "") -> Plot:
        """A thin vertical line at an x value (the current year), with a small label."""
        x = self.x(value)
        self._layers.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{self._top:.1f}" '
                            f'y2="{self._bottom:.1f}" stroke="{MUTED}" stroke-width="1" '
                            f'stroke-opacity="0.5"/>')
        if label:
            self._layers.append(text(x + 3, self._top + 9, label, size=11, colour=MUTED))
        return self

    def note(self, content: str) -> Plot:
        """A centred message in the plot area (e.g. 'no operation in this run')."""
        self._layers.append(text((self._left + self._right) / 2, (self._top + self._bottom) / 2,
                                 content, size=12, colour=MUTED, anchor="middle"))
        return self

    # ------------------------------------------------------------------ output

    def render(self) -> str:
        """The panel as a complete SVG document.

        A legend longer than the room above the plot pushes the plot down (the panel grows).
        """
        rows = legend_rows(self._legend, self._right - self._left)
        room = max(int((self._top - 30) // LEGEND_ROW) , 1)
        extra = max(rows - room, 0) * LEGEND_ROW
        title = [text(4, 15, self.title, size=14, weight="600", colour="#111827")]
        plot = [f'<g transform="translate(0 {extra})">', *self._axes(), *self._layers, "</g>"]
        return svg_document(self.width, self.height + extra,
                            title + plot + self._legend_svg(), self.title)

    def _axes(self) -> list[str]:
        out = []
        formatter = _percent if self.y_format == "percent" else fmt_number
        for tick in nice_ticks(*self.y_range):
            y = self.y(tick)
            out.append(f'<line x1="{self._left:.1f}" x2="{self._right:.1f}" y1="{y:.1f}" '
                       f'y2="{y:.1f}" stroke="{GRID_COLOUR}" stroke-width="1"/>')
            out.append(text(self._left - 5, y + 3.5, formatter(tick), size=11, colour=MUTED,
                            anchor="end"))
        if self.y2_range is not None:
            for tick in nice_ticks(*self.y2_range, count=4):
                out.append(text(self._right + 5, self.y(tick, 2) + 3.5, fmt_number(tick),
                                size=11, colour=MUTED))
            if self.y2_label:
                out.append(text(self.width - 10, (self._top + self._bottom) / 2, self.y2_label,
                                size=11, colour=MUTED, anchor="middle", rotate=90))
        lo, hi = self.x_range
        for year in year_ticks(math.ceil(lo), math.floor(hi)):
            x = self.x(year)
            out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{self._bottom:.1f}" '
                       f'y2="{self._bottom + 4:.1f}" stroke="{AXIS_COLOUR}"/>')
            out.append(text(x, self._bottom + 16, str(year), size=11, colour=MUTED,
                            anchor="middle"))
        out.append(f'<line x1="{self._left:.1f}" x2="{self._right:.1f}" y1="{self._bottom:.1f}" '
                   f'y2="{self._bottom:.1f}" stroke="{AXIS_COLOUR}"/>')
        if self.y_label:
            out.append(text(12, (self._top + self._bottom) / 2, self.y_label, size=11,
                            colour=MUTED, anchor="middle", rotate=-90))
        return out

    def _legend_svg(self) -> list[str]:
        return legend(self._legend, self._left, 30, self._right - self._left)


def legend(items: Sequence[LegendItem], x0: float, y0: float, width: float,
           size: float = 11) -> list[str]:
    """Legend entries laid out left to right, wrapping to a new row when the width is full."""
    out: list[str] = []
    x, y = x0, y0
    for item in items:
        needed = 22 + len(item.label) * size * GLYPH + 12
        if x > x0 and x + needed > x0 + width:
            x, y = x0, y + LEGEND_ROW
        if item.kind == "box":
            out.append(f'<rect x="{x:.1f}" y="{y - 8:.1f}" width="14" height="9" '
                       f'fill="{item.colour}" fill-opacity="0.7"/>')
        else:
            out.append(f"<line {_attr(x1=f'{x:.1f}', x2=f'{x + 16:.1f}', y1=f'{y - 3.5:.1f}',
                                      y2=f'{y - 3.5:.1f}', stroke=item.colour, stroke_width=2.5,
                                      stroke_dasharray=item.dash,
                                      stroke_opacity=item.opacity)}/>")
        out.append(text(x + 20, y, item.label, size=size, colour=TEXT_COLOUR))
        x += needed
    return out


def legend_rows(items: Sequence[LegendItem], width: float, size: float = 11) -> int:
    """How many rows :func:`legend` needs for these items in this width."""
    rows, x = 1, 0.0
    for item in items:
        needed = 22 + len(item.label) * size * GLYPH + 12
        if x > 0 and x + needed > width:
            rows, x = rows + 1, 0.0
        x += needed
    return rows


def _percent(value: float) -> str:
    return f"{value:g}%"


def _finite_runs(xs: Sequence[float], ys: Sequence) -> list[list[tuple]]:
    """Consecutive (x, y) pairs where y (or every part of a tuple y) is finite."""
    runs: list[list[tuple]] = [[]]
    for a, b in zip(xs, ys, strict=True):
        parts = b if isinstance(b, tuple) else (b,)
        if all(v is not None and math.isfinite(v) for v in parts) and math.isfinite(a):
            runs[-1].append((a, b))
        elif runs[-1]:
            runs.append([])
    return [r for r in runs if r]


def _steps(run: list[tuple]) -> list[tuple]:
    out = []
    for k, (a, b) in enumerate(run):
        if k:
            out.append((a - 0.5, run[k - 1][1]))
            out.append((a - 0.5, b))
        out.append((a, b))
    return out


# --------------------------------------------------------------------------- categorical


def hbar_chart(labels: Sequence[str], values: Sequence[float], width: float, height: float,
               title: str, colour: str = "#dc2626", x_max: float = 1.0,
               markers: Sequence[float] | None = None, marker_label: str = "",
               value_label: str = "", x_format: str = "number") -> str:
    """Horizontal bars, one per label, with optional dots (an earlier value) on top."""
    left, right, top, bottom = 150, 16, 40, 22
    n = max(len(labels), 1)
    row = (height - top - bottom) / n
    plot_w = width - left - right

    def px(v: float) -> float:
        return left + min(max(v, 0.0), x_max) / x_max * plot_w

    formatter = _percent if x_format == "percent" else fmt_number
    body = [text(4, 15, title, size=14, weight="600", colour="#111827")]
    for tick in nice_ticks(0, x_max, 4):
        x = px(tick)
        body.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 4}" y2="{height - bottom}" '
                    f'stroke="{GRID_COLOUR}"/>')
        body.append(text(x, height - bottom + 14, formatter(tick), size=11, colour=MUTED,
                         anchor="middle"))
    for k, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + k * row
        body.append(text(left - 6, y + row / 2 + 3.5, label, size=11, anchor="end"))
        if math.isfinite(value) and value > 0:
            body.append(f'<rect x="{left}" y="{y + row * 0.18:.1f}" '
                        f'width="{px(value) - left:.1f}" height="{row * 0.64:.1f}" '
                        f'fill="{colour}" fill-opacity="0.75"><title>'
                        f'{escape(f"{label}: {fmt_number(value)}")}</title></rect>')
        if markers is not None and math.isfinite(markers[k]):
            body.append(f'<circle cx="{px(markers[k]):.1f}" cy="{y + row / 2:.1f}" r="3" '
                        f'fill="#111827"><title>{escape(f"{label}, {marker_label}: "
                                                         f"{fmt_number(markers[k])}")}'
                        "</title></circle>")
    items = [LegendItem(value_label, colour, "box")] if value_label else []
    if markers is not None and marker_label:
        items.append(LegendItem(marker_label, "#111827", "dot"))
    body += _legend_with_dots(items, left, 30)
    return svg_document(width, height, body, title)


def _legend_with_dots(items: Sequence[LegendItem], x0: float, y0: float) -> list[str]:
    out, x = [], x0
    for item in items:
        if item.kind == "dot":
            out.append(f'<circle cx="{x + 6:.1f}" cy="{y0 - 3.5:.1f}" r="3" fill="{item.colour}"/>')
        else:
            out.append(f'<rect x="{x:.1f}" y="{y0 - 8:.1f}" width="14" height="9" '
                       f'fill="{item.colour}" fill-opacity="0.7"/>')
        out.append(text(x + 20, y0, item.label, size=11))
        x += 22 + len(item.label) * 11 * GLYPH + 14
    return out


def column_chart(labels: Sequence[str], values: Sequence[float], colours: Sequence[str],
                 width: float, height: float, title: str, note: str = "",
                 note_colour: str = MUTED, empty: str = "nothing to show",
                 hatched: Sequence[bool] | None = None, unit: str = "") -> str:
    """Vertical bars with category labels (e.g. troops by member), rotated labels below."""
    left, right, top, bottom = 44, 10, 34, 46
    body = [text(4, 15, title, size=14, weight="600", colour="#111827")]
    if note:
        body.append(text(width - right, 15, note, size=11, colour=note_colour, anchor="end"))
    finite = [v for v in values if math.isfinite(v)]
    high = max(finite) if finite else 0.0
    if not labels or high <= 0:
        body.append(text(width / 2, height / 2, empty, size=12, colour=MUTED, anchor="middle"))
        return svg_document(width, height, body, title)
    ticks = nice_ticks(0, high, 4)
    y_max = max(ticks[-1], high)
    plot_h = height - top - bottom

    def py(v: float) -> float:
        return height - bottom - v / y_max * plot_h

    for tick in ticks:
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{py(tick):.1f}" '
                    f'y2="{py(tick):.1f}" stroke="{GRID_COLOUR}"/>')
        body.append(text(left - 5, py(tick) + 3.5, fmt_number(tick), size=11, colour=MUTED,
                         anchor="end"))
    slot = (width - left - right) / len(labels)
    body.append('<defs><pattern id="hatch" width="5" height="5" patternUnits="userSpaceOnUse" '
                'patternTransform="rotate(45)"><rect width="2" height="5" fill="#ffffff" '
                'fill-opacity="0.7"/></pattern></defs>')
    for k, (label, value, colour) in enumerate(zip(labels, values, colours, strict=True)):
        x = left + k * slot
        if math.isfinite(value) and value > 0:
            tip = escape(f"{label}: {fmt_number(value)} {unit}".strip())
            body.append(f'<rect x="{x + slot * 0.15:.1f}" y="{py(value):.1f}" '
                        f'width="{slot * 0.7:.1f}" height="{py(0) - py(value):.1f}" '
                        f'fill="{colour}"><title>{tip}</title></rect>')
            if hatched is not None and hatched[k]:
                body.append(f'<rect x="{x + slot * 0.15:.1f}" y="{py(value):.1f}" '
                            f'width="{slot * 0.7:.1f}" height="{py(0) - py(value):.1f}" '
                            f'fill="url(#hatch)"/>')
        body.append(text(x + slot / 2 + 3, height - bottom + 6, label, size=11, colour=MUTED,
                         anchor="end", rotate=-60))
    return svg_document(width, height, body, title)


def matrix_chart(row_labels: Sequence[str], col_labels: Sequence[str],
                 states: Sequence[Sequence[int]], palette: Sequence[str],
                 state_names: Sequence[str], width: float, title: str,
                 col_colours: Sequence[str] | None = None,
                 right_labels: Sequence[tuple[str, str]] | None = None,
                 right_title: str = "", extra_legend: Sequence[LegendItem] = ()) -> str:
    """A grid of coloured cells (rows x columns), each cell one of a few named states."""
    left, right = MATRIX_LEFT, MATRIX_RIGHT
    items = [LegendItem(name, colour, "box") for name, colour in zip(state_names, palette,
                                                                     strict=True)]
    items += list(extra_legend)
    top = 32 + legend_rows(items, width - left - right) * LEGEND_ROW + 12
    n_rows, n_cols = len(row_labels), max(len(col_labels), 1)
    cell_w = (width - left - right) / n_cols
    cell_h = 17.0
    grid_bottom = top + n_rows * cell_h
    height = grid_bottom + 40
    body = [text(4, 15, title, size=14, weight="600", colour="#111827")]
    body += legend(items, left, 32, width - left - right)
    for r, label in enumerate(row_labels):
        y = top + r * cell_h
        body.append(text(left - 6, y + cell_h / 2 + 3.5, label, size=11, anchor="end"))
        for c, col in enumerate(col_labels):
            state = states[r][c]
            body.append(f'<rect x="{left + c * cell_w + 0.5:.1f}" y="{y + 0.5:.1f}" '
                        f'width="{max(cell_w - 1, 0.5):.1f}" height="{cell_h - 1:.1f}" '
                        f'fill="{palette[state]}"><title>'
                        f'{escape(f"{col} · {label}: {state_names[state]}")}</title></rect>')
        if right_labels is not None:
            content, colour = right_labels[r]
            body.append(text(width - right + 8, y + cell_h / 2 + 3.5, content, size=11,
                             colour=colour))
    for k, line in enumerate(reversed(right_title.splitlines())):
        body.append(text(width - right + 8, top - 4 - 11 * k, line, size=11, colour=MUTED))
    for c, col in enumerate(col_labels):
        x = left + (c + 0.5) * cell_w
        colour = col_colours[c] if col_colours is not None else MUTED
        body.append(text(x + 4, grid_bottom + 6, col, size=11, colour=colour, anchor="end",
                         rotate=-90))
    return svg_document(width, height, body, title)
