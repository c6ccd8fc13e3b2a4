"""Charts for the HTML report, written directly as inline SVG.

Encoding (readable in colour, for colour-blind readers and printed in black and white):

* this municipality: filled circle, solid line, with its confidence interval as a
  horizontal/vertical whisker — Okabe–Ito blue;
* the baseline: a tall vertical bar (dot charts) or open squares on a dashed line
  (grade panels) — Okabe–Ito vermillion; shape and dash tell the two apart without colour;
* a hidden (suppressed) cell: no mark at all — a gap — and a note in the chart.

Why not a plotting library: a fresh matplotlib figure per chart cost 85–170 ms (ten
per report); the same drawing written as SVG text costs about a millisecond. Labels
are wrapped by their width in the layout font, DejaVu Sans, from a table of advance
widths (``glyphs.py``, as great-tables' nanoplots do). Text stays text (small,
searchable), escaped here; the same input gives the same bytes. Each chart carries
``role="img"``, an ``aria-label``, and ``<title>``/``<desc>`` for screen readers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape

from .fmt import num
from .glyphs import BOLD, REGULAR

# Okabe & Ito (2008) colour-blind-safe palette
BLUE = "#0072B2"
VERMILLION = "#D55E00"
GREY = "#555555"
LIGHT = "#E3E3E3"
PT = 72.0  # SVG user units per inch (1 unit = 1 pt)
_AVG = 600  # width of a character missing from the table, in 1/1000 em (wide side)


@lru_cache(maxsize=8192)
def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width of ``text`` in pt at ``size`` pt in DejaVu Sans (no kerning: a little wide).
    Memoised: the same labels are measured in every municipality's report."""
    table = BOLD if bold else REGULAR
    return sum(table.get(ch, _AVG) for ch in text) * size / 1000.0


def _fit(text: str, max_pt: float, size: float, bold: bool = False, lines: int = 2) -> list[str]:
    """Wrap by width in the layout font, so a label never runs out of its space;
    beyond ``lines`` lines the last one ends in an ellipsis."""
    return list(_fitted(text, max_pt, size, bold, lines))


@lru_cache(maxsize=4096)
def _fitted(text: str, max_pt: float, size: float, bold: bool, lines: int) -> tuple[str, ...]:
    out: list[str] = []
    for word in text.split():
        trial = f"{out[-1]} {word}" if out else word
        if out and text_width(trial, size, bold) <= max_pt:
            out[-1] = trial
        else:
            out.append(word)
    if len(out) > lines:
        out = out[:lines]
        while len(out[-1]) > 1 and text_width(out[-1] + "…", size, bold) > max_pt:
            out[-1] = out[-1][:-1]
        out[-1] = out[-1].rstrip() + "…"
    return tuple(out) or ("",)


_COORDS: dict[float, str] = {}  # most coordinates recur in every chart of every report


def _f(v: float) -> str:
    """A coordinate: two decimals are plenty at 72 dpi; no '-0'. (Memoised by value:
    values that compare equal print alike — 0.0 and -0.0 both print "0".)"""
    hit = _COORDS.get(v)
    if hit is None:
        s = f"{v:.2f}".rstrip("0").rstrip(".")
        hit = "0" if s in ("-0", "") else s
        if len(_COORDS) >= 200_000:
            _COORDS.clear()
        _COORDS[v] = hit
    return hit


