"""Reading the waves: one file with a wave column, or one file per wave.

Every file goes through the same pipeline as ``ctc profile`` (column mapping, checks,
screening, scoring) with its own instrument version; the profile's checks refuse a
file that is from another questionnaire, has unusable weights or nothing to analyse.
The waves are then stacked into one frame with a ``wave`` column (text) and ordered
oldest first — they must be numbers (years) for the trend's polynomial scores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import UsageError
from ..instrument.model import Instrument
from ..io.read import ReadOptions
from ..pipeline import PipelineResult, run
from ..profile.guard import check_items, check_profilable, check_weights

WAVE_HINT = ("give one file with a wave column (mapped as '@wave,<column>' in --mapping if it has another name), "
             "or one file per wave with --waves YEAR,YEAR,...")


@dataclass
class Waves:
    frame: pd.DataFrame  # stacked profile columns of every wave, "wave" as text
    waves: tuple[str, ...]  # oldest first
    instruments: dict[str, Instrument]  # wave → instrument it was scored with
    weighted: bool
    results: list[PipelineResult] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)  # for the manifest


def _keep(scored: Any) -> pd.DataFrame:
    from ..profile.run import keep_profile_columns

    return keep_profile_columns(scored)


def _read_one(path: Path, inst: Instrument, *, mapping: Path | None, read: ReadOptions | None,
              unweighted: bool) -> PipelineResult:
    roles = {"weight": None} if unweighted else None
    result = run(path, inst, mapping=mapping, read=read, roles=roles, inspect=lambda source, cmap: check_items(inst, cmap),
                 keep=_keep)
    used = result.columns.role("weight")
    if used:
        check_weights(result, used)
    check_profilable(result, inst)
    return result


def _order(waves: list[str]) -> list[str]:
    numbers = pd.to_numeric(pd.Series(waves, dtype="str"), errors="coerce")
    if numbers.isna().any():
        bad = [w for w, n in zip(waves, numbers) if pd.isna(n)]
        raise UsageError(f"wave(s) {', '.join(bad)} are not numbers, so their order is not known",
                         "write the waves as years (2022, 2024) in the wave column or in --waves")
    return [w for _, w in sorted(zip(numbers, waves))]


def read_waves(paths: list[Path], instruments: list[Instrument], *, wave_labels: list[str] | None = None,
               mapping: Path | None = None, read: ReadOptions | None = None, unweighted: bool = False) -> Waves:
    """Read, score and stack the waves (see module docstring)."""
    if len(instruments) not in (1, len(paths)):
        raise UsageError(f"{len(instruments)} instruments for {len(paths)} files",
                         "give one --instrument for all files, or one per file in the same order")
    if wave_labels is not None and len(wave_labels) != len(paths):
        raise UsageError(f"--waves names {len(wave_labels)} waves for {len(paths)} files", "give one wave per file")
    parts, results, files, by_wave = [], [], [], {}
    for k, path in enumerate(paths):
        inst = instruments[k if len(instruments) > 1 else 0]
        result = _read_one(path, inst, mapping=mapping, read=read, unweighted=unweighted)
        kept, result.kept = result.kept, None  # the stacked frame is the only copy kept (not one per result too)
        has_waves = "wave" in kept.columns and not kept["wave"].isna().all()
        if wave_labels is not None and has_waves:
            raise UsageError(f"{path.name} has a wave column (waves {', '.join(sorted(kept['wave'].dropna().astype(str).unique()))}), "
                             "so --waves cannot apply", "leave out --waves, or give files without a wave column")
        if wave_labels is not None:
            kept["wave"] = str(wave_labels[k]).strip()
        elif "wave" not in kept.columns or kept["wave"].isna().all():
            raise UsageError(f"{path.name} has no wave column", WAVE_HINT)
        kept["wave"] = kept["wave"].astype("string").str.strip()
        if kept["wave"].isna().any():
            raise UsageError(f"{int(kept['wave'].isna().sum()):,} rows of {path.name} have no wave", "fill in the wave of every row")
        present = sorted(kept["wave"].unique())
        for w in present:
            if w in by_wave:
                raise UsageError(f"wave {w} is in {path.name} and in {by_wave[w][0]}", "give every wave in one file only")
            by_wave[w] = (path.name, inst)
        files.append({"file": path.name, "sha256": result.source.sha256, "rows": result.rows,
                      "excluded": result.excluded, "waves": present, "instrument": f"{inst.id} {inst.version}"})
        parts.append(kept)
        results.append(result)
    waves = _order(list(by_wave))
    if len(waves) < 2:
        raise UsageError(f"only one wave ({waves[0]}) in the input: there is nothing to compare", WAVE_HINT)
    has_weight = ["weight" in p.columns and bool(p["weight"].notna().any()) for p in parts]
    if any(has_weight) and not all(has_weight):
        raise UsageError("some files have weights and others do not", "pass --unweighted to compare without weights, "
                         "or give weights for every wave")
    # one file: its frame as it is (copy-on-write), not a copy of it next to the original
    frame = parts[0].reset_index(drop=True) if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    del parts
    return Waves(frame, tuple(waves), {w: by_wave[w][1] for w in waves}, all(has_weight), results, files)
