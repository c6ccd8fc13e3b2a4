"""Writing respondent-level survey files, format chosen by the file extension.

``open_writer(path, instrument)`` returns a context manager whose writer takes
DataFrame chunks; the file appears at ``path`` only when the ``with`` block ends
without an error (everything goes through :func:`ctc.io.atomic.atomic_path`).

=========  ===============================================================  ===========
extension  what is written                                                  memory
=========  ===============================================================  ===========
.csv       UTF-8 (or ``csv_encoding``), ``csv_sep``, ``csv_decimal``;        streamed
           ``\\n`` line ends; empty cell = no answer
.parquet   one row group per chunk; nullable integer item columns           streamed
.xlsx      sheet ``data`` (header + rows) and sheet ``labels`` (variable    streamed
           and value labels); at most 1,048,575 data rows
.sav       SPSS (bytecode-compressed) with variable labels (item text,      whole file
           English), value labels (response set codes, English),           buffered
           user-missing codes declared
=========  ===============================================================  ===========

Files are byte-identical for identical input: the CSV and Parquet writers embed no
time; for .xlsx the zip entry times and the document's created/modified dates are
fixed, and for .sav the header's creation date and time are fixed (see
:data:`FIXED_TIMESTAMP`).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from ..errors import OutputError
from ..instrument.model import Instrument
from .atomic import atomic_path

FORMATS: dict[str, str] = {".csv": "csv", ".parquet": "parquet", ".xlsx": "xlsx", ".sav": "sav"}
EXCEL_MAX_ROWS = 1_048_576  # including the header row
FIXED_TIMESTAMP = (2000, 1, 1, 0, 0, 0)
NO_ANSWER_LABEL = "no answer"
ROLE_LABELS = {
    "respondent": "Respondent id",
    "municipality": "Municipality",
    "school": "School",
    "grade": "Grade",
    "gender": "Gender",
    "weight": "Survey weight",
    "wave": "Survey wave (year)",
}


class SurveyWriter(Protocol):
    rows: int

    def write(self, chunk: pd.DataFrame) -> None: ...


def survey_format(path: str | Path) -> str:
    """The output format for ``path`` (``csv``, ``parquet``, ``xlsx``, ``sav``)."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise OutputError(
            f"cannot write survey files with the extension {suffix or '(none)'!r}",
            f"use one of {', '.join(FORMATS)}",
        )
    return FORMATS[suffix]


class Labels:
    """Variable and value labels (English) for the columns of a survey file."""

    def __init__(self, inst: Instrument, columns: Mapping[str, str] | None = None) -> None:
        roles = dict(columns) if columns is not None else inst.columns.present()
        self.variable: dict[str, str] = {col: ROLE_LABELS.get(role, role) for role, col in roles.items()}
        self.values: dict[str, dict[int | str, str]] = {}
        self.missing: dict[str, list[int]] = {}
        self.items: set[str] = set()
        self.nominal = {roles[r] for r in ("respondent", "municipality", "school", "gender") if r in roles}
        self.scale = {roles[r] for r in ("weight",) if r in roles}
        if "gender" in roles and inst.genders:
            self.values[roles["gender"]] = {k: str(v) for k, v in inst.genders.items()}
        for item in inst.items:
            rs = inst.response_sets[item.response_set]
            col = item.source_column
            self.items.add(col)
            self.variable[col] = str(item.text)
            labels: dict[int | str, str] = {int(c): str(t) for c, t in sorted(rs.codes.items())}
            labels.update({int(c): NO_ANSWER_LABEL for c in rs.missing})
            self.values[col] = labels
            if rs.missing:
                self.missing[col] = sorted(int(c) for c in rs.missing)


# ------------------------------------------------------------------------------ writers


class _CsvWriter:
    def __init__(self, path: Path, sep: str, encoding: str, decimal: str) -> None:
        self.rows = 0
        self._sep, self._encoding, self._decimal = sep, encoding, decimal
        self._fh = open(path, "w", encoding=encoding, newline="")

    def write(self, chunk: pd.DataFrame) -> None:
        try:
            chunk.to_csv(self._fh, sep=self._sep, decimal=self._decimal, index=False, header=self.rows == 0, lineterminator="\n")
        except UnicodeEncodeError as exc:
            bad = exc.object[exc.start : exc.end] if isinstance(exc.object, str) else "?"
            raise OutputError(f"the text {bad!r} cannot be written in the encoding {self._encoding}", "use --encoding utf-8 or change the names") from None
        self.rows += len(chunk)

    def close(self) -> None:
        self._fh.close()

    abort = close