class _Svg:
    """An SVG document built as a list of strings (every text escaped on the way in)."""

    def __init__(self, width: float, height: float) -> None:
        self.width, self.height = width, height
        self.parts: list[str] = []

    def path(self, segments: Sequence[Sequence[tuple[float, float]]], stroke: str, width: float, dash: str = "",
             fill: str = "none") -> None:
        """Many polylines as one path: one element instead of one per line."""
        d = " ".join("M" + " L".join(f"{_f(x)} {_f(y)}" for x, y in seg) for seg in segments if len(seg) > 1)
        if d:
            extra = f' stroke-dasharray="{dash}"' if dash else ""
            self.parts.append(f'<path d="{d}" fill="{fill}" stroke="{stroke}" stroke-width="{_f(width)}"{extra}/>')

    def text(self, x: float, y: float, text: str, size: float, *, anchor: str = "start", fill: str = "#000000",
             bold: bool = False, italic: bool = False, rotate: bool = False) -> None:
        """One line of text; ``y`` is the vertical centre of the line (the baseline is set
        from the font's metrics, not from ``dominant-baseline``, which print engines ignore)."""
        base = y + 0.35 * size
        style = (' font-weight="bold"' if bold else "") + (' font-style="italic"' if italic else "")
        turn = f' transform="rotate(-90 {_f(x)} {_f(y)})"' if rotate else ""
        self.parts.append(f'<text x="{_f(x)}" y="{_f(base)}" font-size="{_f(size)}" fill="{fill}" '
                          f'text-anchor="{anchor}"{style}{turn}>{escape(text)}</text>')

    def lines(self, x: float, y: float, lines: Sequence[str], size: float, leading: float, **kw: object) -> None:
        """Lines of text centred as a block on ``y``."""
        top = y - (len(lines) - 1) * leading / 2
        for k, line in enumerate(lines):
            self.text(x, top + k * leading, line, size, **kw)  # type: ignore[arg-type]

    def circles(self, points: Sequence[tuple[float, float]], r: float, stroke: str, fill: str, width: float = 0.0) -> None:
        for x, y in points:
            self.parts.append(f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(r)}" fill="{fill}" stroke="{stroke}" stroke-width="{_f(width)}"/>')

    def squares(self, points: Sequence[tuple[float, float]], side: float, stroke: str, fill: str, width: float) -> None:
        h = side / 2
        for x, y in points:
            self.parts.append(f'<rect x="{_f(x - h)}" y="{_f(y - h)}" width="{_f(side)}" height="{_f(side)}" fill="{fill}" '
                              f'stroke="{stroke}" stroke-width="{_f(width)}"/>')

    def render(self, label: str, desc: str) -> Markup:
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(label)}" '
                f'width="{_f(self.width)}pt" height="{_f(self.height)}pt" viewBox="0 0 {_f(self.width)} {_f(self.height)}" '
                f'font-family="DejaVu Sans, Verdana, sans-serif" stroke-linecap="butt">'
                f"<title>{escape(label)}</title><desc>{escape(desc)}</desc>")
        return Markup(head + "".join(self.parts) + "</svg>")


def _upper(values: Sequence[float], floor: float = 10.0) -> float:
    """A round upper axis limit (multiple of 10, at most 100) above every value."""
    finite = [v for v in values if not math.isnan(v)]
    top = max(finite, default=floor)
    return float(min(100.0, max(floor, 10 * math.ceil((top + 0.5) / 10))))


# --------------------------------------------------------------------------- legend


@dataclass(frozen=True)
class Legend:
    municipality: str
    baseline: str | None
    axis: str
    label: str  # accessible name of the whole chart


LEGEND_PT = 7.5
_HANDLE = 24.0  # width of a legend's sample mark, pt
_GAP = 18.0  # between legend entries on one line


def _legend_layout(legend: Legend, width: float) -> tuple[list[tuple[float, float, list[str]]], float]:
    """Where each legend entry goes: (x, y of its first line, lines). All entries on one
    line when they fit, else one below the other, each wrapped to the full width —
    never cut short."""
    entries = [legend.municipality] + ([legend.baseline] if legend.baseline else [])
    lead = LEGEND_PT * 1.3
    widths = [_HANDLE + 5 + text_width(e, LEGEND_PT) for e in entries]
    if sum(widths) + _GAP * (len(entries) - 1) <= width:
        out, x = [], 0.0
        for e, w in zip(entries, widths):
            out.append((x, lead / 2, [e]))
            x += w + _GAP
        return out, lead
    out, y = [], lead / 2
    for e in entries:
        lines = _fit(e, width - _HANDLE - 5, LEGEND_PT, lines=4)
        out.append((0.0, y, lines))
        y += lead * len(lines)
    return out, y - lead / 2


