"""``ctc cutpoints derive``: a reference sample in, a new instrument version and a
comparison report out (docs/cutpoints.md)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from ..errors import DataError, UsageError
from ..instrument import load_instrument
from ..instrument.load import load_instrument_file, shipped_instruments
from ..io.read import ReadOptions
from ..pipeline import run as run_pipeline
from .derive import METHODS, Derived, DeriveOptions, derive_all
from .write import write_instrument

__all__ = ["CutpointResult", "derive_cutpoints", "parse_outcomes", "reference_frame"]


@dataclass
class CutpointResult:
    output: Path
    version: str
    derived: list[Derived]  # every method, for the comparison
    comparison: pd.DataFrame
    report_html: Path
    report_csv: Path
    n: int
    seconds: float


def parse_outcomes(specs: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """``("family_conflict=alcohol_30d,cigarettes_30d", ...)`` → {scale: outcomes}."""
    out: dict[str, tuple[str, ...]] = {}
    for spec in specs:
        scale, sep, rest = spec.partition("=")
        if not sep or not scale.strip() or not rest.strip():
            raise UsageError(f"--outcome must be SCALE=OUTCOME[,OUTCOME…], got {spec!r}",
                             hint="e.g. --outcome family_conflict=alcohol_30d,cigarettes_30d")
        out[scale.strip()] = tuple(o.strip() for o in rest.split(",") if o.strip())
    return out


def _instrument_file(ref: str | Path) -> Path:
    shipped = shipped_instruments()
    return Path(shipped[str(ref)]) if str(ref) in shipped else Path(ref)


def reference_frame(path: Path, inst, read: ReadOptions | None = None) -> pd.DataFrame:  # noqa: ANN001
    """Scores, outcomes, grade and school of the respondents the screening keeps."""
    def keep(scored):  # noqa: ANN001, ANN202
        return scored.to_pandas(lambda c: c in ("grade", "school", "excluded") or c.startswith(("score.", "outcome.")))

    result = run_pipeline(path, inst, read=read, keep=keep)
    frame = result.kept
    frame = frame[~frame["excluded"].to_numpy(dtype=bool)].reset_index(drop=True)
    if frame.empty:
        raise DataError(f"{path.name} has no respondent left after screening", hint="check the reference sample")
    return frame


def _check(inst, opts: DeriveOptions, frame: pd.DataFrame) -> None:  # noqa: ANN001
    scales = {s.id for s in inst.scales}
    outcomes = {o.id for o in inst.outcomes}
    for scale, ids in (opts.outcomes or {}).items():
        if scale not in scales:
            raise UsageError(f"--outcome names scale {scale!r}, which the instrument lacks",
                             hint=f"scales: {', '.join(sorted(scales))[:200]}")
        bad = [o for o in ids if o not in outcomes]
        if bad:
            raise UsageError(f"--outcome names outcome {bad[0]!r}, which the instrument lacks",
                             hint=f"outcomes: {', '.join(sorted(outcomes))[:200]}")
    if opts.clustered and ("school" not in frame.columns or frame["school"].isna().all()):
        raise UsageError("--design clusters needs a school column in the reference sample",
                         hint="map a school column, or use --design census (students resampled)")


def derive_cutpoints(reference: str | Path, output: str | Path, *, instrument: str | Path = "ctc-youth-survey",
                     options: DeriveOptions | None = None, read: ReadOptions | None = None, lang: str = "en",
                     today: datetime | None = None) -> CutpointResult:
    started = time.perf_counter()
    opts = options or DeriveOptions()
    reference, output = Path(reference), Path(output)
    if output.exists():
        raise UsageError(f"{output} already exists; derived cut-points are always written to a new instrument file",
                         hint="choose a new file name for the new instrument version")
    if output.suffix.lower() not in (".yaml", ".yml"):
        raise UsageError("the new instrument must be a .yaml file", hint="e.g. -o ctc-youth-survey-2027.yaml")
    source = _instrument_file(instrument)
    inst = load_instrument_file(source) if source.exists() else load_instrument(instrument)
    frame = reference_frame(reference, inst, read)
    _check(inst, opts, frame)
    has_outcomes = bool(inst.outcomes)
    methods = tuple(m for m in METHODS if m != "roc" or has_outcomes or opts.method == "roc")
    derived = derive_all(frame, inst, opts, methods)
    from ..manifest import file_sha256

    sha = file_sha256(reference) or ""
    day = (today or datetime.now(UTC)).date()
    version = write_instrument(source, output, derived, opts, reference=reference, sha256=sha, today=day,
                               resampled="schools" if opts.clustered else "students")
    load_instrument_file(output)  # the new version must load (ctc instrument check accepts it)
    from .report import comparison_table, write_report

    table = comparison_table(inst, load_instrument_file(output), frame, derived, opts)
    html, csv = write_report(table, output, opts, lang=lang, version=version, reference=reference.name)
    return CutpointResult(output, version, derived, table, html, csv, len(frame), time.perf_counter() - started)
