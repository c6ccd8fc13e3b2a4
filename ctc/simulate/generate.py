"""Generating the respondent-level survey in chunks.

Respondents are generated in fixed internal blocks of :data:`BLOCK_ROWS` rows, each
with its own generator derived from the run's seed and the block number, so the
answers do not depend on ``chunk_rows`` (chunks are only how blocks are cut for
writing). Memory stays at a few blocks whatever the number of respondents.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import UsageError
from ..instrument.load import load_instrument
from ..instrument.model import Instrument
from .calibrate import PlantedEffect, calibrate_locations, plant_shifts
from .design import STREAM_BLOCKS, Design, Frame, build_frame, resolve, stream
from .dirt import make_invalid, match_onset, missingness, repair
from .latent import Rows, codes_from_latents, drivers, effective_shift, item_latents
from .model import LatentSettings
from .options import SimulationOptions
from .plan import GenPlan, compile_plan

BLOCK_ROWS = 16_384
DEFAULT_CHUNK_ROWS = 100_000


@dataclass(frozen=True)
class Simulation:
    """Everything fixed before the first respondent is drawn: checked options, the
    calibrated plan, the sampling frame and the planted shifts."""

    instrument: Instrument
    options: SimulationOptions
    design: Design
    plan: GenPlan
    frame: Frame
    shifts: np.ndarray  # (wave, municipality) group × items: raw-latent shift
    planted: tuple[PlantedEffect, ...]

    @property
    def rows(self) -> int:
        return len(self.frame)

    @property
    def column_names(self) -> list[str]:
        return [*self.design.columns.values(), *self.plan.columns]

    def chunks(self, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[pd.DataFrame]:
        """The survey as DataFrames of ``chunk_rows`` rows (the last may be shorter)."""
        if chunk_rows < 1:
            raise UsageError(f"chunk_rows must be at least 1, got {chunk_rows}", "give a positive number of rows per chunk")
        pending: list[_Part] = []
        held = 0
        for start in range(0, self.rows, BLOCK_ROWS):
            stop = min(start + BLOCK_ROWS, self.rows)
            pending.append(_Part(start, *self.block(start, stop)))
            held += stop - start
            while held >= chunk_rows:
                held -= chunk_rows
                yield self.frame_of(_take(pending, chunk_rows))
        if held:
            yield self.frame_of(_take(pending, held))

    # ------------------------------------------------------------------ one block
    def block(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(codes, no answer, written as missing code), each items × rows, for rows start:stop."""
        plan, frame = self.plan, self.frame
        rng = stream(self.options.seed, STREAM_BLOCKS, start // BLOCK_ROWS)
        sl = slice(start, stop)
        cluster = frame.municipality_effect[:, frame.municipality[sl]] + frame.school_effect[:, frame.school[sl]]
        rows = Rows(frame.grade[sl].astype(np.float64), self.design.gender_roles[frame.gender[sl]], cluster)
        y = item_latents(plan, drivers(plan, rows, rng), rng)
        group = frame.group(sl)
        for g in np.unique(group):
            if self.shifts[g].any():
                cols = group == g
                y[:, cols] += effective_shift(plan, self.shifts[g])[:, None]
        codes = codes_from_latents(plan, y)
        del y
        repair(plan, codes)
        match_onset(plan, codes, frame.grade[sl])
        na, coded = missingness(plan, self.options, stop - start, rng)
        make_invalid(plan, frame.invalid[sl], codes, na, coded, self.options, rng)
        return codes, na, coded

    def frame_of(self, parts: list[_Part]) -> pd.DataFrame:
        """Assemble consecutive parts as a DataFrame with the instrument's column names
        (one item column at a time, so the chunk is never held twice)."""
        start = parts[0].start
        n = sum(p.width for p in parts)
        sl = slice(start, start + n)
        d, f = self.design, self.frame
        cols = d.columns
        data: dict[str, object] = {
            cols["respondent"]: np.arange(start + 1, start + n + 1, dtype=np.int64),
            cols["municipality"]: pd.array(np.array(d.municipalities, dtype=object)[f.municipality[sl]], dtype="str"),
            cols["school"]: pd.array(np.array(f.school_names, dtype=object)[f.school[sl]], dtype="str"),
            cols["grade"]: f.grade[sl].astype(np.int64),
            cols["gender"]: pd.array(np.array(d.genders, dtype=object)[f.gender[sl]], dtype="str"),
        }
        if "weight" in cols and f.weight is not None:
            data[cols["weight"]] = f.weight[sl]
        if "wave" in cols:
            data[cols["wave"]] = np.array(d.waves, dtype=np.int64)[f.wave[sl]]
        plan = self.plan
        for j, column in enumerate(plan.columns):
            codes = np.concatenate([p.codes[j] for p in parts]) if len(parts) > 1 else parts[0].codes[j]
            na = np.concatenate([p.na[j] for p in parts]) if len(parts) > 1 else parts[0].na[j]
            coded = np.concatenate([p.coded[j] for p in parts]) if len(parts) > 1 else parts[0].coded[j]
            if coded.any():
                codes = np.where(coded, plan.missing_codes[j][0], codes)
            dtype = pd.api.types.pandas_dtype(plan.dtypes[j])
            data[column] = pd.arrays.IntegerArray(codes.astype(dtype.numpy_dtype), na & ~coded)
        return pd.DataFrame(data, copy=False)


@dataclass(frozen=True)
class _Part:
    """Consecutive generated rows: codes, no-answer and missing-code masks (items × rows)."""

    start: int
    codes: np.ndarray
    na: np.ndarray
    coded: np.ndarray

    @property
    def width(self) -> int:
        return int(self.codes.shape[1])

    def split(self, n: int) -> tuple[_Part, _Part]:
        head = _Part(self.start, self.codes[:, :n], self.na[:, :n], self.coded[:, :n])
        tail = _Part(self.start + n, self.codes[:, n:], self.na[:, n:], self.coded[:, n:])
        return head, tail


def _take(pending: list[_Part], n: int) -> list[_Part]:
    """Remove the first ``n`` rows from the pending parts (which are in row order)."""
    taken: list[_Part] = []
    while n:
        part = pending[0]
        if part.width <= n:
            taken.append(pending.pop(0))
            n -= part.width
        else:
            head, pending[0] = part.split(n)
            taken.append(head)
            n = 0
    return taken


class _PlanKey:
    """Cache key: an instrument's content and the model settings (equal content → equal key)."""

    def __init__(self, inst: Instrument, settings: LatentSettings) -> None:
        self.inst, self.settings = inst, settings
        self.text = inst.model_dump_json()

    def __hash__(self) -> int:
        return hash((self.text, self.settings))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _PlanKey) and (self.text, self.settings) == (other.text, other.settings)


