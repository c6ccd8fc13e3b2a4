"""A survey office's published table as a baseline (``ctc baseline import``), and the
cut-points a baseline assumes.

A published table gives % at risk per indicator and grade (optionally gender), with the
number of respondents or the standard error when published. The imported baseline
records, in an additive column ``cutpoints``, the cut-point each row assumes — e.g.
``ctc-youth-survey 2026.1: score above 2.5`` — taken from the instrument the office
named. A profile compares a row only when its own instrument uses the same cut-point;
otherwise :func:`check_cutpoints` refuses with the reason (docs/baseline-format.md).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, DefinitionError
from ..instrument.model import Instrument
from ..io.atomic import atomic_path
from ..io.read import read_survey
from ..release.csvsafe import write_csv
from .estimate import ALL

__all__ = ["check_cutpoints", "cutpoint_label", "import_table"]

CUTPOINTS = "cutpoints"
SE = "se"


def _scale_rule(scale, grade: str) -> str:  # noqa: ANN001
    relation = ">" if scale.direction == "above" else "≥"
    if isinstance(scale.cutpoint, dict):
        if grade == ALL:
            parts = ", ".join(f"{g}: {relation} {c:g}" for g, c in sorted(scale.cutpoint.items()))
            return f"{scale.method} score, per grade {{{parts}}}"
        c = scale.cutpoint.get(int(grade))
        return f"{scale.method} score {relation} {c:g}" if c is not None else f"{scale.method} score, no cut-point in grade {grade}"
    return f"{scale.method} score {relation} {float(scale.cutpoint):g}"


def cutpoint_label(inst: Instrument, indicator_type: str, indicator_id: str, grade: str) -> str:
    """What defines "at risk" for one row: the scale's cut-point (or the outcome's rule)."""
    if indicator_type == "outcome":
        o = next((o for o in inst.outcomes if o.id == indicator_id), None)
        rule = "unknown" if o is None else f"{getattr(o, 'rule', '?')} {getattr(o, 'value', '')}".strip()
        return f"{inst.id} {inst.version}: {rule}"
    s = next((s for s in inst.scales if s.id == indicator_id), None)
    return f"{inst.id} {inst.version}: " + ("unknown scale" if s is None else _scale_rule(s, grade))


def _rule_part(label: str) -> str:
    """The rule without the instrument name and version: two versions may share a cut-point."""
    return label.split(": ", 1)[1] if ": " in label else label


def check_cutpoints(table: pd.DataFrame, inst: Instrument, source: str) -> None:
    """Refuse a baseline whose rows assume other cut-points than the instrument's."""
    if CUTPOINTS not in table.columns:
        return
    for row in table.itertuples(index=False):
        assumed = str(getattr(row, CUTPOINTS) or "").strip()
        if not assumed:
            continue
        ours = cutpoint_label(inst, row.indicator_type, row.indicator_id, str(row.grade))
        if _rule_part(assumed) != _rule_part(ours):
            raise DefinitionError(
                f"baseline {source} assumes other cut-points than the instrument: {row.indicator_type}/{row.indicator_id} "
                f"grade {row.grade} is '{assumed}' there but '{ours}' here, so its % at risk counts other students "
                "and a comparison would mislead",
                hint="profile with the instrument the baseline was made with (-i FILE), or import or build the baseline "
                     "under the instrument's cut-points")


def import_table(table_path: str | Path, output: str | Path, inst: Instrument, *, source: str, year: int,
                 assumes: Instrument, force: bool = False) -> pd.DataFrame:
    """Convert a published table (columns ``indicator``, ``grade``, ``pct`` and optionally
    ``indicator_type``, ``gender``, ``n``, ``se``) into a baseline file for ``inst``.

    ``assumes``: the instrument (version) whose cut-points the published numbers use. With
    an SE and no n, n is the effective sample size p(1−p)/SE² (the baseline's sampling
    error in the tests); the SE is kept in column ``se``.
    """
    _, frame = read_survey(table_path)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in ("indicator", "grade", "pct") if c not in frame.columns]
    if missing:
        raise DataError(f"{Path(table_path).name} lacks column(s) {', '.join(missing)}",
                        hint="a published table needs indicator, grade and pct (and optionally indicator_type, gender, n, se)")
    ids = {s.id: s.kind for s in inst.scales} | {o.id: "outcome" for o in inst.outcomes}
    out = pd.DataFrame({
        "indicator_id": frame["indicator"].astype(str).str.strip(),
        "grade": frame["grade"].astype("string").fillna("").str.strip().replace({"": ALL}).str.lower(),
        "gender": frame["gender"].astype("string").fillna("").str.strip().replace({"": ALL}) if "gender" in frame else ALL,
    })
    unknown = sorted(set(out["indicator_id"]) - set(ids))
    if unknown:
        raise DataError(f"{Path(table_path).name}: indicator {unknown[0]!r} is not a scale or outcome of {inst.id}",
                        hint="use the instrument's scale and outcome ids in column 'indicator'")
    out.insert(0, "indicator_type", frame["indicator_type"].astype(str).str.strip() if "indicator_type" in frame
               else out["indicator_id"].map(ids))
    pct = pd.to_numeric(frame["pct"].astype(str).str.replace(",", ".", regex=False).str.strip(), errors="coerce")
    if pct.isna().any() or ((pct < 0) | (pct > 100)).any():
        raise DataError(f"{Path(table_path).name}: every pct must be a number from 0 to 100",
                        hint="write percentages, e.g. 31.2 (not 0.312 or '31 %')")
    out["pct"] = pct
    n = _numbers(frame, "n")
    se = _numbers(frame, SE)
    if se is not None:
        se_frac = se / 100.0  # published in percentage points like pct
        p = pct / 100.0
        with np.errstate(divide="ignore", invalid="ignore"):
            eff = np.round(p * (1 - p) / se_frac**2)
        n = eff.where(n.isna(), n) if n is not None else eff
    out["n"] = pd.array(n.round() if n is not None else [pd.NA] * len(out), dtype="Int64")
    out["source"] = source
    out["year"] = year
    out[CUTPOINTS] = [cutpoint_label(assumes, t, i, g) for t, i, g in zip(out["indicator_type"], out["indicator_id"],
                                                                        out["grade"], strict=True)]
    if se is not None:
        out[SE] = se
    with atomic_path(output, overwrite=force) as tmp:
        write_csv(out, tmp, lineterminator="\n")
    return out


def _numbers(frame: pd.DataFrame, column: str) -> pd.Series | None:
    if column not in frame.columns:
        return None
    text = frame[column].astype("string").fillna("").str.replace(",", ".", regex=False).str.strip()
    values = pd.to_numeric(text.mask(text == ""), errors="coerce").astype(float)
    bad = values.isna() & (text != "")
    if bad.any() or (values < 0).any():
        raise DataError(f"column {column!r} must hold numbers ≥ 0 or be empty", hint=f"check the {column} values")
    return values
