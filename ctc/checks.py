"""The data check report: every data problem, collected lazily, with a stable code.

Nothing here stops at the first problem. Fatal conditions (no respondent column,
nothing readable) are raised as errors elsewhere; everything else lands in a
:class:`CheckReport` and is handled as the instrument format says (invalid answers
count as missing, ...).

Locations (see ``docs/reading-data.md``):

* ``row`` — 1-based **data row number**: the first row below the header is row 1
  (in a spreadsheet program that row is on line 2). It is ``frame.index + 1`` for
  frames from :mod:`ctc.io.read`, whose index is the 0-based data row position, so
  row numbers stay right after rows were filtered out.
* ``respondent`` — the respondent id of that row, as text.
* ``column`` — the data column; ``value`` — the raw value as text. For problems
  about a whole column (``missing-column``, ``unmapped-item``, ...) ``value`` names the
  item id or ``@role`` concerned and ``row`` is empty.

Detail rows are capped per code (default :data:`DETAIL_CAP`): the first rows are kept,
the count stays exact. Vectorised results are stored as DataFrames and only
concatenated when :meth:`CheckReport.frame` is called.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import pandas as pd

from .io.atomic import atomic_path
from .io.read import to_number
from .release.csvsafe import write_csv

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
DETAIL_CAP = 10_000
COLUMNS = ("code", "severity", "row", "respondent", "column", "value", "message")
_DETAIL = ("row", "respondent", "column", "value", "message")


@dataclass(frozen=True)
class ProblemCode:
    """A registered problem code: its severity and what it means, in English and German."""

    code: str
    severity: Severity
    en: str
    de: str

    def describe(self, lang: str = "en") -> str:
        return self.de if lang == "de" else self.en


def _codes(*entries: ProblemCode) -> Mapping[str, ProblemCode]:
    return MappingProxyType({e.code: e for e in entries})


#: problems about a whole column: the published summary names the columns
COLUMN_CODES = frozenset({"missing-column", "optional-column-absent", "unmapped-item", "column-matched-loosely", "unused-column"})

#: The registry. Codes are stable: they are used in reports, tests and user scripts.
CODES: Mapping[str, ProblemCode] = _codes(
    ProblemCode("duplicate-respondent", "error",
                "The same respondent id occurs in more than one row (every row with it is listed).",
                "Dieselbe Fragebogen-ID kommt in mehreren Zeilen vor (jede dieser Zeilen ist aufgeführt)."),
    ProblemCode("missing-column", "warning",
                "A column named by the instrument or the mapping is not in the data: a question without its column counts as unanswered, a role (such as weight or school) named in the mapping is not used.",
                "Eine von Instrument oder Zuordnung genannte Spalte fehlt in den Daten: Eine Frage ohne Spalte gilt als unbeantwortet, eine in der Zuordnung genannte Rolle (etwa Gewicht oder Schule) wird nicht verwendet."),
    ProblemCode("optional-column-absent", "info",
                "An optional column the instrument knows (such as weight or school) is not in the data; nothing is wrong, the run goes on without it.",
                "Eine optionale Spalte, die das Instrument kennt (etwa Gewicht oder Schule), ist nicht in den Daten; das ist kein Fehler, die Auswertung läuft ohne sie."),
    ProblemCode("unmapped-item", "warning",
                "The mapping gives this item no column; the item counts as unanswered.",
                "Die Zuordnung nennt für diese Frage keine Spalte; die Frage gilt als unbeantwortet."),
    ProblemCode("invalid-code", "warning",
                "A number that is neither an answer code nor a missing code of the item; counted as missing.",
                "Eine Zahl, die weder Antwort- noch Fehlend-Code der Frage ist; als fehlend gewertet."),
    ProblemCode("non-numeric-code", "warning",
                "A value that is not a number where an answer code is expected; counted as missing.",
                "Ein Wert, der keine Zahl ist, wo ein Antwortcode erwartet wird; als fehlend gewertet."),
    ProblemCode("missing-respondent", "warning",
                "A row has no respondent id.",
                "Eine Zeile hat keine Fragebogen-ID."),
    ProblemCode("grade-out-of-range", "warning",
                "The grade is not one of the instrument's grades (or not a number).",
                "Die Jahrgangsstufe ist keine der im Instrument vorgesehenen (oder keine Zahl)."),
    ProblemCode("missing-grade", "warning",
                "A row has no grade.",
                "Eine Zeile hat keine Jahrgangsstufe."),
    ProblemCode("unknown-gender", "warning",
                "The gender is not one of the instrument's genders; the respondent counts in the pooled figures only, never as a category of its own.",
                "Das Geschlecht ist keines der im Instrument vorgesehenen; die Person zählt nur in den Gesamtzahlen, nie als eigene Kategorie."),
    ProblemCode("missing-municipality", "warning",
                "A row has no municipality.",
                "Eine Zeile hat keine Gemeinde."),
    ProblemCode("empty-row", "warning",
                "A row without any value in the checked columns.",
                "Eine Zeile ohne jeden Wert in den geprüften Spalten."),
    ProblemCode("invalid-weight", "warning",
                "The weight is missing, not a number, or not greater than 0.",
                "Das Gewicht fehlt, ist keine Zahl oder nicht größer als 0."),
    ProblemCode("mixed-encoding", "warning",
                "The text file mixes UTF-8 and Windows (cp1252) lines; each line was read in its own encoding.",
                "Die Textdatei mischt UTF-8- und Windows-Zeilen (cp1252); jede Zeile wurde in ihrer eigenen Kodierung gelesen."),
    ProblemCode("column-matched-loosely", "info",
                "A column was found by ignoring case, spaces, '_', '-' and '.' in its name.",
                "Eine Spalte wurde ohne Beachtung von Groß-/Kleinschreibung, Leerzeichen, '_', '-' und '.' gefunden."),
    ProblemCode("unused-column", "info",
                "A data column is not used by the instrument.",
                "Eine Datenspalte wird vom Instrument nicht verwendet."),
)


def problem_code(code: str) -> ProblemCode:
    try:
        return CODES[code]
    except KeyError:
        raise ValueError(f"unknown problem code {code!r}; registered: {', '.join(CODES)}") from None


@dataclass(frozen=True)
class CheckProblem:
    """One problem with its location. ``message`` is optional: the code's description is used."""

    code: str
    message: str | None = None
    row: int | None = None
    respondent: str | None = None
    column: str | None = None
    value: str | None = None

    def __post_init__(self) -> None:
        problem_code(self.code)

    @property
    def severity(self) -> Severity:
        return CODES[self.code].severity


