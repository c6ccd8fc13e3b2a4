"""The comparison report of ``ctc cutpoints derive`` (HTML and CSV, English or German):
old vs new cut-point per scale and grade, % at risk under each, sensitivity and
specificity against the scale's outcomes, and scales where the methods disagree."""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd

from ..instrument.model import Instrument
from ..io.atomic import atomic_path
from ..release.csvsafe import write_csv
from .derive import POOLED, DeriveOptions, Derived, any_outcome
from .rules import accuracy, share_at_risk

#: methods whose % at risk differ by more than this many points "disagree strongly"
DISAGREE_PP = 10.0

TEXT = {
    "title": {"en": "Cut-point comparison", "de": "Vergleich der Schwellenwerte"},
    "intro": {"en": "New instrument version {version}, derived by {method} from {reference}. Derived cut-points are "
                    "not the official CTC cut-points.",
              "de": "Neue Instrumentversion {version}, abgeleitet mit {method} aus {reference}. Abgeleitete "
                    "Schwellenwerte sind nicht die offiziellen CTC-Schwellenwerte."},
    "disagree": {"en": "Scales where the methods disagree strongly (more than {pp:g} points at risk apart)",
                 "de": "Skalen, bei denen die Methoden stark voneinander abweichen (mehr als {pp:g} Prozentpunkte)"},
    "none": {"en": "none", "de": "keine"},
    "cols": {"en": ["Scale", "Kind", "Grade", "Old cut-point", "New cut-point", "95 % interval", "% at risk (old)",
                    "% at risk (new)", "Sensitivity (old)", "Specificity (old)", "Sensitivity (new)",
                    "Specificity (new)", "AUC", "mad", "quantile", "roc"],
             "de": ["Skala", "Art", "Jahrgangsstufe", "Alter Schwellenwert", "Neuer Schwellenwert", "95-%-Intervall", "% Risiko (alt)",
                    "% Risiko (neu)", "Sensitivität (alt)", "Spezifität (alt)", "Sensitivität (neu)",
                    "Spezifität (neu)", "AUC", "mad", "quantile", "roc"]},
    "pooled": {"en": "all", "de": "alle"},
    "risk": {"en": "risk", "de": "Risikofaktor"},
    "protective": {"en": "protective", "de": "Schutzfaktor"},
}


def _t(key: str, lang: str):  # noqa: ANN202
    return TEXT[key].get(lang) or TEXT[key]["en"]


