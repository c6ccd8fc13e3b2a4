"""Classifying raw answer values against response sets: every cell becomes a *slot*.

A slot is one small unsigned integer per cell:

====  ========================================================================
0     ``NUL`` empty: null, NaN or empty text
1     ``INV`` invalid: neither an answer code nor a missing code (reported)
2     ``MIS`` one of the response set's missing codes
3+k   the k-th answer code, in increasing code order
====  ========================================================================

Because answer codes keep their order, "code ≥ v" is "slot ≥ threshold" and
"answered" is "slot ≥ 3": the scorer works with comparisons and tiny look-up tables on
one byte per cell instead of float matrices (see ``docs/scoring.md``, "How scoring is
computed"). Used by the scorer (every item of an instrument) and by
:func:`ctc.checks.find_invalid_codes` (any set of columns).

Look-ups go through Arrow's ``take`` kernel: it accepts byte indices as they are (numpy
first widens them to 8-byte integers) and releases the GIL, so two threads score two
row blocks at once. Parquet integer columns are read straight from their Arrow buffers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

NUL, INV, MIS, FIRST = 0, 1, 2, 3
#: largest code span (highest − lowest code) served by a direct look-up table;
#: wider sets (e.g. missing code 99999) are looked up by binary search
DIRECT_SPAN = 1 << 16

Raw = pa.Array | pa.ChunkedArray | pd.Series | np.ndarray | None


_TAKE = pc.get_function("take")
_TAKE_OPTIONS = pc.TakeOptions(boundscheck=True)


def take(table: pa.Array, index: np.ndarray) -> np.ndarray:
    """``table[index]`` through Arrow (no index widening, GIL released); read-only result.

    Calls the compute function directly: ``pc.take``'s Python wrapper costs twice as much
    per call, and the kernel makes hundreds of calls per block.
    """
    return _TAKE.call([table, pa.array(index)], _TAKE_OPTIONS).to_numpy()


@dataclass(frozen=True, eq=False)
class ColumnCodes:
    """One column's response set, compiled for slot encoding."""

    answers: np.ndarray  # int64, sorted: the answer codes; answer k has slot FIRST + k
    missing: np.ndarray  # int64, sorted: the missing codes
    values: np.ndarray  # float64 per answer code: its value (response set ``values``, else the code)
    dtype: np.dtype  # slot dtype (uint8, or uint16 for sets with more than 252 answer codes)

    @cached_property
    def _sorted(self) -> tuple[np.ndarray, np.ndarray]:
        """Every code (answers and missing) sorted, and the slot of each."""
        codes = np.concatenate([self.answers, self.missing])
        slots = np.concatenate([FIRST + np.arange(self.answers.size), np.full(self.missing.size, MIS)])
        order = np.argsort(codes, kind="stable")
        return codes[order], slots[order].astype(self.dtype)

    @cached_property
    def _direct(self) -> tuple[int, int, pa.Array] | None:
        """(low, span, table): table[code − low] is the slot; table[span] is INV."""
        codes, slots = self._sorted
        if not codes.size:
            return None
        low, span = int(codes[0]), int(codes[-1] - codes[0]) + 1
        if span > DIRECT_SPAN:
            return None
        table = np.full(span + 1, INV, dtype=self.dtype)
        table[codes - low] = slots
        return low, span, pa.array(table)

    def slots_of_ints(self, codes: np.ndarray) -> np.ndarray:
        """Slots of integer codes (any integer dtype)."""
        direct = self._direct
        if direct is not None:
            low, span, table = direct
            wide = codes.astype(np.int64, copy=False)
            if codes.dtype == np.uint64:
                wide = np.minimum(codes, np.uint64(2**62)).astype(np.int64)
            return take(table, np.minimum((wide - low).view(np.uint64), np.uint64(span)))
        known, slots = self._sorted
        out = np.full(codes.shape, INV, dtype=self.dtype)
        if known.size:
            pos = np.minimum(np.searchsorted(known, codes), known.size - 1)
            hit = known[pos] == codes
            out[hit] = slots[pos[hit]]
        return out

    def slots_of_floats(self, values: np.ndarray) -> np.ndarray:
        """Slots of float codes: NaN is empty, a fraction or infinity is invalid."""
        with np.errstate(invalid="ignore"):
            whole = values.astype(np.int64)  # NaN/inf → garbage, caught by `integral`
            integral = whole == values
        whole[~integral] = np.iinfo(np.int64).min  # out of every range → INV
        slots = self.slots_of_ints(whole)
        empty = np.isnan(values)
        if empty.any():
            slots = np.where(empty, slots.dtype.type(NUL), slots)
        return slots

    def byte_table(self, signed: bool) -> pa.Array:
        return self._byte_tables[signed]

    @cached_property
    def _byte_tables(self) -> dict[bool, pa.Array]:
        """Slot per raw byte (0–255) for 1-byte integer columns, read signed or unsigned."""
        raw = np.arange(256, dtype=np.int64)
        return {False: pa.array(self.slots_of_ints(raw)),
                True: pa.array(self.slots_of_ints(np.where(raw < 128, raw, raw - 256)))}

    def threshold(self, value: float) -> int:
        """The slot from which on the code is ≥ ``value`` (FIRST + number of answers: never)."""
        return FIRST + int(np.searchsorted(self.answers, value, side="left"))

    @cached_property
    def slot_codes(self) -> np.ndarray:
        """float64 per slot: the answer code, NaN for empty, invalid and missing."""
        return np.concatenate([np.full(FIRST, np.nan), self.answers.astype(np.float64)])

    @cached_property
    def slot_values(self) -> np.ndarray:
        """float64 per slot: the answer's value, NaN for empty, invalid and missing."""
        return np.concatenate([np.full(FIRST, np.nan), self.values])