# --------------------------------------------------------------------------- the report


class CheckReport:
    """Collects problems; counts are exact, detail rows are kept up to ``cap`` per code.

    ``cap=None`` keeps every row. Single problems (``add``) are kept as small dicts,
    vectorised results (``extend``) as DataFrames; both are only turned into one
    tidy frame when :meth:`frame` is called.
    """

    def __init__(self, cap: int | None = DETAIL_CAP) -> None:
        if cap is not None and cap < 0:
            raise ValueError("cap must be >= 0 or None")
        self.cap = cap
        self._count: dict[str, int] = {}
        self._kept: dict[str, int] = {}
        self._parts: dict[str, list[pd.DataFrame | list[dict[str, Any]]]] = {}

    # -- collecting -----------------------------------------------------------
    def add(self, code: str, message: str | None = None, *, row: int | None = None,
            respondent: Any = None, column: str | None = None, value: Any = None) -> None:
        self.add_problem(CheckProblem(code, message, row, _text_or_none(respondent), column, _text_or_none(value)))

    def add_problem(self, problem: CheckProblem) -> None:
        code = problem.code
        room = self._room(code)
        self._count[code] = self._count.get(code, 0) + 1
        if room <= 0:
            return
        parts = self._parts.setdefault(code, [])
        if not parts or not isinstance(parts[-1], list):
            parts.append([])
        last = parts[-1]
        assert isinstance(last, list)
        last.append({k: getattr(problem, k) for k in _DETAIL})
        self._kept[code] = self._kept.get(code, 0) + 1

    def extend_problems(self, problems: Iterable[CheckProblem]) -> None:
        for p in problems:
            self.add_problem(p)

    def extend(self, code: str | None, frame: pd.DataFrame) -> None:
        """Add many problems of ``code`` at once from a frame with any of the columns
        row, respondent, column, value, message. With ``code=None`` the frame's
        ``code`` column says the code of each row (the ``find_*`` helpers return such frames).
        """
        if code is None:
            if len(frame) == 0:
                return
            for each, part in frame.groupby("code", sort=False):
                self.extend(str(each), part)
            return
        problem_code(code)
        n = len(frame)
        if n == 0:
            return
        room = self._room(code)
        self._count[code] = self._count.get(code, 0) + n
        if room <= 0:
            return
        part = frame.iloc[: min(room, n)]
        self._parts.setdefault(code, []).append(_tidy(part))
        self._kept[code] = self._kept.get(code, 0) + len(part)

    def merge(self, other: CheckReport) -> None:
        """Add everything ``other`` holds (its counts stay exact, its details are capped again)."""
        for code, count in other._count.items():
            detail = other._detail(code)
            self.extend(code, detail)
            self._count[code] += count - len(detail)

    def _room(self, code: str) -> int:
        return (1 << 62) if self.cap is None else self.cap - self._kept.get(code, 0)

    # -- reading --------------------------------------------------------------
    def __len__(self) -> int:
        return sum(self._count.values())

    def count(self, code: str) -> int:
        problem_code(code)
        return self._count.get(code, 0)

    @property
    def has_errors(self) -> bool:
        return any(CODES[c].severity == "error" for c, n in self._count.items() if n)

    def _ordered_codes(self) -> list[str]:
        rank = {s: i for i, s in enumerate(SEVERITIES)}
        order = {c: i for i, c in enumerate(CODES)}
        return sorted((c for c, n in self._count.items() if n), key=lambda c: (rank[CODES[c].severity], order[c]))

    def counts(self, lang: str = "en") -> pd.DataFrame:
        """One row per code found: code, severity, count (exact), listed (detail rows kept), description."""
        codes = self._ordered_codes()
        return pd.DataFrame({
            "code": pd.Series(codes, dtype="str"),
            "severity": pd.Series([CODES[c].severity for c in codes], dtype="str"),
            "count": pd.Series([self._count[c] for c in codes], dtype="int64"),
            "listed": pd.Series([self._kept.get(c, 0) for c in codes], dtype="int64"),
            "description": pd.Series([CODES[c].describe(lang) for c in codes], dtype="str"),
            "columns": pd.Series([self._columns(c) for c in codes], dtype="str"),
        })

    def _columns(self, code: str, most: int = 8) -> str:
        """The columns a column-level problem is about (names, never answers), so a reader
        sees which column is meant; empty for problems about answers in rows."""
        if code not in COLUMN_CODES:
            return ""
        names = list(dict.fromkeys(str(c) for c in self._detail(code)["column"].dropna()))
        if not names:  # a column that does not exist: the key it was wanted for
            names = list(dict.fromkeys(str(v) for v in self._detail(code)["value"].dropna()))
        more = self._count[code] - min(len(names), most)
        return ", ".join(names[:most]) + (f", … (+{more})" if more > 0 else "")

    def truncated(self) -> dict[str, tuple[int, int]]:
        """Codes whose detail rows were capped: code → (listed, count)."""
        return {c: (self._kept.get(c, 0), n) for c, n in self._count.items() if n > self._kept.get(c, 0)}

    def detail(self, code: str) -> pd.DataFrame:
        """The detail rows kept for one code: row, respondent, column, value, message."""
        problem_code(code)
        return self._detail(code)

    def _detail(self, code: str) -> pd.DataFrame:
        frames = [p if isinstance(p, pd.DataFrame) else _tidy(pd.DataFrame(p)) for p in self._parts.get(code, [])]
        return pd.concat(frames, ignore_index=True) if frames else _tidy(pd.DataFrame())

    def frame(self, lang: str = "en") -> pd.DataFrame:
        """Tidy view: code, severity, row, respondent, column, value, message (errors first)."""
        pieces = []
        for code in self._ordered_codes():
            detail = self._detail(code)
            if len(detail) == 0:
                continue
            detail.insert(0, "code", code)
            detail.insert(1, "severity", CODES[code].severity)
            detail["message"] = detail["message"].fillna(CODES[code].describe(lang))
            pieces.append(detail)
        if not pieces:
            return _empty_frame()
        out = pd.concat(pieces, ignore_index=True)
        for name in ("code", "severity"):
            out[name] = out[name].astype("str")
        return out[list(COLUMNS)]

    def to_csv(self, path: str | Path, lang: str = "en", *, overwrite: bool = True) -> Path:
        """Write :meth:`frame` as CSV (UTF-8 with byte-order mark, so Excel shows umlauts)."""
        target = Path(path)
        with atomic_path(target, overwrite=overwrite) as tmp:
            write_csv(self.frame(lang), tmp, encoding="utf-8-sig")
        return target

    def summary_lines(self, lang: str = "en") -> list[str]:
        """One line per code: ``invalid-code: 52,311 (warning) — description (first 10,000 listed)``."""
        if not self._count or not len(self):
            return ["Keine Probleme gefunden." if lang == "de" else "No problems found."]
        sev = {"de": {"error": "Fehler", "warning": "Warnung", "info": "Hinweis"}}.get(lang, {})
        lines = []
        for code in self._ordered_codes():
            entry, n, kept = CODES[code], self._count[code], self._kept.get(code, 0)
            line = f"{code}: {_num(n, lang)} ({sev.get(entry.severity, entry.severity)}) — {entry.describe(lang)}"
            if kept < n:
                line += (f" (die ersten {_num(kept, lang)} aufgeführt)" if lang == "de"
                         else f" (first {_num(kept, lang)} listed)")
            lines.append(line)
        return lines