def comparison_table(old: Instrument, new: Instrument, frame: pd.DataFrame, derived: list[Derived],
                     opts: DeriveOptions) -> pd.DataFrame:
    rows = []
    by_key = {(d.scale, d.grade, d.method): d for d in derived}
    for scale in old.scales:
        new_scale = next(s for s in new.scales if s.id == scale.id)
        protective = scale.kind == "protective"
        score = frame[f"score.{scale.id}"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        grades = sorted({d.grade for d in derived if d.scale == scale.id})
        for grade in grades:
            d = by_key[(scale.id, grade, opts.method)]
            in_grade = (frame["grade"] == grade).fillna(False).to_numpy() if grade != POOLED else np.ones(len(frame), bool)
            rows_mask = in_grade & ~np.isnan(score)
            s = score[rows_mask]
            g = grade if grade != POOLED else None
            old_cut = _cut(scale, g, frame, rows_mask)
            y = any_outcome(frame, d.outcomes)[rows_mask]
            valid = ~np.isnan(y)
            acc_old = accuracy(s[valid], y[valid].astype(bool), old_cut, protective) if valid.any() and np.isfinite(old_cut) else None
            acc_new = d.accuracy
            share = {m: (by_key[(scale.id, grade, m)].share * 100 if (scale.id, grade, m) in by_key else np.nan)
                     for m in ("mad", "quantile", "roc")}
            spread = np.nanmax(list(share.values())) - np.nanmin(list(share.values()))
            rows.append({
                "scale": scale.id, "kind": scale.kind, "grade": "all" if grade == POOLED else str(grade),
                "old_cutpoint": old_cut, "new_cutpoint": d.cut, "ci_low": d.low, "ci_high": d.high, "n": d.n,
                "pct_at_risk_old": 100 * share_at_risk(s, old_cut, protective) if np.isfinite(old_cut) else np.nan,
                "pct_at_risk_new": 100 * d.share,
                "sensitivity_old": acc_old.sensitivity if acc_old else np.nan,
                "specificity_old": acc_old.specificity if acc_old else np.nan,
                "sensitivity_new": acc_new.sensitivity if acc_new else np.nan,
                "specificity_new": acc_new.specificity if acc_new else np.nan,
                "auc": acc_new.auc if acc_new else np.nan,
                "pct_mad": share["mad"], "pct_quantile": share["quantile"], "pct_roc": share["roc"],
                "methods_disagree": bool(spread > DISAGREE_PP),
                "new_in_instrument": new_scale.cutpoint_for(grade) if grade != POOLED else new_scale.cutpoint_for(0),
            })
    return pd.DataFrame(rows)


def _cut(scale, grade: int | None, frame: pd.DataFrame, rows: np.ndarray) -> float:  # noqa: ANN001
    """The old cut-point of a grade; pooled over grades only when it is one number."""
    if grade is not None:
        c = scale.cutpoint_for(grade)
        return float("nan") if c is None else c
    if isinstance(scale.cutpoint, dict):
        return float("nan")
    return float(scale.cutpoint)


def report_paths(output: Path) -> tuple[Path, Path]:
    return output.with_name(f"{output.stem}.cutpoints.html"), output.with_name(f"{output.stem}.cutpoints.csv")


def write_report(table: pd.DataFrame, output: Path, opts: DeriveOptions, *, lang: str, version: str,
                 reference: str) -> tuple[Path, Path]:
    html_path, csv_path = report_paths(output)
    with atomic_path(csv_path, overwrite=False) as tmp:
        write_csv(table.drop(columns=["new_in_instrument"]), tmp, lineterminator="\n")
    with atomic_path(html_path, overwrite=False) as tmp:
        tmp.write_text(_html(table, opts, lang, version, reference), encoding="utf-8")
    return html_path, csv_path


def _f(x: float, digits: int = 2, lang: str = "en") -> str:
    if not np.isfinite(x):
        return "–"
    text = f"{x:.{digits}f}"
    return text.replace(".", ",") if lang == "de" else text


def _html(table: pd.DataFrame, opts: DeriveOptions, lang: str, version: str, reference: str) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in _t("cols", lang))
    body = []
    for r in table.itertuples():
        grade = _t("pooled", lang) if r.grade == "all" else r.grade
        kind = _t(r.kind, lang) if r.kind in TEXT else r.kind
        cells = [r.scale, kind, grade, _f(r.old_cutpoint, 3, lang), _f(r.new_cutpoint, 3, lang),
                 f"{_f(r.ci_low, 3, lang)} – {_f(r.ci_high, 3, lang)}", _f(r.pct_at_risk_old, 1, lang),
                 _f(r.pct_at_risk_new, 1, lang), _f(r.sensitivity_old, 2, lang), _f(r.specificity_old, 2, lang),
                 _f(r.sensitivity_new, 2, lang), _f(r.specificity_new, 2, lang), _f(r.auc, 2, lang),
                 _f(r.pct_mad, 1, lang), _f(r.pct_quantile, 1, lang), _f(r.pct_roc, 1, lang)]
        cls = ' class="disagree"' if r.methods_disagree else ""
        body.append(f"<tr{cls}>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    disagree = sorted(set(table.loc[table["methods_disagree"], "scale"]))
    style = ("body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}"
             "td,th{border:1px solid #ccc;padding:.2rem .4rem;text-align:right}td:first-child{text-align:left}"
             "tr.disagree td{background:#fde8c8}")
    return (f"<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{_t('title', lang)}</title>"
            f"<style>{style}</style></head><body><h1>{_t('title', lang)}</h1>"
            f"<p>{html.escape(_t('intro', lang).format(version=version, method=opts.method, reference=reference))}</p>"
            f"<h2>{_t('disagree', lang).format(pp=DISAGREE_PP)}</h2><p>{html.escape(', '.join(disagree) or _t('none', lang))}</p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></body></html>\n")
