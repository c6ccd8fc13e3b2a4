"""The Dask engine: the same kernels as the in-process engine, run as tasks on a
``dask.distributed`` cluster (a LocalCluster when no scheduler address is given).

What runs where (docs/engine.md):

* scoring: every chunk of the input (a Parquet row group, or a CSV block) is checked
  and scored on a worker by the pipeline's own ``work`` function; the client merges the
  parts in file order, as the in-process engine merges its threads' parts;
* the estimate: each municipality is its own design, so each is one task on a worker
  (its rows travel once, as the compact arrays of :func:`ctc.profile.cells.prepare`);
  the whole-file pooled rows are a reduction: each municipality's share of the sums
  (:func:`ctc.profile.estimate.whole_part`) beside its arrays, added by one small task;
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
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from ..errors import UsageError
from ..profile.cells import ALL, NONE, Cells, _codes, _labels, pair_labels, prepare
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


# -- the respondent rows kept on the workers (ctc profile) ---------------------------------------
# Every chunk of the file is read (a Parquet row range: ctc.io.read.ParquetPart), checked and
# scored on a worker; its kept columns stay there as a future. The client receives the chunk's
# checks and audit counts and a few aggregates (:class:`Summary`), from which the guards of
# ``ctc profile`` decide; each municipality's arrays are then built on the workers from the
# chunks that hold its rows, and the whole-file rows are reduced from per-municipality sums (their
# ICC from per-school sums), so no respondent row of the scored table reaches the client.


@dataclass
class Summary:
    """What the guards and the estimate need to know of the rows held on the workers."""

    columns: tuple[str, ...] = ()
    rows: int = 0
    waves: list[str] = field(default_factory=list)  # sorted distinct waves
    survey_year: int | None = None  # the newest numeric wave
    weight_invalid: int = 0
    weight_finite: bool = False
    municipality_any: bool = False
    grade_any: bool = False
    included_any: bool = False
    included_municipality_any: bool = False
    school_any: bool = False
    genders: set[str] = field(default_factory=set)  # every row's gender
    levels: dict[str, list[str]] = field(default_factory=dict)  # grade, gender, municipality among included rows


def _summarise(kept: pd.DataFrame) -> dict[str, Any]:
    """One chunk's aggregates (merged over the chunks by :meth:`HeldRows.summary`)."""
    include = ~kept["excluded"].to_numpy(dtype=bool)
    has = kept.columns.__contains__
    out: dict[str, Any] = {"rows": len(kept), "waves": set(), "year": None, "weight_invalid": 0, "weight_finite": False}
    if has("wave"):
        out["waves"] = set(kept["wave"].astype("string").dropna().unique())
        years = pd.to_numeric(kept["wave"], errors="coerce").dropna()
        out["year"] = int(years.max()) if len(years) else None
    if has("weight"):
        out["weight_invalid"] = int(kept["weight"].isna().sum())
        out["weight_finite"] = bool(np.isfinite(kept["weight"].to_numpy(dtype=np.float64, na_value=np.nan)).any())
    muni = kept["municipality"].astype("string")
    out["municipality_any"] = bool(muni.notna().any())
    out["grade_any"] = bool(kept["grade"].notna().any())
    out["included_any"] = bool(include.any())
    out["included_municipality_any"] = bool(muni[include].notna().any())
    out["school_any"] = bool(has("school") and kept["school"].notna().any())
    out["genders"] = set(kept["gender"].dropna().astype(str)) if has("gender") else set()
    levels = {}
    if has("grade"):
        levels["grade"] = {int(g) for g in kept.loc[include, "grade"].dropna().astype(int).unique()}
    if has("gender"):
        levels["gender"] = set(kept.loc[include, "gender"].dropna().astype(str).unique())
    levels["municipality"] = set(kept.loc[include, "municipality"].dropna().astype(str).unique())
    out["levels"] = levels
    out["munis_all"] = set(muni.dropna().unique())
    out["muni_missing"] = bool(muni.isna().any())
    return out


