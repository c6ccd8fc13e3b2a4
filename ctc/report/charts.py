"""Charts for the HTML report, drawn with matplotlib and embedded as inline SVG.

Encoding (readable in colour, for colour-blind readers and printed in black and white):

* this municipality: filled circle, solid line, with its confidence interval as a
  horizontal/vertical whisker — Okabe–Ito blue;
* the baseline: a tall vertical bar (dot charts) or open squares on a dashed line
  (grade panels) — Okabe–Ito vermillion;
* a hidden (suppressed) cell: no mark at all — a gap — and a note in the chart.

Text stays text (``svg.fonttype: none``): small files, searchable, escaped by
matplotlib. The SVG is cleaned so the same input gives the same bytes (no date, no
XML header, hash salt fixed per chart, unreferenced ids dropped).
"""

from __future__ import annotations

import io
import math
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib
import numpy as np
from markupsafe import Markup, escape
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.textpath import TextToPath
from matplotlib.ticker import FixedLocator, FuncFormatter

from .fmt import num

# Okabe & Ito (2008) colour-blind-safe palette
BLUE = "#0072B2"
VERMILLION = "#D55E00"
GREY = "#555555"
LIGHT = "#E3E3E3"
FONT = "DejaVu Sans"  # the layout font; the page's CSS names the same font first


def _rc(salt: str) -> dict[str, object]:
    return {
        "svg.fonttype": "none",
        "svg.hashsalt": salt,
        "text.parse_math": False,  # a '$' in a label is a dollar sign, not maths
        "text.usetex": False,
        "font.family": "sans-serif",
        "font.sans-serif": [FONT],
        "font.size": 8,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.edgecolor": GREY,
        "xtick.color": GREY,
        "ytick.color": GREY,
        "axes.unicode_minus": True,
        "path.simplify": True,
    }


_DROP = (
    re.compile(r"<\?xml[^>]*\?>\s*"),
    re.compile(r"<!DOCTYPE[^>]*>\s*", re.S),
    re.compile(r"<metadata>.*?</metadata>\s*", re.S),
    re.compile(r"<!--.*?-->\s*", re.S),
    re.compile(r'<style type="text/css">[^<]*</style>\s*'),
    re.compile(r"font-family: [^;\"]*;?\s*"),
    re.compile(r' transform="rotate\(-0 [^)]*\)"'),
)


_ROUND = re.compile(r"(\d\.\d\d)\d+")


def clean_svg(svg: str, label: str) -> str:
    """Deterministic, embeddable SVG: no header/metadata/comments, no global style, only
    the ids that are referenced, and ``role="img"`` with an accessible name."""
    for pattern in _DROP:
        svg = pattern.sub("", svg)
    used = set(re.findall(r"#([A-Za-z_][\w.-]*)", svg))
    svg = re.sub(r' id="([^"]*)"', lambda m: m.group(0) if m.group(1) in used else "", svg)
    svg = re.sub(r"<defs>\s*</defs>\s*", "", svg)
    svg = re.sub(r"<g>\s*(<text[^>]*>[^<]*</text>)\s*</g>", r"\1", svg)
    svg = re.sub(r"<g>\s*</g>\s*", "", svg)
    svg = re.sub(r"<[^>]+>", lambda m: _ROUND.sub(r"\1", m.group(0)), svg)  # 2 decimals are plenty at 72 dpi
    svg = re.sub(r" \n(?=[LMCQz])", " ", svg)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1).strip()


def _to_svg(fig: Figure, label: str) -> Markup:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    return Markup(clean_svg(buf.getvalue(), label))  # text escaped by matplotlib; checked by tests


def _upper(values: Sequence[float], floor: float = 10.0) -> float:
    """A round upper axis limit (multiple of 10, at most 100) above every value."""
    finite = [v for v in values if not math.isnan(v)]
    top = max(finite, default=floor)
    return float(min(100.0, max(floor, 10 * math.ceil((top + 0.5) / 10))))


