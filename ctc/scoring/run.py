"""``ctc score``: a survey file in, one scored row per respondent out, plus the data
check report and the screening audit beside it."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..engine import Engine, open_engine
from ..errors import UsageError
from ..instrument import load_instrument
from ..instrument.model import Instrument
from ..io.atomic import atomic_paths
from ..io.lock import Held
from ..io.names import check_output_name
from ..io.read import ReadOptions
from ..pipeline import PipelineResult, run
from ..release.csvsafe import write_csv
from .audit import finish_audit
from .frame import Scored

OUTPUT_SUFFIXES = (".parquet", ".csv")


@dataclass(frozen=True)
class ScoreResult:
    output: Path
    checks_path: Path
    screening_path: Path
    pipeline: PipelineResult
    screening: pd.DataFrame
    cleaned: list[Path] = field(default_factory=list)  # temp files a killed earlier run left, removed

    @property
    def rows(self) -> int:
        return self.pipeline.rows

    def excluded_by_rule(self) -> pd.DataFrame:
        s = self.screening
        return s[(s["municipality"] == "all") & (s["grade"] == "all")][["rule", "label", "flagged", "only_this_rule"]]


def sidecars(output: Path) -> tuple[Path, Path]:
    stem = output.with_suffix("")
    return stem.with_name(stem.name + ".checks.csv"), stem.with_name(stem.name + ".screening.csv")


@dataclass(frozen=True)
class _Prepare:
    """A scored chunk as the table to append."""

    suffix: str

    def __call__(self, chunk: Scored) -> pa.Table | pd.DataFrame:
        return chunk.to_arrow() if self.suffix == ".parquet" else chunk.to_pandas().reset_index(drop=True)


class _Writer:
    """Appends scored chunks to a Parquet or CSV file, in file order.

    Writing runs on a background thread while the next chunk is read and scored
    (Parquet encoding and compression release the GIL; for a million rows they take
    about 2 s). At most one chunk waits to be written, so memory stays bounded.
    """

    def __init__(self, path: Path, suffix: str) -> None:
        self.path, self.suffix = path, suffix
        self._pq: pq.ParquetWriter | None = None
        self._first = True
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="ctc-write")
        self._pending: Future[None] | None = None
        self.prepare = _Prepare(suffix)  # runs in the scoring worker (a thread, or a Dask worker: picklable)

    def write(self, table: pa.Table | pd.DataFrame) -> None:
        self._wait()
        self._pending = self._pool.submit(self._append, table)

    def _append(self, table: pa.Table | pd.DataFrame) -> None:
        if self.suffix == ".parquet":
            assert isinstance(table, pa.Table)
            if self._pq is None:
                self._pq = pq.ParquetWriter(self.path, table.schema, compression="zstd")
            self._pq.write_table(table.cast(self._pq.schema))
        else:
            write_csv(table, self.path, mode="w" if self._first else "a", header=self._first, encoding="utf-8")
        self._first = False

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()  # re-raises a write error here, in the caller

    def close(self) -> None:
        try:
            self._wait()
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)
            if self._pq is not None:
                self._pq.close()


def score(input_path: str | Path, output: str | Path, *, instrument: str | Path | Instrument = "ctc-youth-survey",
          mapping: str | Path | None = None, read: ReadOptions | None = None, overwrite: bool = False,
          progress: Callable[[int], None] | None = None, lang: str = "en", engine: Engine | None = None) -> ScoreResult:
    """Score a survey file; write ``output`` (.parquet or .csv) and its two reports atomically.
    ``engine``: where the chunks are scored (default: this process; ctc.engine)."""
    output = Path(output)
    if output.suffix not in OUTPUT_SUFFIXES:
        raise UsageError(f"output must end in {' or '.join(OUTPUT_SUFFIXES)}, got {output.name!r}")
    check_output_name(output)
    inst = load_instrument(instrument)
    checks_path, screening_path = sidecars(output)
    held: list[Held] = []
    with (atomic_paths([output, checks_path, screening_path], overwrite=overwrite, held=held) as (tmp_out, tmp_checks, tmp_screen),
          open_engine(engine) as session):
        writer = _Writer(tmp_out, output.suffix)
        try:
            result = run(input_path, inst, mapping=Path(mapping) if mapping else None, read=read, sink=writer, progress=progress,
                         mapper=None if session is None else session.map_ordered)
        finally:
            writer.close()
        screening = finish_audit(result.audit, inst, lang)
        write_csv(result.checks.frame(lang), tmp_checks)
        write_csv(screening, tmp_screen)
    return ScoreResult(output, checks_path, screening_path, result, screening, [p for h in held for p in h.cleaned])
