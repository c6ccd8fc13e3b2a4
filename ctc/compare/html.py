"""``changes.html``: one self-contained page per municipality — the board's priorities
first, then what improved, what worsened and what did not clearly change, each factor
with a small inline-SVG chart of its % per wave and 95 % interval. Only published
numbers are used (the per-wave tables and compare.csv / trends.csv)."""

from __future__ import annotations

import html
import math

import pandas as pd

from ..i18n import number
from ..profile.estimate import ALL
from .strings import s
from .tables import CompareOptions, CompareTables

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:60rem;color:#1b1b1b;line-height:1.4}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;border-bottom:2px solid #ccc;padding-bottom:.2rem;margin-top:2rem}
.lead{color:#444}.cards{display:flex;flex-wrap:wrap;gap:.8rem}
.card{border:1px solid #ccc;border-radius:6px;padding:.6rem .8rem;width:17.5rem;break-inside:avoid;page-break-inside:avoid}
.card h3{font-size:1rem;margin:.1rem 0}.kind{font-size:.8rem;color:#555}.verdict{font-weight:600}
.better .verdict{color:#1a7f37}.worse .verdict{color:#b42318}.reason,.trend{font-size:.85rem;color:#333;margin:.2rem 0}
svg text{font-size:10px;fill:#333}table{border-collapse:collapse;width:100%;font-size:.85rem}
td,th{border-bottom:1px solid #ddd;padding:.2rem .4rem;text-align:left}footer{margin-top:2rem;font-size:.8rem;color:#555}
@page{size:A4;margin:15mm}@media print{body{margin:0;max-width:none}.card{width:16rem}}
"""


Points = list[tuple[str, float, float, float] | None]


def _series(tables: CompareTables, muni: str) -> dict[tuple[str, str], Points]:
    """Pooled % and interval per wave of every indicator of a municipality (None = not shown)."""
    out: dict[tuple[str, str], Points] = {}
    for k, (wave, table) in enumerate(tables.waves.items()):
        part = table[(table["municipality"].astype(str) == muni) & (table["grade"].astype(str) == ALL)
                     & (table["gender"].astype(str) == ALL)]
        for r in part.itertuples(index=False):
            points = out.setdefault((r.indicator_type, r.indicator_id), [None] * len(tables.waves))
            if not r.suppressed and pd.notna(r.pct):
                points[k] = (wave, float(r.pct), float(r.ci_low), float(r.ci_high))
    return out


def chart(points: Points, waves: tuple[str, ...], title: str) -> str:
    """A small SVG: % per wave with its interval; a hidden wave leaves a gap."""
    w, h, left, bottom, top = 260, 120, 30, 20, 8
    right = 20
    shown = [p for p in points if p is not None]
    high = max([p[3] for p in shown if math.isfinite(p[3])] + [p[1] for p in shown] + [1.0])
    high = min(100.0, high * 1.1)
    step = (w - left - right - 5) / max(1, len(waves) - 1)
    x = lambda k: left + 5 + k * step  # noqa: E731
    y = lambda v: top + (h - top - bottom) * (1 - v / high)  # noqa: E731
    parts = [f'<svg viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{html.escape(title)}">',
             f'<line x1="{left}" y1="{y(0):.1f}" x2="{w - 5}" y2="{y(0):.1f}" stroke="#999"/>',
             f'<text x="2" y="{y(0):.1f}">0</text><text x="2" y="{y(high) + 8:.1f}">{high:.0f}%</text>']
    line = []
    for k, (wave, p) in enumerate(zip(waves, points)):
        parts.append(f'<text x="{x(k):.1f}" y="{h - 5}" text-anchor="middle">{html.escape(wave)}</text>')
        if p is None:
            parts.append(f'<text x="{x(k) - 3:.1f}" y="{y(high / 2):.1f}">–</text>')
            line.append(None)
            continue
        _, pct, lo, hi = p
        if math.isfinite(lo) and math.isfinite(hi):
            parts.append(f'<line x1="{x(k):.1f}" y1="{y(lo):.1f}" x2="{x(k):.1f}" y2="{y(hi):.1f}" stroke="#555"/>')
        parts.append(f'<circle cx="{x(k):.1f}" cy="{y(pct):.1f}" r="3" fill="#1f4e79"/>')
        line.append((x(k), y(pct)))
    run: list[tuple[float, float]] = []
    for pt in [*line, None]:
        if pt is None:
            if len(run) > 1:
                parts.append('<polyline fill="none" stroke="#1f4e79" points="' + " ".join(f"{a:.1f},{b:.1f}" for a, b in run) + '"/>')
            run = []
        else:
            run.append(pt)
    parts.append("</svg>")
    return "".join(parts)


def _card(tables: CompareTables, series: dict[tuple[str, str], Points], row, trend_row, lang: str) -> str:
    points = series.get((row.indicator_type, row.indicator_id), [None] * len(tables.waves))
    css = row.verdict if row.verdict in ("better", "worse") else ""
    trend = ""
    if trend_row is not None:
        trend = f'<p class="trend">{html.escape(s("html.trend", lang, k=len(tables.all_waves), label=trend_row.trend_label))}</p>'
    return (f'<div class="card {css}"><div class="kind">{html.escape(s("html.kind." + row.indicator_type, lang))}</div>'
            f"<h3>{html.escape(str(row.label))}</h3>"
            f"{chart(points, tables.all_waves, str(row.label))}"
            f'<p><span class="verdict">{html.escape(row.verdict_label)}</span> '
            f"({html.escape(s('html.from_to', lang, a=row.wave_a, b=row.wave_b))})</p>"
            f'<p class="reason">{html.escape(str(row.reason))}</p>{trend}</div>')


def _cohort_section(cohorts: pd.DataFrame, muni: str, lang: str) -> str:
    """The municipality's clear pseudo-cohort changes (cohorts.csv has them all)."""
    own = cohorts[cohorts["municipality"].astype(str) == muni]
    clear = own[own["verdict"].isin(["better", "worse"])].sort_values("q_value", kind="stable")
    fmt = lambda v: number(v, lang, 1)  # noqa: E731
    head = (f"<h2>{html.escape(s('html.cohorts', lang))} ({len(clear)})</h2>"
            f"<p class=\"reason\">{html.escape(s('html.cohorts.lead', lang, n=len(own)))}</p>")
    if not len(clear):
        return head + f"<p>{html.escape(s('html.cohorts.none', lang))}</p>"
    items = "".join(
        f'<tr class="{r.verdict}"><td>{html.escape(str(r.label))}</td>'
        f"<td>{html.escape(s('html.cohorts.pair', lang, g1=r.grade_from, w1=r.wave_from, g2=r.grade_to, w2=r.wave_to))}</td>"
        f"<td>{fmt(r.pct_from)} % → {fmt(r.pct_to)} %</td><td class=\"verdict\">{html.escape(r.verdict_label)}</td>"
        f"<td>{html.escape(str(r.reason))}</td></tr>" for r in clear.itertuples(index=False))
    return head + f"<table>{items}</table>"


def render_changes(tables: CompareTables, muni: str, options: CompareOptions) -> str:
    """The page of one municipality (see module docstring)."""
    lang = options.profile.lang
    c = tables.compare
    rows = c[(c["municipality"].astype(str) == muni) & (c["grade"].astype(str) == ALL) & (c["gender"].astype(str) == ALL)]
    rows = rows.sort_values("q_value", kind="stable", na_position="last")
    trends = {}
    if tables.trends is not None:
        t = tables.trends
        part = t[(t["municipality"].astype(str) == muni) & (t["grade"].astype(str) == ALL) & (t["gender"].astype(str) == ALL)]
        trends = {(r.indicator_type, r.indicator_id): r for r in part.itertuples(index=False)}
    series = _series(tables, muni)
    cards = lambda frame: "".join(_card(tables, series, r, trends.get((r.indicator_type, r.indicator_id)), lang)  # noqa: E731
                                  for r in frame.itertuples(index=False))
    chosen = rows[rows["indicator_id"].isin(options.priorities)]
    rest = rows[~rows["indicator_id"].isin(options.priorities)]
    sections = [f"<h2>{html.escape(s('html.priorities', lang))}</h2>"]
    sections.append(f'<div class="cards">{cards(chosen)}</div>' if len(chosen)
                    else f"<p>{html.escape(s('html.priorities.none', lang))}</p>")
    for code, key in (("better", "html.better"), ("worse", "html.worse"), ("no-clear-change", "html.rest")):
        part = rest[rest["verdict"] == code]
        if len(part):
            sections.append(f"<h2>{html.escape(s(key, lang))} ({len(part)})</h2><div class=\"cards\">{cards(part)}</div>")
    other = rest[rest["verdict"].isin(["not-comparable", "not-shown"])]
    if len(other):
        items = "".join(f"<tr><td>{html.escape(str(r.label))}</td><td>{html.escape(r.verdict_label)}</td>"
                        f"<td>{html.escape(str(r.reason))}</td></tr>" for r in other.itertuples(index=False))
        sections.append(f"<h2>{html.escape(s('html.other', lang))} ({len(other)})</h2><table>{items}</table>")
    if tables.cohorts is not None:
        sections.append(_cohort_section(tables.cohorts, muni, lang))
    title = s("html.title", lang, municipality=muni)
    lead = s("html.lead", lang, waves=", ".join(tables.all_waves), alpha=number(options.profile.alpha, lang, 2),
             design=options.profile.design)
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:">'
            f'<title>{html.escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head><body>'
            f"<h1>{html.escape(title)}</h1><p class=\"lead\">{html.escape(lead)}</p>{''.join(sections)}"
            f"<footer>{html.escape(s('html.footer', lang))}</footer></body></html>")