def _percent_axis(lang: str) -> FuncFormatter:
    return FuncFormatter(lambda v, _pos: num(v, lang, 0))


def _wrap(text: str, width: int, lines: int) -> str:
    """Wrap at ``width`` characters (legend entries)."""
    parts = textwrap.wrap(text, width, break_long_words=False) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: width - 1].rstrip() + "…"
    return "\n".join(parts)


def _width_pt(text: str, size: float, bold: bool) -> float:
    props = FontProperties(family=FONT, size=size, weight="bold" if bold else "normal")
    return float(TextToPath().get_text_width_height_descent(text, props, ismath=False)[0])


def _fit(text: str, max_pt: float, size: float, bold: bool = False, lines: int = 2) -> str:
    """Wrap by measured width (layout font), so a label never runs out of its space."""
    out: list[str] = []
    for word in text.split():
        trial = f"{out[-1]} {word}" if out else word
        if out and _width_pt(trial, size, bold) <= max_pt:
            out[-1] = trial
        else:
            out.append(word)
    if len(out) > lines:
        out = out[:lines]
        while len(out[-1]) > 1 and _width_pt(out[-1] + "…", size, bold) > max_pt:
            out[-1] = out[-1][:-1]
        out[-1] = out[-1].rstrip() + "…"
    return "\n".join(out) or ""


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


@dataclass(frozen=True)
class Legend:
    municipality: str
    baseline: str | None
    axis: str
    label: str  # accessible name of the whole chart


TITLE_PT = 6.8  # panel titles
LABEL_PT = 7.5  # dot chart labels
LABEL_IN = 2.9  # room for the dot chart labels
ROW_IN = 0.2  # inches per label line
WIDTH_IN = 7.0


def _rows_layout(rows: Sequence[Dot]) -> tuple[list[str], np.ndarray, float]:
    room = (LABEL_IN - 0.1) * 72
    labels = [_fit(r.label, room, LABEL_PT, bold=r.heading or r.strong) for r in rows]
    heights = np.array([ROW_IN * (1.25 + 0.7 * (lab.count("\n"))) for lab in labels])
    centres = np.cumsum(heights) - heights / 2
    return labels, centres, float(heights.sum())


def dot_chart(rows: Sequence[Dot], legend: Legend, lang: str, salt: str) -> Markup:
    """Horizontal dot chart: per row a value with its interval and a baseline mark."""
    with matplotlib.rc_context(_rc(salt)):
        labels, y, body = _rows_layout(rows)
        top_in, bottom_in, left_in = 0.42, 0.45, LABEL_IN
        fig = Figure(figsize=(WIDTH_IN, body + top_in + bottom_in))
        ax = fig.add_axes((left_in / WIDTH_IN, bottom_in / fig.get_figheight(), 1 - (left_in + 0.15) / WIDTH_IN,
                           body / fig.get_figheight()))
        xmax = _upper([v for r in rows for v in (r.high, r.base, r.pct)])
        _draw_dots(ax, rows, y, xmax, lang)
        ax.set_ylim(body, 0)
        ax.set_xlim(0, xmax)
        ax.set_yticks(y, labels)
        for tick, row in zip(ax.get_yticklabels(), rows):
            tick.set_fontweight("bold" if row.heading or row.strong else "normal")
            tick.set_color("black" if not row.heading else GREY)
        ax.tick_params(axis="y", length=0, labelsize=LABEL_PT, pad=3)
        ax.spines["left"].set_visible(False)
        ax.xaxis.set_major_locator(FixedLocator(np.arange(0, xmax + 1, 10 if xmax > 30 else 5)))
        ax.xaxis.set_major_formatter(_percent_axis(lang))
        ax.set_xlabel(legend.axis)
        ax.grid(axis="x", color=LIGHT, linewidth=0.6)
        ax.set_axisbelow(True)
        _legend(fig, legend, dots=True)
        return _to_svg(fig, legend.label)