def _score_part(work: Callable[[Any], Any], item: Any) -> Any:
    """Read (a Parquet row range is read here, on the worker), check and score one chunk."""
    chunk = item.read() if hasattr(item, "read") else item
    part = work(chunk)
    part.prepared = None  # the whole scored chunk: ctc profile needs only the kept columns
    return part


def _light(part: Any) -> tuple[Any, dict[str, Any]]:
    """The part without its rows (they stay on the worker), and its aggregates."""
    return replace(part, kept=part.kept.iloc[:0], prepared=None), _summarise(part.kept)


def _kept(part: Any) -> pd.DataFrame:
    return part.kept


class HeldRows:
    """The kept columns of one profile run, chunk by chunk, as futures on the workers."""

    def __init__(self, session: DaskSession) -> None:
        self.session = session
        self.parts: list[Any] = []  # futures of the pipeline's parts, in file order
        self.chunks: list[dict[str, Any]] = []  # their aggregates
        self._summary: Summary | None = None

    def summary(self) -> Summary:
        if self._summary is None:
            s = Summary(rows=sum(c["rows"] for c in self.chunks))
            s.waves = sorted(set().union(*(c["waves"] for c in self.chunks)))
            years = [c["year"] for c in self.chunks if c["year"] is not None]
            s.survey_year = max(years) if years else None
            s.weight_invalid = sum(c["weight_invalid"] for c in self.chunks)
            for key in ("weight_finite", "municipality_any", "grade_any", "included_any", "included_municipality_any",
                        "school_any"):
                setattr(s, key, any(c[key] for c in self.chunks))
            s.genders = set().union(*(c["genders"] for c in self.chunks))
            found: dict[str, set] = {}
            for c in self.chunks:
                for role, values in c["levels"].items():
                    found.setdefault(role, set()).update(values)
            # as ctc.profile.cells._levels: grades as sorted numbers, the rest as sorted text
            s.levels = {role: [str(g) for g in sorted(v)] if role == "grade" else sorted(v) for role, v in found.items()}
            s.columns = self.columns
            self._summary = s
        return self._summary

    columns: tuple[str, ...] = ()

    def gather(self) -> pd.DataFrame:
        """Every kept row in this process (the in-process engine's table), the futures released."""
        client = self.session.client
        frames = client.gather([client.submit(_kept, p, pure=False) for p in self.parts])
        self.parts = []
        self.session.rows = None
        return pd.concat(frames) if frames else pd.DataFrame()


