"""The calibration model written beside a weighted survey (``<stem>.calibration.json``),
and its use by ``ctc profile``: what the calibration-aware variance needs.

The file names the method, every margin (variables, levels, totals, the log of each
level's cumulative weight factor) and the SHA-256 of the weighted survey it belongs to.
From it and a respondent's grouping values the profile recovers the level codes and —
for ``calibrate`` — the design weight w0 = w/g with g = clip(exp(Σ_m log_factor)).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..manifest import file_sha256
from ..stats.calibration import Calibration
from .enrolment import group_keys

FORMAT = "ctc-calibration/1"

__all__ = ["FORMAT", "calibration_for", "find_model", "load_model", "model_path"]


def model_path(weighted: str | Path) -> Path:
    """``survey.weighted.csv`` → ``survey.weighted.calibration.json`` (beside it)."""
    p = Path(weighted)
    return p.with_name(f"{p.stem}.calibration.json")


def find_model(survey: str | Path) -> Path | None:
    """The calibration model beside a survey file, if ``ctc weights`` wrote one."""
    path = model_path(survey)
    return path if path.is_file() else None


def load_model(path: str | Path, survey: str | Path | None = None) -> dict[str, Any]:
    """Read a calibration model; with ``survey``, check that it belongs to that file."""
    try:
        model = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read the calibration model {path}: {exc}",
                        hint="Run ctc weights again to write it.") from None
    if not isinstance(model, dict) or model.get("format") != FORMAT:
        raise DataError(f"{path} is not a calibration model of this toolkit ({FORMAT})",
                        hint="Remove it, or run ctc weights again.")
    if survey is not None and file_sha256(Path(survey)) != model.get("weighted_sha256"):
        raise DataError(f"{Path(survey).name} was changed after ctc weights wrote it, so its calibration model "
                        f"({Path(path).name}) no longer describes it",
                        hint="Run ctc weights again on the original survey, or remove the .calibration.json file "
                        "to estimate without calibration-aware standard errors.")
    return model


def calibration_for(frame: pd.DataFrame, model: dict[str, Any]) -> Calibration:
    """The :class:`Calibration` of some respondents (e.g. one municipality) from their grouping
    values and calibrated ``weight`` column."""
    w = frame["weight"].to_numpy(dtype=np.float64, na_value=np.nan)
    codes, log_g = [], np.zeros(len(frame))
    for m in model["margins"]:
        variables = m["variables"]
        missing = [v for v in variables if v not in frame.columns]
        if missing:
            raise DataError(f"the calibration model groups by {missing[0]!r}, which the profile's data lack",
                            hint="Map that column (see --mapping), or profile without the calibration model.")
        keys = pd.MultiIndex.from_frame(pd.DataFrame({v: group_keys(frame[v], v) for v in variables}))
        index = pd.MultiIndex.from_tuples([tuple(x) for x in m["labels"]], names=variables)
        code = index.get_indexer(keys)
        if (code < 0).any():
            raise DataError(f"{int((code < 0).sum())} respondent(s) are in no cell of the calibration model "
                            f"({' × '.join(variables)})", hint="Run ctc weights again on this survey.")
        codes.append(code.astype(np.intp))
        log_g += np.asarray(m["log_factors"], dtype=np.float64)[code]
    lo, hi = model.get("bounds") or (0.0, np.inf)
    g = np.clip(np.exp(log_g), lo, hi if hi is not None else np.inf)
    return Calibration(model["variance"], tuple(codes), w, w / g)


def with_calibration(options: Any, survey: str | Path) -> Any:
    """Profile options with the calibration model beside ``survey`` (when ``ctc weights``
    wrote one and the weights are used); the model is checked to belong to the file."""
    from dataclasses import replace

    if options.unweighted or options.calibration is not None:
        return options
    found = find_model(survey)
    if found is None:
        return options
    load_model(found, survey)
    return replace(options, calibration=str(found))


@lru_cache(maxsize=4)
def _cached(path: str) -> dict[str, Any]:
    return load_model(path)


def calibrated_estimates(est: Any, y: np.ndarray, design: Any, domains: Any, frame: pd.DataFrame, path: str) -> Any:
    """The profile hook: ``est`` of one design (a municipality or the whole file) with the
    SEs of the calibrated design (:func:`ctc.stats.calibration.calibrated_domain_estimates`)."""
    from ..stats.calibration import calibrated_domain_estimates

    model = _cached(path)
    calibration = calibration_for(frame, model)
    if not np.allclose(calibration.weights, design.weights, rtol=1e-12, atol=0.0):
        raise DataError("the profile's weights are not the calibrated weights of the calibration model",
                        hint="Profile the file ctc weights wrote, with its weight column, or remove the .calibration.json file.")
    return calibrated_domain_estimates(y, design, domains, est, calibration)
