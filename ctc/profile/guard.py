"""What a profile run analyses, and refusing a run that has nothing to analyse.

Called by :func:`ctc.profile.run.profile` around the pipeline (``guarded_run``):

* before any row is scored: the data must have a column for most instrument items
  (a file from another questionnaire is refused, not profiled as "all missing");
* the weights are used only when every one is valid (``--unweighted`` drops the weight
  column before scoring, so estimation never sees it);
* a file with more than one survey wave is never pooled: the latest wave (or the one
  named by ``--wave``) is profiled, the others are left out and the run says so;
* after scoring: at least one municipality must have questionnaires that passed
  screening, else one error says why (grade format, municipality column, screening).

Messages are built here in English, worded as whole sentences so that a message
catalogue can translate them later.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, UsageError
from ..instrument.model import Instrument
from ..io.mapping import ColumnMap
from ..io.read import ReadOptions, SourceInfo, to_number
from ..pipeline import PipelineResult, run
from ..scoring.audit import audit_counts
from .options import ProfileOptions

#: Share of instrument items that may lack a data column before the file is refused. It is
#: the instrument's own ``missing_share_above`` screening share when it has one (the
#: shipped survey: 0.5): above it, that rule would exclude every questionnaire anyway.
DEFAULT_MISSING_SHARE = 0.5
MAPPING_HINT = "'ctc map suggest DATAFILE -o map.csv' writes a mapping template to start from"


@dataclass(frozen=True)
class Selection:
    """Which rows and weights a profile run used; recorded in the manifest (``input.selection``)."""

    waves: tuple[str, ...] = ()  # wave values in the file, oldest first
    wave: str | None = None  # the profiled wave (None: no wave column)
    wave_chosen: str | None = None  # "only wave" | "latest" | "--wave"
    rows_left_out: int = 0  # rows of other waves or without a wave
    weight_column: str | None = None
    weights: str = "none"  # "used" | "none" (no weight column) | "ignored" (--unweighted)

    def to_dict(self) -> dict[str, Any]:
        return {"waves": list(self.waves), "wave": self.wave, "wave_chosen": self.wave_chosen,
                "rows_left_out": self.rows_left_out, "weight_column": self.weight_column, "weights": self.weights}


def guarded_run(input_path: str | Path, inst: Instrument, options: ProfileOptions, *, mapping: Path | None = None,
                read: ReadOptions | None = None, progress: Callable[[int], None] | None = None,
                mapper: Any = None) -> tuple[PipelineResult, Selection]:
    """The pipeline with the checks above; the result holds only the profiled rows.
    ``mapper``: where the chunks are scored (:func:`ctc.pipeline.run`)."""
    roles = {"weight": None} if options.unweighted else None
    weight_column: list[str | None] = [None]

    def inspect(source: SourceInfo, cmap: ColumnMap) -> None:
        check_items(inst, cmap)
        weight_column[0] = _weight_column(inst, source, mapping, options.unweighted)
        if options.wave is not None and cmap.role("wave") is None:
            raise UsageError(f"--wave {options.wave} was given, but the data has no wave column",
                             "name the wave column in a mapping file (a row '@wave,<column>') and pass it with --mapping")

    result = run(input_path, inst, mapping=mapping, read=read, progress=progress, roles=roles, inspect=inspect, mapper=mapper,
                 keep=_keep)
    if result.remote is not None:  # the kept columns stayed on the Dask workers
        summary = result.remote.summary()
        if _remote_fits(summary, options):
            used = result.columns.role("weight")
            waves = tuple(summary.waves)  # select_wave with one wave (or none) in the file
            selection = (Selection(waves=waves, wave=waves[0] if waves else None, wave_chosen="only wave")
                         if "wave" in summary.columns else Selection())
            selection = replace(selection, weight_column=used or weight_column[0],
                                weights="ignored" if options.unweighted else ("used" if used else "none"))
            return result, selection
        # anything beyond the plain case (several waves, a failed guard, design columns, calibration):
        # the rows come to this process and the checks below run as in the in-process engine
        result = replace(result, kept=result.remote.gather(), remote=None)
    result, selection = select_wave(result, inst, options.wave)
    used = result.columns.role("weight")
    selection = replace(selection, weight_column=used or weight_column[0],
                        weights="ignored" if options.unweighted else ("used" if used else "none"))
    if used:
        check_weights(result, used)
    check_profilable(result, inst)
    return result, selection


#: columns whose checks (check_population_sizes) and uses need the rows in this process
_ROWS_NEEDED = ("stratum", "schools_population", "enrolled")


def _remote_fits(summary: Any, options: ProfileOptions) -> bool:
    """The run can go on with the rows on the workers: at most one wave (no --wave), every
    weight valid, something to profile, no calibration model and no declared design columns."""
    return (options.wave is None and len(summary.waves) <= 1 and summary.weight_invalid == 0
            and summary.rows > 0 and summary.municipality_any and summary.grade_any and summary.included_any
            and summary.included_municipality_any and options.calibration is None
            and not any(c in summary.columns for c in _ROWS_NEEDED))


def _keep(scored: Any) -> pd.DataFrame:
    from .run import keep_profile_columns

    return keep_profile_columns(scored)


# --------------------------------------------------------------------------- items


def missing_share_limit(inst: Instrument) -> float:
    shares = [float(r.share) for r in inst.validity if getattr(r, "rule", None) == "missing_share_above"]
    return min(shares) if shares else DEFAULT_MISSING_SHARE


def check_items(inst: Instrument, cmap: ColumnMap) -> None:
    """Refuse a file that lacks a column for most of the instrument's items."""
    absent, total = cmap.absent_items, len(cmap.items)
    limit = missing_share_limit(inst)
    if total == 0 or len(absent) <= limit * total:
        return
    shown = ", ".join(absent[:5]) + (", ..." if len(absent) > 5 else "")
    raise DataError(
        f"{len(absent)} of {total} item columns of instrument '{inst.id}' (version {inst.version}) are not in the data "
        f"(first: {shown}): the file is probably from another questionnaire or another version of it",
        f"pass the matching instrument with --instrument, or name the item columns in a mapping file "
        f"passed with --mapping; {MAPPING_HINT}")