def _draw_dots(ax, rows: Sequence[Dot], y: np.ndarray, xmax: float, lang: str) -> None:
    data = [(pos, r) for pos, r in zip(y, rows) if not r.heading]
    _polylines(ax, [[(0, pos), (xmax, pos)] for pos, _ in data], color=LIGHT, linewidth=0.4, zorder=0)
    shown = [(pos, r) for pos, r in data if not math.isnan(r.pct)]
    spans = [[(r.low, pos), (r.high, pos)] for pos, r in shown if not (math.isnan(r.low) or math.isnan(r.high))]
    _polylines(ax, spans, color=BLUE, linewidth=1.6, zorder=2)
    ax.plot([r.pct for _, r in shown], [pos for pos, _ in shown], "o", color=BLUE, markersize=4.5, zorder=3)
    based = [(pos, r.base) for pos, r in data if not math.isnan(r.base)]
    ax.plot([b for _, b in based], [pos for pos, _ in based], "|", color=VERMILLION, markersize=10, markeredgewidth=2.0, zorder=4)
    for pos, r in shown:  # the value, right of its interval and of the baseline mark
        right = max(v for v in (r.high, r.pct, r.base) if not math.isnan(v))
        ax.text(min(right, xmax) + xmax * 0.015, pos, num(r.pct, lang, 1), va="center", ha="left", fontsize=6.5, color=GREY)
    for pos, r in data:
        if r.note:
            ax.text(xmax * 0.01, pos, r.note, va="center", ha="left", fontsize=7, fontstyle="italic", color=GREY)


def _legend(fig: Figure, legend: Legend, dots: bool) -> None:
    muni = Line2D([], [], color=BLUE, marker="o", markersize=4.5, linewidth=1.6, label=_wrap(legend.municipality, 60, 1))
    handles = [muni]
    if legend.baseline:
        base = (Line2D([], [], color=VERMILLION, marker="|", markersize=10, markeredgewidth=2.0, linestyle="none")
                if dots else Line2D([], [], color=VERMILLION, marker="s", markerfacecolor="white", markersize=4,
                                    linestyle="--", linewidth=1.1))
        base.set_label(_wrap(legend.baseline, 60, 1))
        handles.append(base)
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.01, 0.999), ncols=len(handles), frameon=False,
               fontsize=7.5, handlelength=2.2, borderaxespad=0.2)


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
    """Where panel k sits, in inches from the top left of the drawing area."""

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
    """Small multiples: one panel per factor, grades on the x axis, one shared 0–N % y axis.

    All panels are drawn into one matplotlib Axes (a hand-made trellis): a few artists
    instead of one Axes per panel keeps rendering fast and the SVG small.
    """
    with matplotlib.rc_context(_rc(salt)):
        ncols = ncols or (5 if len(panels) > 16 else 4)  # long sets: shorter, so the chart fits one printed page
        left, top, bottom, right = 0.55, 0.45, 0.35, 0.1
        width = (WIDTH_IN - left - right - 0.25 * (ncols - 1)) / ncols
        titles = [_fit(p.title, width * 72 - 2, TITLE_PT, lines=5) for p in panels]
        lines = max((t.count("\n") + 1 for t in titles), default=1)
        grid = _Grid(ncols, width, 0.95, 0.08 + lines * TITLE_PT * 1.1 / 72, 0.25, 0.27)
        nrows = max(1, math.ceil(len(panels) / ncols))
        body = nrows * (grid.title + grid.height + grid.gap_y)
        fig = Figure(figsize=(WIDTH_IN, top + body + bottom))
        ax = fig.add_axes((left / WIDTH_IN, bottom / fig.get_figheight(), 1 - (left + right) / WIDTH_IN, body / fig.get_figheight()))
        ax.set_axis_off()
        ax.set_xlim(0, WIDTH_IN - left - right)
        ax.set_ylim(body, 0)
        ymax = _upper([v for p in panels for v in (*p.high, *p.base, *p.pct)])
        _draw_trellis(ax, panels, titles, grades, grid, ymax, lang)
        ax.text(-0.42, body / 2, legend.axis, rotation=90, ha="center", va="center", fontsize=7.5, color=GREY)
        ax.text((WIDTH_IN - left - right) / 2, body + 0.22, grade_axis, ha="center", va="center", fontsize=7.5, color=GREY)
        _legend(fig, legend, dots=False)
        return _to_svg(fig, legend.label)


