"""``ctc weights``: a survey file and an enrolment file in, the weighted survey, its
calibration model and a weighting report out (docs/weights.md)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import DataError, OutputError, UsageError
from ..io.atomic import atomic_path
from ..io.read import ReadOptions, read_survey
from ..manifest import base_manifest, file_sha256
from ..release.csvsafe import write_csv
from .algorithms import Fit, Margin, calibrate_raking, poststratify, rake_ipf, trim_and_rake
from .enrolment import CellProblem, Enrolment, build_margins, margin_tables, read_enrolment
from .model import FORMAT, model_path

Method = Literal["poststratify", "rake", "calibrate"]
METHODS = ("poststratify", "rake", "calibrate")
WEIGHT, DESIGN_WEIGHT = "weight", "design_weight"

__all__ = ["METHODS", "WeightingResult", "parse_bounds", "weight_survey"]


@dataclass
class WeightingResult:
    output: Path
    model: Path
    report_html: Path | None
    report_csv: Path | None
    method: str
    rows: int
    fit: Fit
    margins: tuple[Margin, ...]
    design_weights: np.ndarray
    tiny: list[CellProblem]
    dropped: float
    enrolment: Enrolment
    seconds: float
    notes: list[str] = field(default_factory=list)

    @property
    def kish_deff(self) -> float:
        """Kish's design effect of weighting, 1 + CV² of the weights = n Σw² / (Σw)²."""
        w = self.fit.weights
        return float(w.size * np.sum(w**2) / np.sum(w) ** 2)


def parse_bounds(text: str | None) -> tuple[float, float] | None:
    """``"0.3,3"`` → (0.3, 3.0); the bounds apply to g = weight / design weight."""
    if text is None:
        return None
    try:
        lo, hi = (float(v) for v in text.split(","))
    except ValueError:
        raise UsageError(f"--bounds must be two numbers LO,HI, got {text!r}", hint="e.g. --bounds 0.3,3") from None
    if not (0 <= lo < 1 < hi):
        raise UsageError(f"--bounds {text}: need 0 ≤ LO < 1 < HI", hint="e.g. --bounds 0.3,3 (weights may shrink to 0.3× "
                         "and grow to 3× the design weight)")
    return lo, hi