def _draw_legend(svg: _Svg, legend: Legend, x0: float, y0: float, width: float, dots: bool) -> float:
    """Draws the legend at (x0, y0); returns its height."""
    layout, height = _legend_layout(legend, width)
    lead = LEGEND_PT * 1.3
    for k, (x, y, lines) in enumerate(layout):
        hx, hy = x0 + x, y0 + y
        if k == 0:
            svg.path([[(hx, hy), (hx + _HANDLE, hy)]], BLUE, 1.6)
            svg.circles([(hx + _HANDLE / 2, hy)], 2.25, BLUE, BLUE)
        elif dots:
            svg.path([[(hx + _HANDLE / 2, hy - 5), (hx + _HANDLE / 2, hy + 5)]], VERMILLION, 2.0)
        else:
            svg.path([[(hx, hy), (hx + _HANDLE, hy)]], VERMILLION, 1.1, dash="3.5 1.5")
            svg.squares([(hx + _HANDLE / 2, hy)], 4.0, VERMILLION, "#ffffff", 1.0)
        for j, line in enumerate(lines):
            svg.text(hx + _HANDLE + 5, hy + j * lead, line, LEGEND_PT)
    return height


def _desc(legend: Legend, dots: bool) -> str:
    marks = ("●", "|" if dots else "□ - -")
    entries = [f"{marks[0]} {legend.municipality}"] + ([f"{marks[1]} {legend.baseline}"] if legend.baseline else [])
    return "; ".join(entries) + f". {legend.axis}."


# --------------------------------------------------------------------------- dot chart


@dataclass(frozen=True)
class Dot:
    """One row of a dot chart: a value with its interval and baseline, or a group heading."""

    label: str
    pct: float = math.nan
    low: float = math.nan
    high: float = math.nan
    base: float = math.nan
    heading: bool = False
    strong: bool = False  # drawn in bold (e.g. on the shortlist)
    note: str = ""  # shown instead of a mark (e.g. "not shown: too few respondents")


TITLE_PT = 6.8  # panel titles
LABEL_PT = 7.5  # dot chart labels
TICK_PT = 8.0
LABEL_IN = 2.9  # room for the dot chart labels
ROW_IN = 0.2  # inches per label line
WIDTH_IN = 7.0


def _ticks(xmax: float) -> list[float]:
    step = 10 if xmax > 30 else 5
    return [float(v) for v in range(0, int(xmax) + 1, step)]


def dot_chart(rows: Sequence[Dot], legend: Legend, lang: str, salt: str) -> Markup:
    """Horizontal dot chart: per row a value with its interval and a baseline mark.

    ``salt`` names the chart (unique on the page); the drawing depends only on the input."""
    width = WIDTH_IN * PT
    left, right = LABEL_IN * PT, width - 0.15 * PT
    room = (LABEL_IN - 0.1) * PT
    labels = [_fit(r.label, room, LABEL_PT, bold=r.heading or r.strong) for r in rows]
    heights = [ROW_IN * PT * (1.25 + 0.7 * (len(lab) - 1)) for lab in labels]
    svg = _Svg(width, 0)
    legend_h = _draw_legend(svg, legend, 0.07 * PT, 4.0, width - 0.14 * PT, dots=True)
    top = legend_h + 0.25 * PT
    body = sum(heights)
    svg.height = top + body + 0.45 * PT
    centres, y = [], top
    for h in heights:
        centres.append(y + h / 2)
        y += h
    xmax = _upper([v for r in rows for v in (r.high, r.base, r.pct)])

    def sx(v: float) -> float:
        return left + (right - left) * v / xmax

    bottom = top + body
    ticks = _ticks(xmax)
    svg.path([[(sx(v), top), (sx(v), bottom)] for v in ticks], LIGHT, 0.6)
    _draw_dots(svg, rows, centres, sx, xmax, lang)
    for lines, row, c in zip(labels, rows, centres):
        svg.lines(left - 3.5, c, lines, LABEL_PT, LABEL_PT * 1.2, anchor="end", bold=row.heading or row.strong,
                  fill=GREY if row.heading else "#000000")
    svg.path([[(left, bottom), (right, bottom)]], GREY, 0.8)
    svg.path([[(sx(v), bottom), (sx(v), bottom + 3.5)] for v in ticks], GREY, 0.8)
    for v in ticks:
        svg.text(sx(v), bottom + 3.5 + 2 + TICK_PT / 2, num(v, lang, 0), TICK_PT, anchor="middle", fill=GREY)
    svg.text((left + right) / 2, bottom + 0.45 * PT - TICK_PT * 0.6, legend.axis, TICK_PT, anchor="middle")
    return svg.render(legend.label, _desc(legend, dots=True))