@lru_cache(maxsize=8)
def _calibrated_plan(key: _PlanKey) -> GenPlan:
    """The calibrated plan is a pure function of instrument and settings; calibrating takes
    about half a second, so repeated runs in one process (tests, notebooks) share it."""
    plan = calibrate_locations(compile_plan(key.inst, key.settings), key.settings)
    for value in plan.__dict__.values():  # shared between runs: make every array read-only
        for arr in value if isinstance(value, tuple) else (value,):
            if isinstance(arr, np.ndarray):
                arr.flags.writeable = False
    return plan


def prepare(instrument: Instrument | str | Path, options: SimulationOptions | None = None) -> Simulation:
    """Check the options, calibrate the model and build the sampling frame."""
    inst = load_instrument(instrument)
    opts = options or SimulationOptions()
    plan = compile_plan(inst, opts.model)
    design = resolve(inst, opts, plan)
    plan = _calibrated_plan(_PlanKey(inst, opts.model))
    frame = build_frame(plan, design, opts)
    shifts, planted = plant_shifts(plan, inst, design, frame, opts.seed, opts.model, opts.plant_level)
    return Simulation(inst, opts, design, plan, frame, shifts, planted)


def generate_chunks(
    instrument: Instrument | str | Path, options: SimulationOptions | None = None, chunk_rows: int = DEFAULT_CHUNK_ROWS
) -> Iterator[pd.DataFrame]:
    """The simulated survey as DataFrames of at most ``chunk_rows`` rows.

    The same instrument and options always give the same rows, whatever ``chunk_rows``.
    """
    return prepare(instrument, options).chunks(chunk_rows)