class _KeepingRows:
    """The pipeline's mapper for ``ctc profile``: chunks are read and scored on the workers
    and their rows kept there (``held``); the pipeline gets each part without its rows."""

    reads = True  # ctc.pipeline.run: give Parquet row ranges, not chunks read here

    def __init__(self, session: DaskSession) -> None:
        self.session = session
        self.held = HeldRows(session)

    def __call__(self, work: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        client = self.session.client
        window: deque[Any] = deque()
        limit = 2 * self.session.n_workers
        for item in items:
            part = client.submit(_score_part, work, item, pure=False)
            self.held.parts.append(part)
            window.append(client.submit(_light, part, pure=False))
            if len(window) >= limit:
                yield self._take(window.popleft())
        while window:
            yield self._take(window.popleft())

    def _take(self, future: Any) -> Any:
        light, summary = future.result()
        if not self.held.columns:
            self.held.columns = tuple(light.kept.columns)
        self.held.chunks.append(summary)
        return light


@dataclass(eq=False)
class Held:
    """One municipality's (or the rows of no municipality's) arrays on a worker: a
    :class:`Cells` with the answers as uint8 codes (indicators × rows), and the sorted labels
    behind its codes."""

    cells: Cells
    labels: dict[str, np.ndarray | None]


@dataclass(eq=False)
class RemoteCells:
    """:class:`Cells` of a profile run, held on the workers, one future per municipality."""

    inds: tuple
    munis: list[str]
    grades: list[str]
    genders: list[str]
    weighted: bool
    held: dict[str, Any]  # municipality → future of its Held
    rest: Any | None  # future of the rows of no listed municipality (the whole file's rows only)


def _muni_cells(name: str | None, munis: frozenset[str], inds: tuple, options: ProfileOptions, grades: list[str],
                genders: list[str], weighted: bool, *parts: Any) -> Held:
    """A municipality's rows from the chunks that hold them, as prepare() makes them for the
    whole file (the file's grade and gender levels); ``name`` None: the rows of no listed one."""
    frames = []
    for part in parts:
        kept = part.kept
        muni = kept["municipality"].astype("string")
        mask = (muni == name) if name is not None else (muni.isna() | ~muni.isin(list(munis)))
        frames.append(kept[mask.fillna(name is None).to_numpy(dtype=bool)])
    frame = pd.concat(frames) if len(frames) != 1 else frames[0]
    cells = prepare(frame, inds, options)  # one municipality (or none): rows stay in file order
    rows = cells.rows
    codes = np.ascontiguousarray(rows.codes.T)  # indicators × rows
    rows = replace(rows, y=codes, codes=None, grade=np.asarray(_codes(frame, "grade", grades)),
                   gender=np.asarray(_codes(frame, "gender", genders)))
    labels: dict[str, np.ndarray | None] = {}
    muni = frame["municipality"].astype("string").fillna(NONE).to_numpy(dtype=object)
    labels["school"] = pair_labels(muni, _labels(frame, "school"))[1]
    strata = _labels(frame, options.design_columns()["strata"])
    labels["muni_strata"] = (np.asarray(pd.factorize(muni, sort=True)[1], dtype=object) if strata is None
                             else pair_labels(muni, strata)[1])
    labels["strata"] = None if strata is None else np.asarray(pd.factorize(strata, sort=True)[1], dtype=object)
    cells = replace(cells, rows=rows, grades=grades, genders=genders, weighted=weighted, source=None)
    return Held(cells, labels)


def _decode(held: Held) -> Cells:
    cells = held.cells
    return replace(cells, rows=replace(cells.rows, y=None, codes=np.ascontiguousarray(cells.rows.y.T)))


def _estimate_held(held: Held, options: ProfileOptions, icc: Any = None) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    cells = _decode(held)
    return _one(cells.municipality(cells.munis[0]), cells, options, whole=False, icc=icc)


def _prioritise_held(table: pd.DataFrame, held: Held, options: ProfileOptions, has_baseline: bool) -> pd.DataFrame:
    cells = _decode(held)
    return prioritise(table, None, cells.inds, options, has_baseline, cells=cells)  # type: ignore[arg-type]


def _school_sums(held: Held) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The ICC's sufficient statistics of one part (ctc.stats.gvf.icc_from_sums): per school
    with included respondents its label, its group's label, and per indicator the answers and
    the flagged (whole numbers, so the whole file's are these, stacked)."""
    rows = held.cells.rows
    inc = rows.include
    codes, school, group = rows.y[:, inc], rows.school[inc], rows.muni_strata[inc]
    uniq, inverse = np.unique(school, return_inverse=True)
    k, n_s = codes.shape[0], uniq.size
    cnt, tot = np.empty((n_s, k)), np.empty((n_s, k))
    for j in range(k):
        cnt[:, j] = np.bincount(inverse[codes[j] != 2], minlength=n_s)
        tot[:, j] = np.bincount(inverse[codes[j] == 1], minlength=n_s)
    group_of = np.zeros(n_s, dtype=np.int64)
    group_of[inverse] = group
    return held.labels["school"][uniq], held.labels["muni_strata"][group_of], cnt, tot


def _whole_part_held(held: Held, options: ProfileOptions) -> Any:
    """A part's share of the whole-file design's sums (ctc.stats.reduce.PartSums: a few
    domains × indicators arrays), on the worker that holds its arrays."""
    from ..profile.estimate import whole_part

    return whole_part(held.cells.rows, held.cells, options, codes=held.cells.rows.y)


def _whole_rows(options: ProfileOptions, inds: tuple, *parts: Any) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The whole file's pooled rows from the parts' sums, in the in-process engine's order."""
    from ..profile.estimate import whole_rows

    return whole_rows(list(parts), inds, options)


#: at most this much memory per LocalCluster worker (bytes); less on a smaller machine
WORKER_MEMORY_LIMIT = 6 * 2**30


def worker_memory_limit(workers: int) -> int:
    """A LocalCluster worker's memory limit: 6 GiB, or less so that the workers together take
    at most half of this machine's memory (``CTC_DASK_WORKER_MEMORY`` in bytes overrides)."""
    import os

    import psutil  # a dependency of distributed

    if os.environ.get("CTC_DASK_WORKER_MEMORY"):
        return int(os.environ["CTC_DASK_WORKER_MEMORY"])
    return int(min(WORKER_MEMORY_LIMIT, psutil.virtual_memory().total / 2 / max(workers, 1)))


class DaskSession:
    """A connected Dask client and the engine's operations on it."""

    def __init__(self, client: Any, cluster: Any | None) -> None:
        self.client, self.cluster = client, cluster
        self._cells: dict[int, dict[str, Any]] = {}  # id(Cells) → municipality → future of its Cells
        self.rows: HeldRows | None = None  # the current profile run's rows on the workers

    @classmethod
    @contextmanager
    def connect(cls, scheduler: str | None, workers: int) -> Iterator[DaskSession]:
        from distributed import Client, LocalCluster

        cluster = None
        try:
            if scheduler is None:
                # processes, one thread each: the kernels are numpy/Arrow and release the GIL,
                # but rendering (charts, workbooks) does not
                # each worker spills to disk above 60 % of its memory limit (Dask's default), so the
                # whole tree stays well under the machine's memory (docs/engine.md "Limits")
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                       memory_limit=worker_memory_limit(workers),
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

    def keeping_rows(self) -> _KeepingRows:
        """The mapper of ``ctc profile``: chunks read and scored on the workers, rows kept there."""
        mapper = _KeepingRows(self)
        self.rows = mapper.held
        return mapper

    def prepare(self, inds: tuple, options: ProfileOptions) -> RemoteCells:
        """:func:`ctc.profile.cells.prepare` on the workers: each municipality's arrays built
        from the chunks holding its rows; then the chunks are released."""
        held = self.rows
        assert held is not None
        found = held.summary()
        munis = found.levels.get("municipality", [])
        grades, genders = found.levels.get("grade", []), found.levels.get("gender", [])
        weighted = "weight" in found.columns and found.weight_finite
        listed = set(munis)
        by_muni: dict[str, list[Any]] = {m: [] for m in munis}
        rest = []
        for part, chunk in zip(held.parts, held.chunks):
            for name in chunk["munis_all"] & listed:
                by_muni[name].append(part)
            if chunk["muni_missing"] or chunk["munis_all"] - listed:
                rest.append(part)
        submit = self.client.submit
        futures = {m: submit(_muni_cells, m, frozenset(), inds, options, grades, genders, weighted, *by_muni[m],
                             pure=False) for m in munis}
        other = (submit(_muni_cells, None, frozenset(listed), inds, options, grades, genders, weighted, *rest, pure=False)
                 if rest else None)
        held.parts = []  # the scheduler keeps each chunk until the arrays built from it exist
        return RemoteCells(inds, munis, grades, genders, weighted, futures, other)

    def _remote_estimate(self, cells: RemoteCells, options: ProfileOptions) -> pd.DataFrame:
        icc = None
        if options.design == "clusters":  # the file's ICC from per-school sums (ctc.stats.gvf.icc_from_sums)
            from ..stats.gvf import icc_from_sums

            sums = self.client.gather([self.client.submit(_school_sums, f, pure=False)
                                       for f in [*cells.held.values(), *([cells.rest] if cells.rest else [])]])
            labels = np.concatenate([s[0] for s in sums])
            order = np.argsort(labels, kind="stable")  # the order of the whole file's school codes
            icc = icc_from_sums(np.ascontiguousarray(np.concatenate([s[2] for s in sums])[order]),
                                np.ascontiguousarray(np.concatenate([s[3] for s in sums])[order]),
                                pd.factorize(np.concatenate([s[1] for s in sums])[order])[0].astype(np.int64))
        futures = {name: self.client.submit(_estimate_held, f, options, icc, pure=False) for name, f in cells.held.items()}
        # the whole file's rows: each part's sums beside its arrays, added on a worker in the
        # in-process order (municipalities, then the rest): no task holds every respondent
        parts_of_file = [cells.held[m] for m in cells.munis] + ([cells.rest] if cells.rest is not None else [])
        sums = [self.client.submit(_whole_part_held, f, options, pure=False) for f in parts_of_file]
        whole = self.client.submit(_whole_rows, options, cells.inds, *sums, pure=False)
        parts = [(name, *futures[name].result()) for name in cells.munis]
        parts.append((ALL, *whole.result()))
        table = _long(parts, cells.inds)
        table["weighted"] = cells.weighted
        return _order(table, cells.munis, cells.grades, cells.genders)

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
        if isinstance(cells, RemoteCells):
            return self._remote_estimate(cells, options)
        if not cells.munis:
            from ..profile.estimate import estimate_cells

            return estimate_cells(cells, options)
        from ..profile.estimate import file_icc, whole_file

        icc = file_icc(cells, options)  # pooled over the whole file: computed here, sent to every task
        futures = {name: self.client.submit(_estimate, f, options, icc, pure=False)
                   for name, f in self._municipalities(cells).items()}
        whole = whole_file(cells, options)  # on the client while the workers run
        parts = [(name, *futures[name].result()) for name in cells.munis]
        parts.append((ALL, *whole))
        table = _long(parts, cells.inds)
        table["weighted"] = cells.weighted
        return _order(table, cells.munis, cells.grades, cells.genders)

    def prioritise(self, table: pd.DataFrame, scored: pd.DataFrame, inds: tuple, options: ProfileOptions,
                   has_baseline: bool, *, cells: Cells | None = None) -> pd.DataFrame:
        """:func:`ctc.profile.priorities.prioritise`, one task per municipality."""
        if isinstance(cells, RemoteCells):
            muni = table["municipality"].astype(str)
            futures = []
            for name in [m for m in table["municipality"].cat.categories if m != ALL]:
                part = table[muni == name].copy()
                part["municipality"] = pd.Categorical(part["municipality"].astype(str), categories=[name])
                futures.append(self.client.submit(_prioritise_held, part, cells.held[name], options, has_baseline,
                                                  pure=False))
            out = [f.result() for f in futures]
            cells.held.clear()  # the run's arrays are no longer needed on the workers
            cells.rest, self.rows = None, None
            return pd.concat(out, ignore_index=True)
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
        """Each municipality's report and workbook as one task; results in job order. At most
        four tasks per worker are submitted at a time: each carries its municipality's context
        (about 4 MiB pickled), and a thousand of them at once held 4 GiB on the client."""
        window: deque[Any] = deque()
        out: list[Any] = []
        limit = 4 * self.n_workers
        for job in jobs:
            window.append(self.client.submit(_render, fn, job, pure=False))
            if len(window) >= limit:
                out.append(window.popleft().result())
        while window:
            out.append(window.popleft().result())
        return out