@dataclass(frozen=True)
class CodeTables:
    columns: tuple[ColumnCodes, ...]

    @property
    def dtype(self) -> np.dtype:
        return self.columns[0].dtype if self.columns else np.dtype(np.uint8)


def pack(sets: Sequence[tuple[Iterable[int], Iterable[int], Mapping[int, float] | None]]) -> CodeTables:
    """Tables for columns given as (answer codes, missing codes, code → value or None).

    Columns with the same response set share one :class:`ColumnCodes`, so its look-up
    tables are built once.
    """
    parts = []
    for answers, missing, mapping in sets:
        a = np.array(sorted({int(c) for c in answers}), dtype=np.int64)
        m = np.array(sorted({int(c) for c in missing}), dtype=np.int64)
        v = np.array([float(mapping[c]) if mapping is not None else float(c) for c in a], dtype=np.float64)
        parts.append((a, m, v))
    widest = max((a.size for a, _, _ in parts), default=0)
    dtype = np.dtype(np.uint8) if FIRST + widest <= 256 else np.dtype(np.uint16)
    shared: dict[tuple[bytes, bytes, bytes], ColumnCodes] = {}
    columns = []
    for a, m, v in parts:
        key = (a.tobytes(), m.tobytes(), v.tobytes())
        if key not in shared:
            shared[key] = ColumnCodes(a, m, v, dtype)
        columns.append(shared[key])
    return CodeTables(tuple(columns))


# --------------------------------------------------------------------------- encoding


@dataclass(frozen=True)
class Encoded:
    """Slots of a set of columns over the same rows."""

    slots: list[np.ndarray]  # one array of n slots per column
    non_numeric: dict[int, np.ndarray]  # column → bool mask: text that is not a number (slot INV)

    def invalid_cells(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, columns, non-numeric?) of the invalid cells, ordered by row, then column."""
        return invalid_cells(dict(enumerate(self.slots)), self.non_numeric)


def invalid_cells(slots: Mapping[int, np.ndarray], non_numeric: Mapping[int, np.ndarray]
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, column keys, non-numeric text?) of the INV slots, ordered by row, then column;
    ``non_numeric`` holds the text masks of the columns that had any."""
    rows, cols = [], []
    for j, s in slots.items():
        bad = s == INV
        if bad.any():
            r = np.flatnonzero(bad)
            rows.append(r), cols.append(np.full(r.size, j, dtype=np.intp))
    if not rows:
        none = np.empty(0, dtype=np.intp)
        return none, none, np.empty(0, dtype=bool)
    r, c = np.concatenate(rows), np.concatenate(cols)
    order = np.lexsort((c, r))
    r, c = r[order], c[order]
    text = np.zeros(r.size, dtype=bool)
    for j, mask in non_numeric.items():
        hit = c == j
        text[hit] = mask[r[hit]]
    return r, c, text


def encode(columns: Sequence[Raw], tables: CodeTables, n: int) -> Encoded:
    """Slots for every column; ``None`` columns are absent (every cell empty)."""
    slots, non_numeric = [], {}
    empty = None
    for j, (col, cc) in enumerate(zip(columns, tables.columns, strict=True)):
        if col is None:
            empty = np.zeros(n, dtype=cc.dtype) if empty is None else empty
            slots.append(empty)
            continue
        s, text = encode_column(col, cc)
        if len(s) != n:
            raise ValueError(f"column {j} has {len(s)} rows, expected {n}")
        slots.append(s)
        if text is not None:
            non_numeric[j] = text
    return Encoded(slots, non_numeric)