# --------------------------------------------------------------------------- weights


def _weight_column(inst: Instrument, source: SourceInfo, mapping: Path | None, unweighted: bool) -> str | None:
    """With --unweighted: the weight column that is being ignored (there must be one)."""
    if not unweighted:
        return None
    from ..io.mapping import resolve_columns

    cmap, _ = resolve_columns(inst, source.columns, mapping=mapping)
    column = cmap.role("weight")
    if column is None:
        raise UsageError("--unweighted was given, but the data has no weight column (the run is unweighted anyway)",
                         "leave out --unweighted")
    return column


def _reason(value: Any, decimal: str) -> str:
    if value is None or pd.isna(value) or str(value).strip() == "":
        return "missing"
    number = float(to_number(pd.Series([str(value)]), decimal).iloc[0])
    if not np.isfinite(number):
        return "not a number"
    return "zero" if number == 0 else "negative"


def check_weights(result: PipelineResult, column: str) -> None:
    """Every weight of the profiled rows must be a number > 0 (the pipeline set invalid ones to NaN)."""
    weights = result.kept["weight"] if result.kept is not None and "weight" in result.kept else pd.Series(dtype=float)
    bad = weights.isna().to_numpy()
    if not bad.any():
        return
    rows = result.kept.index[bad]
    detail = result.checks.detail("invalid-weight")
    detail = detail[detail["row"].isin(rows + 1)]
    reasons = pd.Series([_reason(v, result.source.decimal) for v in detail["value"]], dtype="str").value_counts()
    how = ", ".join(f"{n:,} {r}" for r, n in reasons.items())
    if len(detail) < int(bad.sum()):
        how = f"among the first {len(detail):,} listed: {how}"
    hint = ("fix the weights in the data (every weight must be a number greater than 0), or pass --unweighted "
            "to ignore the weight column and estimate without weights")
    if bad.all():
        raise DataError(f"no usable weight in column '{column}': all {len(bad):,} weights are invalid ({how})", hint)
    raise DataError(f"{int(bad.sum()):,} of {len(bad):,} weights in column '{column}' are invalid ({how}; "
                    f"first at data row {int(rows[0]) + 1})", hint)


# --------------------------------------------------------------------------- waves


def _wave_order(waves: list[str]) -> list[str] | None:
    """Waves oldest first when they are all numbers (years, 1/2/3), else None."""
    numbers = pd.to_numeric(pd.Series(waves, dtype="str"), errors="coerce")
    if numbers.isna().any():
        return None
    return [w for _, w in sorted(zip(numbers, waves))]


