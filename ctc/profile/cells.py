"""The respondent table reduced once to what the estimates and the bootstrap need.

Every municipality's estimate, the whole-file estimate and every bootstrap resample read
the same arrays: the indicators as one uint8 matrix of answer codes (0, 1, 2 = missing: the
codes the estimate's kernel works on, a quarter of the memory of float32 0/1/NaN, and
made from the boolean flags without a float in between), rows ordered by municipality so
that each municipality is a
contiguous slice (a view, not a copy), and the design labels as integer codes whose
order is the order of the string labels the design used to be built from (so strata and
PSUs are numbered, and every sum is taken, in the same order: the numbers are identical).
The table is split no more than once, however many municipalities and resamples follow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..stats import Domains, SurveyDesign
from ..stats._taylor import answer_codes
from .indicators import Indicator
from .options import ProfileOptions

ALL = "all"
NONE = "(none)"  # the label a missing municipality, school or stratum gets in the design
#: answer code (0, 1, 2 = missing) → its float32 value
DECODE = np.array([0.0, 1.0, np.nan], dtype=np.float32)


@dataclass(frozen=True, eq=False)
class Rows:
    """One municipality's rows (or the whole file's): slices of :class:`Cells` arrays."""

    y: np.ndarray | None  # rows × indicators, float32 1/0/NaN (None: given as ``codes``)
    weights: np.ndarray  # float64; NaN where the file has no weight
    include: np.ndarray  # passed screening
    school: np.ndarray  # rank code of the (municipality, school) label
    strata: np.ndarray | None  # rank code of the declared stratum (clusters), None = not declared
    muni_strata: np.ndarray  # rank code of (municipality, stratum) or of the municipality: strata of the whole file
    grade: np.ndarray  # category code, -1 missing
    gender: np.ndarray
    enrolled: np.ndarray | None
    schools_population: np.ndarray | None
    position: np.ndarray | None = None  # row positions in the scored table (only with a calibration model)
    #: rows × indicators uint8 answer codes 0, 1, 2 = missing (what ctc.stats._taylor.encode makes of
    #: 0.0, 1.0, NaN): how :func:`prepare` gives the answers, a quarter of the float32 matrix
    codes: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.weights.size)

    def floats(self) -> np.ndarray:
        """The answers as rows × indicators float32 1/0/NaN (decoded from ``codes`` when given so)."""
        return self.y if self.codes is None else DECODE[self.codes]

    def take(self, mask: np.ndarray) -> Rows:
        """The rows where ``mask`` (a copy: used for the bootstrap's included rows)."""
        pick = {k: (None if v is None else v[mask]) for k, v in self.__dict__.items()}
        return Rows(**pick)


@dataclass(frozen=True, eq=False)
class Cells:
    """The scored table as arrays (see the module docstring); build it with :func:`prepare`."""

    inds: tuple[Indicator, ...]
    rows: Rows  # all rows, ordered by municipality
    slices: dict[str, slice]  # municipality → its rows
    munis: list[str]
    grades: list[str]
    genders: list[str]
    weighted: bool  # the file has weights (any non-missing)
    source: pd.DataFrame | None = None  # the scored table, kept only for a calibration model's grouping columns

    def municipality(self, name: str) -> Rows:
        return self._part(self.slices[name])

    def rest(self) -> Rows | None:
        """The rows of no listed municipality (they come last; they count for the whole file only)."""
        start = max((s.stop for s in self.slices.values()), default=0)
        return self._part(slice(start, len(self.rows))) if start < len(self.rows) else None

    def _part(self, part: slice) -> Rows:
        return Rows(**{k: (None if v is None else v[part]) for k, v in self.rows.__dict__.items()})


def _levels(scored: pd.DataFrame, role: str, include: np.ndarray) -> list[str]:
    if role not in scored.columns:
        return []
    values = scored.loc[include, role].dropna()
    if role == "grade":
        return [str(g) for g in sorted(values.astype(int).unique())]
    return sorted(values.astype(str).unique())


def _codes(scored: pd.DataFrame, role: str, levels: list[str]) -> np.ndarray:
    """Category code of every row (-1: missing or not a level), as the domains' factor has it."""
    if role not in scored.columns or not levels:
        return np.zeros(len(scored), dtype=np.int16)
    return _category_codes(scored[role], levels, whole=role == "grade")


def _category_codes(raw: pd.Series, levels: list[str], whole: bool = False) -> np.ndarray:
    """Position of every value in ``levels`` (-1: missing or none of them), matched as text;
    ``whole``: the values are whole numbers and ``levels`` their text (grades), matched as
    numbers. Without a Python string per row: the Arrow strings, or the integers, are
    matched to the few levels directly."""
    if whole:
        values, keys = raw.astype("Int64"), pd.Index([int(g) for g in levels], dtype="Int64")
    else:
        values = raw if isinstance(raw.dtype, pd.StringDtype) else raw.astype("string")
        keys = pd.Index(levels, dtype=object)
    # the distinct values (Arrow's dictionary encoding) matched to the levels, then spread to
    # the rows: a Categorical of the rows turned every row into a Python string first
    codes, uniques = pd.factorize(values)
    lookup = np.append(keys.get_indexer(pd.Index(uniques, dtype=keys.dtype)), -1)
    return pd.Categorical.from_codes(lookup[codes], categories=levels).codes  # codes as a Categorical types them


def _labels(frame: pd.DataFrame, column: str | None, series: bool = False) -> np.ndarray | pd.Series | None:
    """The column's labels as strings (missing → "(none)"), or None when the column is not used;
    ``series``: as a string Series (the same labels, without a Python object per row)."""
    if column is None or column not in frame.columns:
        return None
    labels = frame[column].astype("string").fillna(NONE)
    return labels if series else labels.to_numpy(dtype=object)


def _rank_pairs(first: np.ndarray | pd.Series, second: np.ndarray | pd.Series | None) -> np.ndarray:
    """Codes of the labels f"{first}\\x1f{second}" in their sorted order, built from the
    distinct pairs only (the design used to format one string per respondent)."""
    return pair_labels(first, second)[0]


def pair_labels(first: np.ndarray | pd.Series, second: np.ndarray | pd.Series | None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_rank_pairs`'s codes and the sorted distinct labels they index (so that the
    codes of parts of the file can be put on the whole file's scale: ctc.engine.dask_engine)."""
    a_codes, a_uniq = pd.factorize(first)
    if second is None:
        labels = np.array([f"{m}\x1f{0.0}" for m in a_uniq], dtype=object)  # no school column: zeros
        codes, uniq = pd.factorize(labels, sort=True)
        return codes[a_codes].astype(np.int64), np.asarray(uniq, dtype=object)
    b_codes, b_uniq = pd.factorize(second)
    pair = a_codes.astype(np.int64) * max(len(b_uniq), 1) + b_codes
    uniq, inverse = np.unique(pair, return_inverse=True)
    a, b = np.divmod(uniq, max(len(b_uniq), 1))
    labels = np.array([f"{a_uniq[i]}\x1f{b_uniq[j]}" for i, j in zip(a, b)], dtype=object)
    codes, sorted_labels = pd.factorize(labels, sort=True)
    return codes[inverse].astype(np.int64), np.asarray(sorted_labels, dtype=object)


def _answer_codes(col: pd.Series) -> np.ndarray:
    """0 not flagged, 1 flagged, 2 missing, as uint8: from a boolean column's values and
    mask directly; any other column through its floats (ctc.stats._taylor.answer_codes)."""
    if isinstance(col.dtype, pd.BooleanDtype):
        return col.to_numpy(dtype=np.uint8, na_value=2)
    return answer_codes(_floats(col))


def _floats(col: pd.Series) -> np.ndarray:
    """1.0 flagged, 0.0 not, NaN missing, without a float64 copy of the nullable flags."""
    if isinstance(col.dtype, pd.BooleanDtype):
        return col.to_numpy(dtype=np.float32, na_value=np.nan)
    return col.astype("Float64").to_numpy(dtype=np.float32, na_value=np.nan)


#: indicators converted at a time by :func:`_indicator_codes` (a block of columns is a byte × rows each)
_BLOCK = 32


def _indicator_codes(scored: pd.DataFrame, inds: tuple[Indicator, ...], order: np.ndarray) -> np.ndarray:
    """The rows × indicators answer codes in ``order``. A block of indicators is converted
    into contiguous rows (indicator-major) and then put in place with one row gather: writing
    one indicator at a time into the rows (a stride of the row through the whole matrix, 73
    times) cost five times as long."""
    codes = np.empty((len(scored), len(inds)), dtype=np.uint8)
    for start in range(0, len(inds), _BLOCK):
        part = inds[start:start + _BLOCK]
        block = np.empty((len(part), len(scored)), dtype=np.uint8)
        for k, ind in enumerate(part):
            block[k] = _answer_codes(scored[ind.column])
        codes[:, start:start + len(part)] = block.T[order]
    return codes


def _rank(labels: np.ndarray | pd.Series) -> np.ndarray:
    return pd.factorize(labels, sort=True)[0].astype(np.int64)


def prepare(scored: pd.DataFrame, inds: tuple[Indicator, ...], options: ProfileOptions) -> Cells:
    """One pass over the scored table: indicator matrix, codes and municipality slices."""
    include = ~scored["excluded"].to_numpy(dtype=bool)
    grades, genders = _levels(scored, "grade", include), _levels(scored, "gender", include)
    munis = _levels(scored, "municipality", include)
    muni_code = _category_codes(scored["municipality"], munis).astype(np.int64)
    # rows of no listed municipality (missing, or all excluded) go last: they count for the whole file only
    order = np.argsort(np.where(muni_code < 0, len(munis), muni_code), kind="stable")
    sorted_code = np.where(muni_code < 0, len(munis), muni_code)[order]
    starts = np.searchsorted(sorted_code, np.arange(len(munis)), side="left")
    ends = np.searchsorted(sorted_code, np.arange(len(munis)), side="right")
    slices = {name: slice(int(s), int(e)) for name, s, e in zip(munis, starts, ends)}
    codes = _indicator_codes(scored, inds, order)
    has_weights = "weight" in scored.columns
    weights = (scored["weight"].to_numpy(dtype=np.float64, na_value=np.nan) if has_weights
               else np.full(len(scored), np.nan))
    # the labels stay pandas strings (factorised by Arrow), not a Python string per row
    muni = scored["municipality"].astype("string").fillna(NONE)
    school = _labels(scored, "school", series=True)
    cols = options.design_columns()
    strata = _labels(scored, cols["strata"], series=True)
    numbers = {role: (scored[cols[role]].to_numpy(dtype=np.float64) if cols[role] else None)
               for role in ("enrolled", "schools_population")}
    rows = Rows(
        y=None, codes=codes, weights=weights[order], include=include[order], school=_rank_pairs(muni, school)[order],
        strata=None if strata is None else _rank(strata)[order],
        muni_strata=(_rank(muni) if strata is None else _rank_pairs(muni, strata))[order],
        grade=np.asarray(_codes(scored, "grade", grades))[order], gender=np.asarray(_codes(scored, "gender", genders))[order],
        enrolled=None if numbers["enrolled"] is None else numbers["enrolled"][order],
        schools_population=None if numbers["schools_population"] is None else numbers["schools_population"][order],
        # the calibration hook reads its grouping columns from the table (docs/weights.md)
        position=order if options.calibration is not None else None,
    )
    source = scored if options.calibration is not None else None
    return Cells(inds, rows, slices, munis, grades, genders, has_weights and bool(np.isfinite(weights).any()), source)


def design(rows: Rows, options: ProfileOptions, whole: bool) -> SurveyDesign:
    """The declared design of one municipality (or of the whole file, municipalities as strata)."""
    w = rows.weights if not np.isnan(rows.weights).all() else np.ones(len(rows))
    if options.design == "census":
        # every school took part: schools are strata, students the units (R id=~1, strata=~school)
        return SurveyDesign.build(w, strata=rows.school, psu=None, fpc=rows.enrolled, lonely_psu=options.lonely_psu)
    # clusters: schools are the PSUs, within the declared strata (and within municipalities for the file)
    strata = rows.muni_strata if whole else rows.strata
    return SurveyDesign.build(w, strata=strata, psu=rows.school, fpc=rows.schools_population, fpc2=rows.enrolled,
                              lonely_psu=options.lonely_psu)


def domains(rows: Rows, cells: Cells) -> Domains:
    """Grade × gender cells and their pooled margins; a role the data lack (no gender
    column) is only "all" — crossing it would give every domain twice."""
    levels = {"grade": cells.grades, "gender": cells.genders}
    codes = {"grade": rows.grade, "gender": rows.gender}
    factors = {role: pd.Categorical.from_codes(codes[role], categories=lv) for role, lv in levels.items() if lv}
    if not factors:
        factors = {"grade": pd.Categorical.from_codes(np.zeros(len(rows), dtype=np.int8), categories=[ALL])}
    found = Domains.crossed(factors, include=rows.include)
    missing = {role: ALL for role in levels if role not in found.labels}
    return Domains(found.atom, found.membership, found.labels.assign(**missing)) if missing else found
