"""A chunk of survey rows as read: a pandas DataFrame (text, Excel and SPSS readers) or
an Arrow record batch (Parquet).

The pipeline asks a chunk for a handful of metadata columns as pandas Series
(:meth:`Chunk.series`) and for the item columns as they are (:meth:`Chunk.raw`), so
Parquet item columns reach the scorer as Arrow arrays without a conversion to floats.
Cleaning is the same for both kinds: text is stripped, and the NA tokens become empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: cells that mean "no value" in every text-based export
NA_TOKENS: tuple[str, ...] = ("", "NA", "N/A", "n/a", "NaN", "nan", "NULL", "null", "#NULL!", ".")


def clean_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Strip string cells and turn NA tokens into NA; categoricals become plain values."""
    out = {}
    for name, col in frame.items():
        if isinstance(col.dtype, pd.CategoricalDtype):
            col = col.astype(col.cat.categories.dtype)
        if pd.api.types.is_string_dtype(col.dtype) or col.dtype == object:
            col = col.astype("str").str.strip()
            col = col.mask(col.isin(NA_TOKENS))
        out[name] = col
    return pd.DataFrame(out, index=frame.index, columns=frame.columns) if out else frame


def clean_arrow(arr: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """The Arrow counterpart of :func:`clean_frame` for one column."""
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode() if isinstance(arr, pa.Array) else pa.chunked_array(
            [c.dictionary_decode() for c in arr.chunks], type=arr.type.value_type)
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        arr = pc.utf8_trim_whitespace(arr)
        na = pc.is_in(arr, value_set=pa.array(NA_TOKENS, type=arr.type))
        if pc.any(na).as_py():
            arr = pc.if_else(na, pa.scalar(None, type=arr.type), arr)
    return arr


class Chunk:
    """Rows ``start`` … ``start + len − 1`` (0-based data rows) of a survey file."""

    start: int
    columns: tuple[str, ...]

    def __len__(self) -> int:
        raise NotImplementedError

    @property
    def index(self) -> pd.Index:
        raise NotImplementedError

    def series(self, name: str) -> pd.Series:
        """A column as a pandas Series on :attr:`index`."""
        replaced = getattr(self, "_replaced", {})
        return replaced[name] if name in replaced else self._series(name)

    def replace(self, name: str, values: pd.Series) -> None:
        """Use ``values`` for column ``name`` from now on (e.g. cleaned weights)."""
        if not hasattr(self, "_replaced"):
            self._replaced: dict[str, pd.Series] = {}
        self._replaced[name] = values

    def _series(self, name: str) -> pd.Series:
        raise NotImplementedError

    def raw(self, name: str) -> Any:
        """A column as read (Arrow array or pandas Series), for the code classifier."""
        raise NotImplementedError

    def frame(self) -> pd.DataFrame:
        raise NotImplementedError

    def slice(self, a: int, b: int) -> Chunk:
        """Rows a … b − 1 of this chunk (positions), as a chunk of their own."""
        raise NotImplementedError


@dataclass
class FrameChunk(Chunk):
    data: pd.DataFrame  # already cleaned

    def __post_init__(self) -> None:
        self.columns = tuple(self.data.columns)
        index = self.data.index
        self.start = int(index[0]) if len(index) and pd.api.types.is_integer_dtype(index.dtype) else 0

    def __len__(self) -> int:
        return len(self.data)

    @property
    def index(self) -> pd.Index:
        return self.data.index

    def _series(self, name: str) -> pd.Series:
        return self.data[name]

    def raw(self, name: str) -> pd.Series:
        return self.data[name]

    def frame(self) -> pd.DataFrame:
        return self.data

    def slice(self, a: int, b: int) -> FrameChunk:
        part = FrameChunk(self.data.iloc[a:b])
        for name, values in getattr(self, "_replaced", {}).items():
            part.replace(name, values.iloc[a:b])
        return part


@dataclass
class ArrowChunk(Chunk):
    batch: pa.RecordBatch
    start: int = 0

    def __post_init__(self) -> None:
        self.columns = tuple(self.batch.schema.names)
        self._clean: dict[str, Any] = {}
        self._pandas: dict[str, pd.Series] = {}

    def __len__(self) -> int:
        return self.batch.num_rows

    @property
    def index(self) -> pd.Index:
        return pd.RangeIndex(self.start, self.start + self.batch.num_rows)

    def raw(self, name: str) -> Any:
        if name not in self._clean:
            self._clean[name] = clean_arrow(self.batch.column(self.columns.index(name)))
        return self._clean[name]

    def _series(self, name: str) -> pd.Series:
        if name not in self._pandas:
            series = self.raw(name).to_pandas()
            series.index, series.name = self.index, name
            self._pandas[name] = series
        return self._pandas[name]

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({name: self.series(name) for name in self.columns}, index=self.index, columns=list(self.columns))

    def slice(self, a: int, b: int) -> ArrowChunk:
        part = ArrowChunk(self.batch.slice(a, b - a), self.start + a)
        for name, values in getattr(self, "_replaced", {}).items():
            part.replace(name, values.iloc[a:b])
        return part
