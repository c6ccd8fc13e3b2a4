"""The Dask engine: the same kernels as the in-process engine, run as tasks on a
``dask.distributed`` cluster (a LocalCluster when no scheduler address is given).

What runs where (docs/engine.md):

* scoring: every chunk of the input (a Parquet row group, or a CSV block) is checked
  and scored on a worker by the pipeline's own ``work`` function; the client merges the
  parts in file order, as the in-process engine merges its threads' parts;
* the estimate: each municipality is its own design, so each is one task on a worker
  (its rows travel once, as the compact arrays of :func:`ctc.profile.cells.prepare`);
  the whole-file pooled rows are computed on the client meanwhile;
* protection and release run on the client, on the aggregates only;
* priorities: each municipality's bootstrap (its own seeded stream,
  :func:`ctc.profile.priorities.municipality_rng`) and reasons are one task on the
  worker that already holds its rows;
* rendering: each municipality's report and workbook are one task, written into the
  run's staging folder (which the workers must see at the same path: true for a
  LocalCluster, and for a cluster on a shared file system).

Every task is pure on data carried in the task graph, so when a worker dies the
scheduler runs its tasks again elsewhere (the nanny restarts the worker) and the output
is the same; a task that kills workers three times fails the run, before anything is
published (the output folder appears only when complete).
"""

from __future__ import annotations

import shutil
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from ..errors import UsageError
from ..profile.cells import ALL, Cells, prepare
from ..profile.estimate import _long, _one, _order
from ..profile.options import ProfileOptions
from ..profile.priorities import prioritise


def _render(fn: Callable[[Any], Any], job: Any) -> Any:
    """One municipality's rendering; a rerun (its worker died) starts from an empty folder."""
    shutil.rmtree(job[1], ignore_errors=True)
    return fn(job)


def _identity(value: Any) -> Any:
    return value


def _estimate(cells: Cells, options: ProfileOptions, icc: Any = None) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    name = cells.munis[0]
    return _one(cells.municipality(name), cells, options, whole=False, icc=icc)


def _prioritise(table: pd.DataFrame, cells: Cells, options: ProfileOptions, has_baseline: bool) -> pd.DataFrame:
    return prioritise(table, None, cells.inds, options, has_baseline, cells=cells)  # type: ignore[arg-type]


def _municipality_cells(cells: Cells, name: str) -> Cells:
    """One municipality's rows as a Cells of its own, with the file's grade and gender
    levels (the domains must be those of the whole file's run)."""
    rows = cells.municipality(name)
    source = None
    if cells.source is not None and rows.position is not None:  # calibration: its grouping columns travel too
        source = cells.source.iloc[rows.position].reset_index(drop=True)
        rows = replace(rows, position=np.arange(len(rows)))
    return replace(cells, rows=rows, slices={name: slice(0, len(rows))}, munis=[name], source=source)


class DaskSession:
    """A connected Dask client and the engine's operations on it."""

    def __init__(self, client: Any, cluster: Any | None) -> None:
        self.client, self.cluster = client, cluster
        self._cells: dict[int, dict[str, Any]] = {}  # id(Cells) → municipality → future of its Cells

    @classmethod
    @contextmanager
    def connect(cls, scheduler: str | None, workers: int) -> Iterator[DaskSession]:
        from distributed import Client, LocalCluster

        cluster = None
        try:
            if scheduler is None:
                # processes, one thread each: the kernels are numpy/Arrow and release the GIL,
                # but rendering (charts, workbooks) does not
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                       dashboard_address=":0", silence_logs=40)  # any free port: never "port in use"
                client = Client(cluster)
            else:
                client = Client(scheduler, timeout=30)
        except (OSError, TimeoutError) as exc:
            raise UsageError(f"cannot reach the Dask scheduler at {scheduler}: {exc}",
                             "check the address (tcp://HOST:8786) and that the scheduler runs") from None
        try:
            with warnings.catch_warnings():
                # by design the chunks and the municipalities' rows travel in the task graph
                # (so a dead worker's tasks can run again): Dask's hint against that is noise here
                warnings.filterwarnings("ignore", message="Sending large graph", category=UserWarning)
                yield cls(client, cluster)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    @property
    def n_workers(self) -> int:
        return max(1, len(self.client.scheduler_info().get("workers", {})))

    # -- scoring ------------------------------------------------------------------------
    def map_ordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        """``fn`` over ``items`` on the workers, results in input order; at most two tasks
        per worker in flight, so the client never holds more than that many chunks."""
        window: deque[Any] = deque()
        limit = 2 * self.n_workers
        for item in items:
            window.append(self.client.submit(fn, item, pure=False))
            if len(window) >= limit:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()

    # -- the profile's per-municipality computations ---------------------------------------
    def _municipalities(self, cells: Cells) -> dict[str, Any]:
        """Futures of every municipality's Cells, sent once and reused by every task of the run."""
        key = id(cells)
        if key not in self._cells:
            self._cells = {key: {name: self.client.submit(_identity, _municipality_cells(cells, name), pure=False)
                                 for name in cells.munis}}
        return self._cells[key]

    def estimate_cells(self, cells: Cells, options: ProfileOptions) -> pd.DataFrame:
        """:func:`ctc.profile.estimate.estimate_cells`, one task per municipality."""
        if not cells.munis:
            from ..profile.estimate import estimate_cells

            return estimate_cells(cells, options)
        from ..profile.estimate import file_icc

        icc = file_icc(cells, options)  # pooled over the whole file: computed here, sent to every task
        futures = {name: self.client.submit(_estimate, f, options, icc, pure=False)
                   for name, f in self._municipalities(cells).items()}
        whole = _one(cells.rows, cells, options, whole=True)  # on the client while the workers run
        parts = [(name, *futures[name].result()) for name in cells.munis]
        parts.append((ALL, *whole))
        table = _long(parts, cells.inds)
        table["weighted"] = cells.weighted
        return _order(table, cells.munis, cells.grades, cells.genders)

    def prioritise(self, table: pd.DataFrame, scored: pd.DataFrame, inds: tuple, options: ProfileOptions,
                   has_baseline: bool, *, cells: Cells | None = None) -> pd.DataFrame:
        """:func:`ctc.profile.priorities.prioritise`, one task per municipality."""
        cells = cells or prepare(scored, inds, options)
        munis = [m for m in table["municipality"].cat.categories if m != ALL]
        if not munis:
            return prioritise(table, scored, inds, options, has_baseline, cells=cells)
        held = self._municipalities(cells)
        muni = table["municipality"].astype(str)
        futures = []
        for name in munis:
            part = table[muni == name].copy()
            part["municipality"] = pd.Categorical(part["municipality"].astype(str), categories=[name])
            futures.append(self.client.submit(_prioritise, part, held[name], options, has_baseline, pure=False))
        out = [f.result() for f in futures]
        self._cells = {}  # the run's municipality arrays are no longer needed on the workers
        return pd.concat(out, ignore_index=True)

    # -- rendering ------------------------------------------------------------------------
    def render(self, fn: Callable[[Any], Any], jobs: list[Any]) -> list[Any]:
        """Each municipality's report and workbook as one task; results in job order."""
        return [f.result() for f in [self.client.submit(_render, fn, job, pure=False) for job in jobs]]
