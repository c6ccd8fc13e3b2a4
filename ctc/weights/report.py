"""The weighting report: margins before/after, Kish design effect, weight distribution
(HTML and CSV, English or German), written beside the weighted survey."""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from babel.numbers import format_scientific

from ..i18n import translate
from ..io.atomic import atomic_path
from ..release.csvsafe import write_csv
from .enrolment import TINY_CELL
from .strings import STRINGS, s

if TYPE_CHECKING:
    from .run import WeightingResult

__all__ = ["margin_table", "report_paths", "weight_distribution", "write_report"]


def report_paths(output: Path) -> tuple[Path, Path]:
    return output.with_name(f"{output.stem}.weighting.html"), output.with_name(f"{output.stem}.weighting.csv")


def kish(w: np.ndarray) -> float:
    return float(w.size * np.sum(w**2) / np.sum(w) ** 2)


def margin_table(result: WeightingResult) -> pd.DataFrame:
    """One row per margin level: enrolled, respondents, design-weighted and calibrated sums."""
    rows = []
    for m in result.margins:
        n = np.bincount(m.codes, minlength=m.totals.size)
        before, after = m.sums(result.design_weights), m.sums(result.fit.weights)
        for k, label in enumerate(m.labels):
            rows.append({"margin": m.name, "cell": ", ".join(label), "enrolled": m.totals[k], "respondents": int(n[k]),
                         "weighted_before": before[k], "weighted_after": after[k]})
    return pd.DataFrame(rows)


def weight_distribution(result: WeightingResult) -> pd.DataFrame:
    """Min, percentiles, max, mean and CV of design weights, weights and their ratio."""
    series = {"design_weight": result.design_weights, "weight": result.fit.weights,
              "ratio": result.fit.weights / result.design_weights}
    stats = {"min": np.min, "p01": lambda a: np.percentile(a, 1), "p25": lambda a: np.percentile(a, 25),
             "median": np.median, "p75": lambda a: np.percentile(a, 75), "p99": lambda a: np.percentile(a, 99),
             "max": np.max, "mean": np.mean, "cv": lambda a: np.std(a) / np.mean(a)}
    return pd.DataFrame({name: {k: float(f(a)) for k, f in stats.items()} for name, a in series.items()})


def write_report(result: WeightingResult, *, lang: str = "en", force: bool = False) -> tuple[Path, Path]:
    html_path, csv_path = report_paths(result.output)
    margins = margin_table(result)
    table = pd.concat([margins.assign(section="margin"),
                       weight_distribution(result).reset_index(names="cell").melt(
                           id_vars="cell", var_name="margin", value_name="value").assign(section="weights")],
                      ignore_index=True)
    with atomic_path(csv_path, overwrite=True) as tmp:
        write_csv(table[["section", "margin", "cell", "enrolled", "respondents", "weighted_before", "weighted_after",
                         "value"]], tmp, lineterminator="\n")
    with atomic_path(html_path, overwrite=True) as tmp:
        tmp.write_text(_html(result, margins, lang), encoding="utf-8")
    return html_path, csv_path


def _fmt(x: float, lang: str, digits: int = 1) -> str:
    text = f"{x:,.{digits}f}"
    return text.replace(",", "\u202f").replace(".", ",") if lang == "de" else text


def _table(head: list[str], rows: list[list[str]]) -> str:
    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _html(result: WeightingResult, margins: pd.DataFrame, lang: str) -> str:
    w, w0 = result.fit.weights, result.design_weights
    deff, deff0 = kish(w), kish(w0)
    bounds = "–".join(f"{b:g}" for b in result.fit.bounds) if result.fit.bounds else s("none", lang)
    summary = [[s("respondents", lang), _fmt(result.rows, lang, 0)], [s("iterations", lang), str(result.fit.iterations)],
               [s("misfit", lang), format_scientific(max(result.fit.misfit), "0.00E0", locale=lang)], [s("kish_before", lang), _fmt(deff0, lang, 3)],
               [s("kish", lang), _fmt(deff, lang, 3)], [s("n_eff", lang), _fmt(result.rows / deff, lang, 0)],
               [s("bounds", lang), bounds], [s("trimmed", lang), str(result.fit.trimmed)]]
    dist = weight_distribution(result)
    dist_rows = [[s(f"dist_{k}", lang) if f"dist_{k}" in STRINGS else k, *(_fmt(dist.loc[k, c], lang, 3) for c in dist.columns)] for k in dist.index]
    margin_rows = [[r.margin, r.cell, _fmt(r.enrolled, lang, 0), str(r.respondents), _fmt(r.weighted_before, lang),
                    _fmt(r.weighted_after, lang)] for r in margins.itertuples()]
    small = [[c.margin, ", ".join(c.cell), str(c.respondents), translate(c.suggestion, lang)] for c in result.tiny]
    notes = [*(translate(n, lang) for n in result.notes), s("variance", lang, model=result.model.name, variance=result.method)]
    parts = [
        f"<h1>{s('title', lang)}</h1>",
        f"<p>{html.escape(s('intro', lang, survey=result.output.name, enrolment=result.enrolment.path.name, method=s(result.method, lang)))}</p>",
        f"<h2>{s('summary', lang)}</h2>", _table([s("statistic", lang), ""], summary),
        f"<h2>{s('distribution', lang)}</h2>",
        _table([s("statistic", lang), s("design_weight", lang), s("weight", lang), s("ratio", lang)], dist_rows),
        f"<h2>{s('margins', lang)}</h2>",
        _table([s("margin", lang), s("cell", lang), s("enrolled", lang), s("respondents", lang), s("before", lang),
                s("after", lang)], margin_rows),
    ]
    if small:
        parts += [f"<h2>{s('small', lang)}</h2>", f"<p>{s('small_intro', lang, n=TINY_CELL)}</p>",
                  _table([s("margin", lang), s("cell", lang), s("respondents", lang), s("suggestion", lang)], small)]
    parts += [f"<h2>{s('notes', lang)}</h2>", "<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in notes) + "</ul>"]
    style = ("body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
             "table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:right}"
             "td:first-child,th:first-child{text-align:left}")
    return (f"<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{s('title', lang)}</title>"
            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>\n")