def select_wave(result: PipelineResult, inst: Instrument, wave: str | None) -> tuple[PipelineResult, Selection]:
    kept = result.kept
    if kept is None or "wave" not in kept.columns:
        return result, Selection()
    column = result.columns.role("wave")
    values = kept["wave"].astype("string")
    present = sorted(values.dropna().unique())
    order = _wave_order(present) or present
    if wave is not None:
        chosen = _match_wave(wave, present, column)
        how = "--wave"
    elif len(present) <= 1:
        return result, Selection(waves=tuple(present), wave=present[0] if present else None, wave_chosen="only wave")
    elif _wave_order(present) is None:
        raise UsageError(f"the wave column '{column}' holds {len(present)} waves ({', '.join(present)}) that are not "
                         "numbers, so the latest one is not known", "choose the wave to profile with --wave")
    else:
        chosen, how = order[-1], "latest"
    rows = (values == chosen).fillna(False).to_numpy()
    part = kept[rows]
    selection = Selection(waves=tuple(order), wave=chosen, wave_chosen=how, rows_left_out=int((~rows).sum()))
    audit = audit_counts(part, inst) if len(part) else result.audit.iloc[:0]
    return replace(result, kept=part, audit=audit, rows=len(part), excluded=int(part["excluded"].sum())), selection


def _match_wave(wave: str, present: list[str], column: str | None) -> str:
    wanted = str(wave).strip()
    if wanted in present:
        return wanted
    numbers = {w: pd.to_numeric(w, errors="coerce") for w in present}
    hit = [w for w, n in numbers.items() if pd.notna(n) and n == pd.to_numeric(wanted, errors="coerce")]
    if len(hit) == 1:
        return hit[0]
    raise UsageError(f"wave '{wanted}' is not in the wave column '{column}'; waves in the file: {', '.join(present) or 'none'}",
                     "pass --wave with one of these")


# --------------------------------------------------------------------------- anything left?


def check_profilable(result: PipelineResult, inst: Instrument) -> None:
    """At least one municipality with a questionnaire that passed screening, or one error saying why."""
    kept = result.kept
    if kept is None or len(kept) == 0:
        raise DataError("no questionnaires to profile", "check the input file")
    cmap = result.columns
    if kept["municipality"].isna().all():
        raise DataError(f"the municipality column '{cmap.municipality}' is empty in every row, so no municipality "
                        "can be profiled", f"name the column that holds the municipality with --mapping (a row "
                        f"'@municipality,<column>'); {MAPPING_HINT}")
    if kept["grade"].isna().all():
        examples = result.checks.detail("grade-out-of-range")["value"].dropna().unique()[:3]
        shown = f" (values such as {', '.join(repr(v) for v in examples)})" if len(examples) else ""
        grades = ", ".join(str(g) for g in inst.grades)
        raise DataError(f"no row has a valid grade in column '{cmap.grade}'{shown}; instrument '{inst.id}' expects "
                        f"the grades {grades} as numbers", "write the grades as plain numbers (7, not '7. Klasse'), "
                        "or name the right grade column with --mapping (a row '@grade,<column>')")
    included = ~kept["excluded"].to_numpy(dtype=bool)
    if not included.any():
        raise DataError(f"all {len(kept):,} questionnaires were excluded by screening ({_rule_counts(kept, inst)}), "
                        "so nothing can be profiled", _exclusion_hint(kept, inst))
    if kept.loc[included, "municipality"].isna().all():
        raise DataError("no questionnaire that passed screening names a municipality, so no municipality can be "
                        f"profiled (column '{cmap.municipality}')", "fill in the municipality, or map the right "
                        "column with --mapping (a row '@municipality,<column>')")


def _rule_flags(kept: pd.DataFrame, inst: Instrument) -> dict[str, int]:
    return {r.id: int(kept[f"screen.{r.id}"].sum()) for r in inst.validity if f"screen.{r.id}" in kept}


def _rule_counts(kept: pd.DataFrame, inst: Instrument) -> str:
    flags = sorted(_rule_flags(kept, inst).items(), key=lambda kv: -kv[1])
    return "; ".join(f"{rule}: {n:,}" for rule, n in flags if n) or "see screening.csv"


def _exclusion_hint(kept: pd.DataFrame, inst: Instrument) -> str:
    flags = _rule_flags(kept, inst)
    rules = {r.id: getattr(r, "rule", "") for r in inst.validity}
    top = max(flags, key=lambda k: flags[k]) if flags else None
    kind = rules.get(top or "", "")
    if kind == "missing_share_above":
        return ("most answers are missing: check that --instrument matches the questionnaire and its version, and that "
                f"the item columns are mapped (--mapping; {MAPPING_HINT})")
    if kind == "grade_not_in_instrument":
        return "write the grades as plain numbers of the instrument's grades, or map the right grade column with --mapping"
    return "see the screening rules in docs/scoring.md and the counts in 'ctc score' output's screening report"