def encode_column(col: Raw, cc: ColumnCodes) -> tuple[np.ndarray, np.ndarray | None]:
    """(slots, mask of non-numeric text or None) for one column as read."""
    if isinstance(col, pa.ChunkedArray):
        parts = [encode_column(c, cc) for c in col.chunks] or [(np.empty(0, dtype=cc.dtype), None)]
        slots = np.concatenate([p[0] for p in parts])
        texts = [p[1] if p[1] is not None else np.zeros(len(p[0]), dtype=bool) for p in parts]
        return slots, (np.concatenate(texts) if any(p[1] is not None for p in parts) else None)
    if isinstance(col, pa.Array):
        return _encode_arrow(col, cc)
    if isinstance(col, np.ndarray):
        col = pd.Series(col)
    return _encode_series(col, cc)


def _buffer(arr: pa.Array, dtype: np.dtype) -> np.ndarray:
    """The values of a primitive Arrow array as a zero-copy numpy view (nulls hold junk)."""
    buf = arr.buffers()[1]
    if buf is None or len(arr) == 0:
        return np.zeros(len(arr), dtype=dtype)
    return np.frombuffer(buf, dtype=dtype, count=arr.offset + len(arr))[arr.offset:]


def raw_bytes(arr: pa.Array) -> np.ndarray:
    """The values of a 1-byte integer Arrow array as uint8, zero-copy (nulls hold junk)."""
    return _buffer(arr, np.dtype(np.uint8))


def valid_mask(arr: pa.Array) -> np.ndarray | None:
    """uint8 1/0 per row from the validity bitmap, or None without nulls."""
    if arr.null_count == 0:
        return None
    bitmap = arr.buffers()[0]
    if bitmap is None:  # a null-type array: everything is null
        return np.zeros(len(arr), dtype=np.uint8)
    first, skip = divmod(arr.offset, 8)  # unpack only this slice's bytes, not the whole batch's
    raw = np.frombuffer(bitmap, dtype=np.uint8)[first:first + (skip + len(arr) + 7) // 8]
    return np.unpackbits(raw, count=skip + len(arr), bitorder="little")[skip:]


def _encode_arrow(arr: pa.Array, cc: ColumnCodes) -> tuple[np.ndarray, np.ndarray | None]:
    t = arr.type
    if pa.types.is_dictionary(t):
        return _encode_arrow(arr.dictionary_decode(), cc)
    if pa.types.is_null(t):
        return np.zeros(len(arr), dtype=cc.dtype), None
    if pa.types.is_integer(t):
        raw = _buffer(arr, np.dtype(t.to_pandas_dtype()))
        if t.bit_width == 8:
            slots = take(cc.byte_table(pa.types.is_signed_integer(t)), raw.view(np.uint8))
        else:
            slots = cc.slots_of_ints(raw)
    elif pa.types.is_floating(t):
        slots = cc.slots_of_floats(_buffer(arr, np.dtype(t.to_pandas_dtype())).astype(np.float64, copy=False))
    elif pa.types.is_decimal(t):
        return _encode_arrow(arr.cast(pa.float64()), cc)
    else:  # text, booleans, dates, ...: judged as text, like the pandas-based readers
        return _encode_series(arr.to_pandas(), cc)
    valid = valid_mask(arr)
    if valid is not None:
        slots = slots * valid.astype(slots.dtype, copy=False)  # NUL is 0
    return slots, None


def _encode_series(col: pd.Series, cc: ColumnCodes) -> tuple[np.ndarray, np.ndarray | None]:
    dtype = col.dtype
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        if isinstance(dtype, np.dtype) and dtype.kind in "iu":
            return cc.slots_of_ints(col.to_numpy()), None
        return cc.slots_of_floats(col.to_numpy(dtype=np.float64, na_value=np.nan)), None
    text = col.astype("string").str.strip()
    text = text.mask(text == "")
    numbers = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    non_numeric = text.notna().to_numpy() & np.isnan(numbers)
    slots = cc.slots_of_floats(numbers)
    if non_numeric.any():
        slots = np.where(non_numeric, slots.dtype.type(INV), slots)
        return slots, non_numeric
    return slots, None


def codes_matrix(encoded: Encoded, tables: CodeTables) -> np.ndarray:
    """float64 rows × columns: the answer code, NaN for everything else."""
    n = len(encoded.slots[0]) if encoded.slots else 0
    out = np.empty((n, len(encoded.slots)))
    for j, (s, cc) in enumerate(zip(encoded.slots, tables.columns, strict=True)):
        out[:, j] = cc.slot_codes[s]
    return out