def _num(n: int, lang: str) -> str:
    text = f"{n:,}"
    return text.replace(",", ".") if lang == "de" else text


def _empty_frame() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="str") for c in COLUMNS})
    frame["row"] = frame["row"].astype("Int64")
    return frame


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """The detail columns with fixed dtypes: row Int64, the rest text."""
    n = len(frame)
    out = {}
    for name in _DETAIL:
        if name in frame.columns:
            col = frame[name].reset_index(drop=True)
        else:
            col = pd.Series([pd.NA] * n, dtype="object")
        out[name] = col.astype("Int64") if name == "row" else as_text(col)
    return pd.DataFrame(out, columns=list(_DETAIL))


def _text_or_none(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def as_text(values: pd.Series) -> pd.Series:
    """Values as text (string dtype, NA kept); integral floats without ``.0`` (``7.0`` → ``"7"``)."""
    if pd.api.types.is_integer_dtype(values.dtype):  # Arrow formats integers 50x faster than numpy
        import pyarrow as pa
        import pyarrow.compute as pc

        text = pc.cast(pa.array(values, from_pandas=True), pa.large_string()).to_pandas()
        text.index = values.index
        return text.rename(values.name)
    if pd.api.types.is_float_dtype(values.dtype):
        arr = values.to_numpy(dtype="float64", na_value=np.nan)
        text = arr.astype(str).astype(object)
        integral = np.isfinite(arr) & (np.floor(arr) == arr) & (np.abs(arr) < 2**53)
        text[integral] = arr[integral].astype(np.int64).astype(str)
        text[np.isnan(arr)] = None
        return pd.Series(text, index=values.index, dtype="str")
    if pd.api.types.is_string_dtype(values.dtype) and values.dtype != object:
        return values
    if values.dtype == object:
        # mixed objects (e.g. problems added one at a time): format floats like the float branch
        floats = values.map(lambda v: isinstance(v, float))
        if floats.any():
            values = values.copy()
            values[floats] = as_text(values[floats].astype("float64")).astype(object)
    return values.astype("str")


# --------------------------------------------------------------------------- vectorised helpers


def _rows(index: pd.Index) -> np.ndarray:
    """1-based data row numbers: index + 1 for an integer index, else position + 1."""
    if pd.api.types.is_integer_dtype(index.dtype):
        return index.to_numpy(dtype="int64") + 1
    return np.arange(1, len(index) + 1, dtype="int64")


def _respondents(respondent: pd.Series | None, n: int) -> pd.Series:
    if respondent is None:
        return pd.Series([pd.NA] * n, dtype="str")
    if len(respondent) != n:
        raise ValueError(f"respondent has {len(respondent)} rows, the checked frame {n}")
    return as_text(respondent.reset_index(drop=True))


def _coded(code: str | np.ndarray, rows: np.ndarray, respondent: pd.Series, column: Any,
           value: pd.Series, message: Any = None) -> pd.DataFrame:
    n = len(rows)
    return pd.DataFrame({
        "code": pd.Series(np.broadcast_to(np.asarray(code, dtype=object), (n,)), dtype="str"),
        "row": pd.Series(rows, dtype="Int64"),
        "respondent": respondent.reset_index(drop=True),
        "column": pd.Series(np.broadcast_to(np.asarray(column, dtype=object), (n,)), dtype="str"),
        "value": value.reset_index(drop=True),
        "message": pd.Series(np.broadcast_to(np.asarray(message, dtype=object), (n,)), dtype="str"),
    })


def _empty_coded() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="str") for c in ("code", "row", "respondent", "column", "value", "message")})
    frame["row"] = frame["row"].astype("Int64")
    return frame