def _design_weights(survey: pd.DataFrame) -> tuple[np.ndarray, str | None]:
    """The weights before calibration: ``design_weight`` (a file weighted before), else
    ``weight``, else 1 for everybody."""
    for column in (DESIGN_WEIGHT, WEIGHT):
        if column in survey.columns:
            w = pd.to_numeric(survey[column].astype("string").str.strip().str.replace(",", ".", regex=False),
                              errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
            bad = ~np.isfinite(w) | (w <= 0)
            if bad.any():
                raise DataError(f"{int(bad.sum())} design weight(s) in column {column!r} are missing, zero or negative "
                                f"(first in data row {int(np.argmax(bad)) + 1})",
                                hint="Design weights must be positive; fix them or remove the column to start from 1.")
            return w, column
    return np.ones(len(survey)), None


def check_options(method: str, bounds: tuple[float, float] | None, trim: bool) -> None:
    """Options that cannot apply are errors, before anything is read."""
    if method not in METHODS:
        raise UsageError(f"unknown method {method!r}", hint=f"use one of {', '.join(METHODS)}")
    if trim and bounds is None:
        raise UsageError("--trim needs --bounds LO,HI: the bounds the weights are trimmed to", hint="e.g. --bounds 0.3,3 --trim")
    if method == "rake" and bounds is not None and not trim:
        raise UsageError("--bounds cannot be enforced by plain raking (iterative proportional fitting)",
                         hint="use --method calibrate for bounded raking, or add --trim")


def _fit(w0: np.ndarray, margins: tuple[Margin, ...], method: Method, bounds, trim: bool) -> Fit:
    if trim:
        return trim_and_rake(w0, margins, bounds)
    if method == "poststratify":
        fit = poststratify(w0, margins[0])
        if bounds is not None:
            g = fit.weights / w0
            if (g < bounds[0]).any() or (g > bounds[1]).any():
                raise DataError(f"post-stratification needs weight ratios from {g.min():.3g} to {g.max():.3g}, outside "
                                f"--bounds {bounds[0]:g},{bounds[1]:g}",
                                hint="add --trim to cap them (the margins are then met only approximately, reported), "
                                "widen the bounds, or collapse small cells")
        return fit
    if method == "rake":
        return rake_ipf(w0, margins)
    return calibrate_raking(w0, margins, bounds=bounds)


def weight_survey(
    survey: str | Path,
    enrolment: str | Path,
    output: str | Path,
    *,
    method: Method = "poststratify",
    bounds: tuple[float, float] | None = None,
    trim: bool = False,
    partial: bool = False,
    force: bool = False,
    read: ReadOptions | None = None,
    report: bool = True,
    lang: str = "en",
) -> WeightingResult:
    """Weight ``survey`` to the totals of ``enrolment`` and write ``output`` (CSV or Parquet)
    with the calibrated ``weight`` (and the old one as ``design_weight``), the calibration
    model beside it and, unless ``report=False``, the weighting report."""
    started = time.perf_counter()
    check_options(method, bounds, trim)
    output = Path(output)
    if output.suffix.lower() not in (".csv", ".parquet"):
        raise UsageError(f"cannot write a weighted survey as {output.suffix or 'a file without extension'}",
                         hint="name the output .csv or .parquet")
    if output.exists() and not force:  # checked again when written; here so that nothing is computed in vain
        raise OutputError(f"{output} already exists", "choose another output or pass --force to replace it")
    if output.resolve() == Path(survey).resolve():
        raise UsageError("the output would replace the survey itself", hint="write the weighted survey to a new file")
    info, frame = read_survey(survey, read)
    if frame.empty:
        raise DataError(f"{Path(survey).name} has no respondents to weight", hint="check the file")
    enrol = read_enrolment(enrolment)
    w0, _ = _design_weights(frame)
    margins, tiny, dropped = build_margins(frame, margin_tables(enrol, method), w0, partial=partial)
    fit = _fit(w0, margins, method, bounds, trim)
    notes = list(fit.notes)
    if dropped:
        notes.append(f"{dropped:g} enrolled students in cells without respondents were left out (--partial)")
    weighted = _weighted_frame(frame, w0, fit.weights)
    _write(weighted, output, info, force)
    variance = "rake" if fit.log_factors is None else method
    model = _write_model(output, method, variance, margins, fit, info.sha256, enrol, force)
    result = WeightingResult(output, model, None, None, method, len(frame), fit, margins, w0, tiny, dropped, enrol,
                             time.perf_counter() - started, notes)
    if report:
        from .report import write_report

        result.report_html, result.report_csv = write_report(result, lang=lang, force=force)
    return result


def _weighted_frame(frame: pd.DataFrame, w0: np.ndarray, w: np.ndarray) -> pd.DataFrame:
    out = frame.copy()
    if DESIGN_WEIGHT not in out.columns:
        at = out.columns.get_loc(WEIGHT) + 1 if WEIGHT in out.columns else len(out.columns)
        out.insert(at, DESIGN_WEIGHT, w0)
    out[WEIGHT] = w  # full precision: the variance is computed from these numbers
    return out


def _write(frame: pd.DataFrame, output: Path, info, force: bool) -> None:
    with atomic_path(output, overwrite=force) as tmp:
        if output.suffix.lower() == ".parquet":
            frame.to_parquet(tmp, index=False)
        else:
            try:
                write_csv(frame, tmp, sep=info.delimiter or ",", decimal=info.decimal or ".",
                          encoding=info.encoding or "utf-8", lineterminator="\n")
            except UnicodeEncodeError:
                raise OutputError(f"the survey's text cannot be written in {info.encoding}",
                                  hint="convert the survey to UTF-8 first") from None


def _write_model(output: Path, method: str, variance: str, margins: tuple[Margin, ...], fit: Fit,
                 source_sha: str, enrol: Enrolment, force: bool) -> Path:
    model = base_manifest() | {
        "format": FORMAT,
        "method": method,
        "variance": variance,
        "weighted_file": output.name,
        "weighted_sha256": file_sha256(output),
        "source_sha256": source_sha,
        "enrolment": {"file": enrol.path.name, "sha256": enrol.sha256},
        "rows": int(fit.weights.size),
        "iterations": fit.iterations,
        "bounds": None if fit.bounds is None else [fit.bounds[0], fit.bounds[1]],
        "trimmed": fit.log_factors is None,
        "margins": [
            {"variables": list(m.variables), "labels": [list(lv) for lv in m.labels], "totals": m.totals.tolist(),
             "log_factors": (fit.log_factors[k].tolist() if fit.log_factors is not None else None),
             "misfit": fit.misfit[k]}
            for k, m in enumerate(margins)
        ],
    }
    target = model_path(output)
    with atomic_path(target, overwrite=True) as tmp:  # belongs to the weighted file just written
        tmp.write_text(json.dumps(model, indent=1, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")
    return target
