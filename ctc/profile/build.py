"""``ctc baseline build``: a baseline file from a reference survey."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..instrument import load_instrument
from ..instrument.model import Instrument
from ..io.atomic import atomic_path
from ..io.read import ReadOptions
from ..pipeline import run
from .baseline import build_baseline
from .estimate import estimate
from .indicators import indicators
from .options import ProfileOptions, SuppressionRules
from .run import keep_profile_columns
from ..release.protect import protect_profile
from ..release.publish import profile_rules
from ..release.csvsafe import write_csv


@dataclass(frozen=True)
class BuildResult:
    path: Path
    rows: int
    respondents: int
    excluded: int


def build_baseline_file(survey: str | Path, output: str | Path, *, source: str, year: int,
                        instrument: str | Path | Instrument = "ctc-youth-survey", min_n: int = 20,
                        mapping: str | Path | None = None, read: ReadOptions | None = None,
                        overwrite: bool = False) -> BuildResult:
    inst = load_instrument(instrument)
    result = run(survey, inst, mapping=Path(mapping) if mapping else None, read=read, keep=keep_profile_columns)
    scored = result.kept.assign(municipality="reference")  # the whole reference population is one group
    rules = SuppressionRules(min_n=min_n)
    table, _ = protect_profile(estimate(scored, indicators(inst), ProfileOptions(suppression=rules)), list(inst.genders or {}),
                               profile_rules(rules))
    frame = build_baseline(table, source=source, year=year)
    with atomic_path(output, overwrite=overwrite) as tmp:
        write_csv(frame, tmp)
    return BuildResult(Path(output), len(frame), result.rows, result.excluded)