class _ParquetWriter:
    def __init__(self, path: Path, inst: Instrument) -> None:
        self.rows = 0
        self._path = path
        self._writer = None
        self._schema = None
        self._meta = {b"ctc:instrument": f"{inst.id} {inst.version}".encode()}

    def write(self, chunk: pd.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(chunk, preserve_index=False)
        if self._writer is None:
            self._schema = table.schema.with_metadata({**(table.schema.metadata or {}), **self._meta})
            self._writer = pq.ParquetWriter(self._path, self._schema, compression="zstd")
        table = table.cast(self._schema)
        self._writer.write_table(table)
        self.rows += len(chunk)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()

    abort = close


class _XlsxWriter:
    def __init__(self, path: Path, labels: Labels) -> None:
        from openpyxl import Workbook

        self.rows = 0
        self._path, self._labels = path, labels
        self._wb = Workbook(write_only=True)
        self._ws = self._wb.create_sheet("data")

    def write(self, chunk: pd.DataFrame) -> None:
        if self.rows + len(chunk) + 1 > EXCEL_MAX_ROWS:
            raise OutputError(
                f"an .xlsx sheet holds at most {EXCEL_MAX_ROWS - 1:,} data rows; this file would have more",
                "write .csv, .parquet or .sav for large files",
            )
        if self.rows == 0:
            self._ws.append(list(chunk.columns))
        columns = [chunk[c].astype(object).where(chunk[c].notna(), None).tolist() for c in chunk.columns]
        for row in zip(*columns):
            self._ws.append(row)
        self.rows += len(chunk)

    def close(self) -> None:
        ws = self._wb.create_sheet("labels")
        ws.append(["column", "label", "code", "code_label"])
        for col, label in self._labels.variable.items():
            ws.append([col, label, None, None])
            for code, text in self._labels.values.get(col, {}).items():
                ws.append([col, None, code, text])
        self._wb.properties.creator = "ctc"
        self._wb.save(self._path)
        _normalise_zip(self._path)

    def abort(self) -> None:
        pass


class _SavWriter:
    """pyreadstat writes a whole DataFrame, so chunks are buffered until the end."""

    def __init__(self, path: Path, labels: Labels) -> None:
        self.rows = 0
        self._path, self._labels = path, labels
        self._chunks: list[pd.DataFrame] = []

    def write(self, chunk: pd.DataFrame) -> None:
        self._chunks.append(chunk)
        self.rows += len(chunk)

    def close(self) -> None:
        import pyreadstat

        frame = pd.concat(self._chunks, ignore_index=True) if self._chunks else pd.DataFrame()
        self._chunks.clear()
        for col in frame.columns:  # plain float64 / object columns: pyreadstat writes them fastest
            dtype = frame[col].dtype
            if pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_float_dtype(dtype):
                if isinstance(dtype, pd.api.extensions.ExtensionDtype):
                    frame[col] = frame[col].to_numpy(dtype=np.float64, na_value=np.nan)
            elif pd.api.types.is_string_dtype(dtype):
                frame[col] = frame[col].astype(object)
        lab = self._labels
        cols = set(frame.columns)
        measure = {c: "nominal" if c in lab.nominal else "scale" if c in lab.scale else "ordinal" for c in frame.columns}
        try:
            pyreadstat.write_sav(
                frame,
                str(self._path),
                column_labels={c: lab.variable.get(c) for c in frame.columns},
                variable_value_labels={c: v for c, v in lab.values.items() if c in cols},
                missing_ranges={c: list(v) for c, v in lab.missing.items() if c in cols},  # type: ignore[misc]
                variable_measure=measure,
                row_compress=True,  # SPSS's own bytecode compression (.sav, not .zsav)
            )
        except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError) as exc:
            raise OutputError(f"SPSS file could not be written: {exc}", "check that column names are valid SPSS variable names") from None
        _fix_sav_header(self._path)

    def abort(self) -> None:
        self._chunks.clear()


def _normalise_zip(path: Path) -> None:
    """Fixed entry times and document dates, so the same workbook gives the same bytes."""
    with zipfile.ZipFile(path) as zin:
        entries = [(info, zin.read(info.filename)) for info in zin.infolist()]
    stamp = "%04d-%02d-%02dT%02d:%02d:%02dZ" % FIXED_TIMESTAMP
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)", rb"\g<1>" + stamp.encode() + rb"\g<3>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIMESTAMP)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            zout.writestr(fixed, data)
    path.write_bytes(buf.getvalue())


_SAV_DATE = slice(92, 101)  # "dd Mon yy" in the SPSS file header
_SAV_TIME = slice(101, 109)  # "hh:mm:ss"


def _fix_sav_header(path: Path) -> None:
    with open(path, "r+b") as fh:
        head = bytearray(fh.read(109))
        if head[:4] not in (b"$FL2", b"$FL3"):
            return
        y, _, d = FIXED_TIMESTAMP[:3]
        head[_SAV_DATE] = f"{d:02d} Jan {y % 100:02d}".encode("ascii")
        head[_SAV_TIME] = b"00:00:00"
        fh.seek(0)
        fh.write(head)


@contextmanager
def open_writer(
    path: str | Path,
    instrument: Instrument,
    *,
    csv_sep: str = ",",
    csv_encoding: str = "utf-8",
    csv_decimal: str = ".",
    columns: Mapping[str, str] | None = None,
) -> Iterator[SurveyWriter]:
    """A writer for ``path`` (format from the extension); ``with open_writer(...) as w: w.write(df)``.

    ``columns`` maps metadata roles to column names (default: the instrument's
    ``columns``); it only decides the variable labels of those columns.
    """
    fmt = survey_format(path)
    labels = Labels(instrument, columns)
    with atomic_path(path) as tmp:
        writer: _CsvWriter | _ParquetWriter | _XlsxWriter | _SavWriter
        if fmt == "csv":
            writer = _CsvWriter(tmp, csv_sep, csv_encoding, csv_decimal)
        elif fmt == "parquet":
            writer = _ParquetWriter(tmp, instrument)
        elif fmt == "xlsx":
            writer = _XlsxWriter(tmp, labels)
        else:
            writer = _SavWriter(tmp, labels)
        try:
            yield writer
        except BaseException:
            writer.abort()
            raise
        writer.close()


def write_survey(frame: pd.DataFrame, path: str | Path, instrument: Instrument, **kwargs: object) -> Path:
    """Write one DataFrame as a survey file (same options as :func:`open_writer`)."""
    with open_writer(path, instrument, **kwargs) as writer:  # type: ignore[arg-type]
        writer.write(frame)
    return Path(path)