def _draw_dots(svg: _Svg, rows: Sequence[Dot], centres: Sequence[float], sx, xmax: float, lang: str) -> None:
    data = [(c, r) for c, r in zip(centres, rows) if not r.heading]
    svg.path([[(sx(0), c), (sx(xmax), c)] for c, _ in data], LIGHT, 0.4)
    shown = [(c, r) for c, r in data if not math.isnan(r.pct)]
    spans = [[(sx(r.low), c), (sx(r.high), c)] for c, r in shown if not (math.isnan(r.low) or math.isnan(r.high))]
    svg.path(spans, BLUE, 1.6)
    svg.circles([(sx(r.pct), c) for c, r in shown], 2.25, BLUE, BLUE)
    svg.path([[(sx(r.base), c - 5), (sx(r.base), c + 5)] for c, r in data if not math.isnan(r.base)], VERMILLION, 2.0)
    for c, r in shown:  # the value, right of its interval and of the baseline mark
        high = max(v for v in (r.high, r.pct, r.base) if not math.isnan(v))
        svg.text(sx(min(high, xmax) + xmax * 0.015), c, num(r.pct, lang, 1), 6.5, fill=GREY)
    for c, r in data:
        if r.note:
            svg.text(sx(xmax * 0.01), c, r.note, 7.0, italic=True, fill=GREY)


# --------------------------------------------------------------------------- grade panels


@dataclass(frozen=True)
class Panel:
    """One factor by grade: values (NaN = hidden), intervals and baseline per grade."""

    title: str
    pct: tuple[float, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]
    base: tuple[float, ...]


@dataclass(frozen=True)
class _Grid:
    """Where panel k sits, in pt from the top left of the drawing area."""

    ncols: int
    width: float  # panel width
    height: float  # panel height (the plotting area)
    title: float  # room for the title above a panel
    gap_x: float
    gap_y: float  # room below a panel (grade labels)

    def origin(self, k: int) -> tuple[float, float]:
        row, col = divmod(k, self.ncols)
        return col * (self.width + self.gap_x), row * (self.title + self.height + self.gap_y) + self.title


def grade_panels(panels: Sequence[Panel], grades: Sequence[str], legend: Legend, grade_axis: str, lang: str, salt: str,
                 ncols: int | None = None) -> Markup:
    """Small multiples: one panel per factor, grades on the x axis, one shared 0–N % y axis."""
    ncols = ncols or (5 if len(panels) > 16 else 4)  # long sets: shorter, so the chart fits one printed page
    width = WIDTH_IN * PT
    left, right = 0.55 * PT, 0.1 * PT
    inner = width - left - right
    pw = (inner - 0.25 * PT * (ncols - 1)) / ncols
    titles = [_fit(p.title, pw - 2, TITLE_PT, lines=5) for p in panels]
    nlines = max((len(t) for t in titles), default=1)
    grid = _Grid(ncols, pw, 0.95 * PT, 0.08 * PT + nlines * TITLE_PT * 1.1, 0.25 * PT, 0.27 * PT)
    nrows = max(1, math.ceil(len(panels) / ncols))
    body = nrows * (grid.title + grid.height + grid.gap_y)
    svg = _Svg(width, 0)
    legend_h = _draw_legend(svg, legend, 0.07 * PT, 4.0, width - 0.14 * PT, dots=False)
    top = legend_h + 0.25 * PT
    svg.height = top + body + 0.35 * PT
    ymax = _upper([v for p in panels for v in (*p.high, *p.base, *p.pct)])
    _draw_trellis(svg, panels, titles, grades, grid, ymax, lang, left, top)
    svg.text(left - 0.42 * PT, top + body / 2, legend.axis, 7.5, anchor="middle", fill=GREY, rotate=True)
    svg.text(left + inner / 2, top + body + 0.22 * PT, grade_axis, 7.5, anchor="middle", fill=GREY)
    return svg.render(legend.label, _desc(legend, dots=False))