def _nan_join(parts: list[np.ndarray]) -> np.ndarray:
    out: list[float] = []
    for part in parts:
        out += [*part, math.nan]
    return np.asarray(out, dtype=float)


def _draw_trellis(ax, panels: Sequence[Panel], titles: Sequence[str], grades: Sequence[str], grid: _Grid, ymax: float,
                  lang: str) -> None:
    g = len(grades)
    step = grid.width / g
    frames, rules, whiskers = [], [], []
    mx, my, bx, by = [], [], [], []
    for k, panel in enumerate(panels):
        x0, y0 = grid.origin(k)
        xs = x0 + step * (np.arange(g) + 0.5)

        def to_y(values, y0=y0):
            return y0 + grid.height * (1 - np.asarray(values, dtype=float) / ymax)

        pct, low, high = to_y(panel.pct), to_y(panel.low), to_y(panel.high)
        frames += [[(x0, y0), (x0, y0 + grid.height), (x0 + grid.width, y0 + grid.height)]]
        rules += [[(x0, to_y(v)), (x0 + grid.width, to_y(v))] for v in (ymax / 2, ymax)]
        ok = ~np.isnan(low) & ~np.isnan(high) & ~np.isnan(pct)
        whiskers += [[(x, lo), (x, hi)] for x, lo, hi in zip(xs[ok], low[ok], high[ok])]
        mx.append(xs), my.append(pct), bx.append(xs), by.append(to_y(panel.base))
        ax.text(x0, y0 - 0.05, titles[k], ha="left", va="bottom", fontsize=TITLE_PT, linespacing=1.05)
        for x in xs[np.isnan(pct)]:  # a gap: say so, with no number
            ax.text(x, y0 + grid.height - 0.03, "–", ha="center", va="bottom", fontsize=8, color=GREY)
        for x, label in zip(xs, grades):
            ax.text(x, y0 + grid.height + 0.04, label, ha="center", va="top", fontsize=6.3, color=GREY)
        if k % grid.ncols == 0:
            for v in (0, ymax / 2, ymax):
                ax.text(x0 - 0.05, to_y(v), num(v, lang, 0), ha="right", va="center", fontsize=6.3, color=GREY)
    _polylines(ax, rules, color=LIGHT, linewidth=0.5, zorder=1)
    _polylines(ax, frames, color=GREY, linewidth=0.6, zorder=1)
    _polylines(ax, whiskers, color=BLUE, linewidth=1.2, zorder=2)
    ax.plot(_nan_join(mx), _nan_join(my), "-o", color=BLUE, markersize=3.3, linewidth=1.2, zorder=3, clip_on=False)
    ax.plot(_nan_join(bx), _nan_join(by), "--s", color=VERMILLION, markerfacecolor="white", markersize=3.0, linewidth=1.0,
            zorder=4, clip_on=False)


def _polylines(ax, lines: list[list[tuple[float, float]]], **style: object) -> None:
    """Many polylines as one path (NaN-separated): one SVG element instead of one per line."""
    xs = _nan_join([np.array([p[0] for p in line]) for line in lines])
    ys = _nan_join([np.array([p[1] for p in line]) for line in lines])
    ax.plot(xs, ys, solid_capstyle="butt", clip_on=False, **style)