def _concat_coded(pieces: list[pd.DataFrame]) -> pd.DataFrame:
    pieces = [p for p in pieces if len(p)]
    return pd.concat(pieces, ignore_index=True) if pieces else _empty_coded()


def find_invalid_codes(
    raw: pd.DataFrame,
    allowed: Mapping[str, Iterable[float]],
    missing: Mapping[str, Iterable[float]] | None = None,
    *,
    respondent: pd.Series | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Answer codes checked against each column's response set, on the whole frame at once.

    ``raw``: item columns as read (text or numbers). ``allowed``: column → answer codes
    (integers); ``missing``: column → codes meaning "no answer". Returns ``(problems, codes)``:

    * ``problems`` — one row per bad cell (code, row, respondent, column, value, message),
      ``non-numeric-code`` for values that are not numbers (``"x"``), ``invalid-code``
      for numbers that are neither answer nor missing codes; ordered by row, then column;
    * ``codes`` — float64 frame like ``raw`` holding the answer codes; empty cells,
      missing codes, invalid and non-numeric values are NaN.
    """
    from .codetables import codes_matrix, encode, pack

    missing = missing or {}
    lacking = [c for c in raw.columns if c not in allowed]
    if lacking:
        raise ValueError(f"no allowed codes given for column(s) {lacking}")
    tables = pack([(allowed[c], missing.get(c, ()), None) for c in raw.columns])
    columns = [raw[c] for c in raw.columns]
    encoded = encode(columns, tables, len(raw))
    rows, cols, text = encoded.invalid_cells()
    problems = invalid_cells(rows, cols, text, columns,
                             [str(c) for c in raw.columns], raw.index, respondent)
    codes = pd.DataFrame(codes_matrix(encoded, tables), index=raw.index, columns=raw.columns, dtype="float64")
    return problems, codes


def invalid_cells(rows: np.ndarray, cols: np.ndarray, non_numeric: np.ndarray, columns: list[Any],
                  names: list[str], index: pd.Index, respondent: pd.Series | None) -> pd.DataFrame:
    """Problem rows for invalid cells given by position (``rows``, ``cols``, ordered by row,
    then column); ``columns`` are the raw columns (pandas Series or Arrow arrays).

    The cost is in the (rare) problems, not in the size of the data.
    """
    if rows.size == 0:
        return _empty_coded()
    values = np.empty(rows.size, dtype=object)
    for j in np.unique(cols):
        hit = cols == j
        col = columns[j]
        picked = col.iloc[rows[hit]] if isinstance(col, pd.Series) else col.take(rows[hit]).to_pandas()
        values[hit] = as_text(pd.Series(picked)).to_numpy(dtype=object, na_value=None)
    resp = _respondents(respondent.iloc[rows] if respondent is not None else None, rows.size)
    codes = np.where(non_numeric, "non-numeric-code", "invalid-code")
    return _coded(codes, _rows(index)[rows], resp, np.asarray(names, dtype=object)[cols],
                  pd.Series(values, dtype="str"))


def find_duplicates(respondent: pd.Series) -> pd.DataFrame:
    """``duplicate-respondent`` for every row whose (non-empty) id occurs more than once."""
    ids = as_text(respondent.reset_index(drop=True))
    dup = (ids.duplicated(keep=False) & ids.notna()).to_numpy()
    if not dup.any():
        return _empty_coded()
    times = ids[dup].groupby(ids[dup]).transform("size").astype("str")
    message = "respondent id occurs " + times + " times"
    rows = _rows(respondent.index)[dup]
    return _coded("duplicate-respondent", rows, ids[dup], respondent.name, ids[dup], message.to_numpy(dtype=object))


def ids_may_repeat(parts: Sequence[Any]) -> bool:
    """False when the respondent ids (raw columns, chunk by chunk) are surely all distinct.

    The usual answer for a whole file in one sort: numbers are compared as numbers
    (distinct numbers have distinct texts), text through a hash table. ``True`` sends
    the caller to :func:`find_duplicates`, which compares the ids as text.
    """
    import pyarrow as pa

    try:
        arrays = [pa.array(p, from_pandas=True) if isinstance(p, pd.Series) else p for p in parts]
    except (pa.ArrowException, TypeError, ValueError):  # mixed objects: let the text comparison decide
        return True
    if len({a.type for a in arrays}) > 1:
        return True
    if arrays and (pa.types.is_integer(arrays[0].type) or pa.types.is_floating(arrays[0].type)):
        values = np.sort(np.concatenate([a.drop_null().to_numpy() for a in arrays]))
        return bool((values[1:] == values[:-1]).any())
    text = pd.concat([pd.Series(a.to_pandas()) for a in arrays], ignore_index=True) if arrays else pd.Series(dtype="str")
    return bool(text.dropna().duplicated().any())


def flagged_rows(code: str, mask: np.ndarray, index: pd.Index, respondent: pd.Series | None,
                 column: Any = None, values: pd.Series | None = None, message: Any = None) -> pd.DataFrame:
    """One problem row per ``True`` in ``mask``; ids and values are formatted only there."""
    problem_code(code)
    picked = np.flatnonzero(mask)
    resp = _respondents(respondent.iloc[picked] if respondent is not None else None, picked.size)
    text = as_text(values.iloc[picked]) if values is not None else pd.Series([pd.NA] * picked.size, dtype="str")
    return _coded(code, _rows(index)[picked], resp, column, text, message)


def find_missing_values(series: pd.Series, code: str, *, respondent: pd.Series | None = None) -> pd.DataFrame:
    """Rows where ``series`` is empty, reported as ``code`` (``missing-grade``, ``missing-municipality``, ...)."""
    return flagged_rows(code, series.isna().to_numpy(), series.index, respondent, series.name)


def find_empty_rows(frame: pd.DataFrame, *, respondent: pd.Series | None = None) -> pd.DataFrame:
    """``empty-row`` for rows where every column of ``frame`` is empty.

    Pass the item columns to find questionnaires without a single answer, or the
    whole frame to find blank lines.
    """
    return flagged_rows("empty-row", frame.isna().all(axis=1).to_numpy(), frame.index, respondent)


def find_grade_problems(grade: pd.Series, grades: Iterable[int], *, respondent: pd.Series | None = None) -> pd.DataFrame:
    """``missing-grade`` for empty grades, ``grade-out-of-range`` for grades not in ``grades``
    (including values that are not numbers, e.g. ``"8a"``)."""
    allowed = np.asarray(list(grades), dtype="float64")
    number = to_number(grade).to_numpy(dtype="float64", na_value=np.nan)
    empty = grade.isna().to_numpy()
    outside = ~empty & ~np.isin(number, allowed)
    msg = f"grades of the instrument: {', '.join(str(int(g)) for g in allowed)}"
    pieces = [
        flagged_rows("missing-grade", empty, grade.index, respondent, grade.name, grade),
        flagged_rows("grade-out-of-range", outside, grade.index, respondent, grade.name, grade, msg),
    ]
    return _sort_rows(_concat_coded(pieces))


def find_gender_problems(gender: pd.Series, genders: Iterable[str], *, respondent: pd.Series | None = None) -> pd.DataFrame:
    """``unknown-gender`` for a non-empty gender that is not one of ``genders`` (the instrument's codes)."""
    allowed = list(genders)
    text = gender.astype("string").str.strip()
    outside = (text.notna() & (text != "") & ~text.isin(allowed)).to_numpy(dtype=bool, na_value=False)
    msg = f"genders of the instrument: {', '.join(allowed)}"
    return flagged_rows("unknown-gender", outside, gender.index, respondent, gender.name, gender, msg)


def find_invalid_weights(
    weight: pd.Series, decimal: str = ".", *, respondent: pd.Series | None = None
) -> tuple[pd.DataFrame, pd.Series]:
    """``invalid-weight`` for weights that are empty, not numbers or not > 0.

    Returns ``(problems, weights)``: float64 weights, NaN where invalid.
    ``decimal`` is ``SourceInfo.decimal`` (``","`` reads ``1,25`` as 1.25).
    """
    number = to_number(weight, decimal)
    arr = number.to_numpy(dtype="float64", na_value=np.nan)
    bad = ~(np.isfinite(arr) & (arr > 0))
    problems = flagged_rows("invalid-weight", bad, weight.index, respondent, weight.name, weight)
    return problems, number.where(~bad)


def _sort_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("row", kind="stable").reset_index(drop=True) if len(frame) else frame


def with_columns(description: str, columns: object, label: str) -> str:
    """A problem's meaning and, for a problem about whole columns, which columns (the
    ``columns`` field of the published summary; report and workbook both show it)."""
    names = "" if columns is None or pd.isna(columns) else str(columns).strip()
    return f"{description} {label}: {names}" if names else description