def _runs(points: Sequence[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """Polylines through consecutive finite points (a hidden value breaks the line)."""
    out: list[list[tuple[float, float]]] = [[]]
    for x, y in points:
        if math.isnan(y):
            out.append([])
        else:
            out[-1].append((x, y))
    return [run for run in out if run]


def _draw_trellis(svg: _Svg, panels: Sequence[Panel], titles: Sequence[Sequence[str]], grades: Sequence[str], grid: _Grid,
                  ymax: float, lang: str, left: float, top: float) -> None:
    g = max(1, len(grades))
    step = grid.width / g
    frames, rules, whiskers, lines, bases = [], [], [], [], []
    dots, squares = [], []
    texts: list[tuple[float, float, str, float, str, str]] = []  # drawn last, above the marks
    for k, panel in enumerate(panels):
        x0, y0 = grid.origin(k)
        x0, y0 = x0 + left, y0 + top
        xs = [x0 + step * (j + 0.5) for j in range(len(grades))]

        def sy(v: float, y0: float = y0) -> float:
            return y0 + grid.height * (1 - v / ymax)

        frames.append([(x0, y0), (x0, y0 + grid.height), (x0 + grid.width, y0 + grid.height)])
        rules += [[(x0, sy(v)), (x0 + grid.width, sy(v))] for v in (ymax / 2, ymax)]
        pts = [(x, sy(p) if not math.isnan(p) else math.nan) for x, p in zip(xs, panel.pct)]
        base = [(x, sy(b) if not math.isnan(b) else math.nan) for x, b in zip(xs, panel.base)]
        for x, p, lo, hi in zip(xs, panel.pct, panel.low, panel.high):
            if not (math.isnan(p) or math.isnan(lo) or math.isnan(hi)):
                whiskers.append([(x, sy(lo)), (x, sy(hi))])
        lines += _runs(pts)
        bases += _runs(base)
        dots += [p for p in pts if not math.isnan(p[1])]
        squares += [b for b in base if not math.isnan(b[1])]
        title = titles[k]
        for j, line in enumerate(title):
            ty = y0 - 0.05 * PT - (len(title) - 1 - j) * TITLE_PT * 1.1 - TITLE_PT / 2
            texts.append((x0, ty, line, TITLE_PT, "start", "#000000"))
        for x, p in zip(xs, panel.pct):
            if math.isnan(p):  # a gap: say so, with no number
                texts.append((x, y0 + grid.height - 0.03 * PT - 4, "–", 8.0, "middle", GREY))
        for x, label in zip(xs, grades):
            texts.append((x, y0 + grid.height + 0.04 * PT + 3.5, label, 6.3, "middle", GREY))
        if k % grid.ncols == 0:
            for v in (0, ymax / 2, ymax):
                texts.append((x0 - 0.05 * PT, sy(v), num(v, lang, 0), 6.3, "end", GREY))
    svg.path(rules, LIGHT, 0.5)
    svg.path(frames, GREY, 0.6)
    svg.path(whiskers, BLUE, 1.2)
    svg.path(lines, BLUE, 1.2)
    svg.circles(dots, 1.65, BLUE, BLUE)
    svg.path(bases, VERMILLION, 1.0, dash="3.7 1.6")
    svg.squares(squares, 3.0, VERMILLION, "#ffffff", 0.9)
    for x, y, text, size, anchor, fill in texts:
        svg.text(x, y, text, size, anchor=anchor, fill=fill)
