"""Reading survey exports: ``.csv``/``.tsv``/``.txt``, ``.xlsx``, ``.sav``, ``.parquet``.

Every reader delivers the same thing (see ``docs/reading-data.md``):

* a :class:`SourceInfo` describing the file (format, encoding, delimiter, decimal
  mark, sheet, column names, SHA-256, SPSS value labels, row count when known);
* pandas DataFrames in chunks of at most ``ReadOptions.chunk_rows`` rows whose index
  is the **0-based data row position** in the file (first row below the header = 0),
  continued across chunks. Problem reports use ``row = index + 1``.
  :func:`iter_chunks` delivers the same rows as :class:`ctc.io.chunk.Chunk` objects;
  Parquet chunks stay Arrow record batches there, so the scorer reads integer code
  columns straight from their buffers.

Values are delivered *raw*, never silently dropped:

* text formats (CSV/TSV/XLSX): every column has pandas' string dtype; the scorer
  converts with ``pd.to_numeric(errors="coerce")`` and compares NA masks to find
  values that are not numbers (``x``, ``3a``). Use :func:`to_number` for columns
  that may carry a decimal comma (weights in a German ``;`` file);
* SPSS/Parquet: the file's own types are kept (numeric codes stay numbers; SPSS
  user-missing codes are kept as codes, value labels only go to ``SourceInfo``);
* in string columns of every format, surrounding white space is removed and the
  cells in :data:`NA_TOKENS` (empty, ``NA``, ``#NULL!``, ...) become NA.

Blank rows at the end of a CSV or Excel sheet (spreadsheet residue) are dropped;
blank rows elsewhere are kept so that row numbers stay true (the checks report them).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import itertools
import re
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal
from xml.etree.ElementTree import ParseError as XMLParseError

import numpy as np
import pandas as pd

from ..errors import DataError, ReadError, UsageError
from .chunk import NA_TOKENS as NA_TOKENS  # re-exported: part of this module's documented interface
from .chunk import ArrowChunk, Chunk, FrameChunk, clean_frame

Format = Literal["csv", "tsv", "xlsx", "sav", "parquet"]

#: File extension → format. ``.txt`` is read as delimited text like ``.csv``.
EXTENSIONS: dict[str, Format] = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".sav": "sav",
    ".zsav": "sav",
    ".parquet": "parquet",
    ".pq": "parquet",
}

#: Cell texts read as "no value" in string columns (after removing surrounding spaces).
#: ``#NULL!`` is SPSS's system-missing in Excel exports; ``.`` is Stata/SAS missing.

DELIMITERS = (",", ";", "\t", "|")
SAMPLE_BYTES = 64 * 1024
BLOCK_BYTES = 1024 * 1024
#: Single-byte encodings tried for text that is not UTF-8, in order of preference on a tie.
LEGACY_ENCODINGS = ("cp1252", "cp850", "latin_1")
SUPPORTED_HINT = "export the survey as CSV (UTF-8), .xlsx, SPSS .sav or .parquet"

MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "a PNG image"),
    (b"PK\x03\x04", "a ZIP archive (an .xlsx workbook is one: is the extension wrong?)"),
    (b"%PDF", "a PDF document"),
    (b"$FL2", "an SPSS .sav file (is the extension wrong?)"),
    (b"$FL3", "an SPSS .zsav file (is the extension wrong?)"),
    (b"PAR1", "a Parquet file (is the extension wrong?)"),
    (b"\x1f\x8b", "a gzip archive (unpack it first)"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls/OLE file (save it as .xlsx or CSV)"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)


# --------------------------------------------------------------------------- public types


@dataclass(frozen=True)
class ReadOptions:
    """How to read a survey file. ``None`` means "detect".

    ``sep``: delimiter of a text file (``","``, ``";"``, ``"\\t"``, ``"|"``; ``"tab"`` and
    ``"\\\\t"`` are accepted for tab). ``encoding``: any Python codec name.
    ``sheet``: an Excel sheet — a name, a number counting from 1 given as text
    (``"2"``, as typed on the command line), or an ``int`` counting from 0 (pandas
    convention); default the first sheet. ``decimal``: decimal mark of text files
    (``"."`` or ``","``). ``chunk_rows``: largest number of rows per chunk; by default
    500,000 for Parquet (compact, and the scorer works best on long columns) and
    200,000 for the other formats (whose rows are held as text or Python objects).
    """

    sep: str | None = None
    encoding: str | None = None
    sheet: str | int | None = None
    chunk_rows: int | None = None
    decimal: str | None = None

    def __post_init__(self) -> None:
        if self.sep is not None:
            sep = "\t" if self.sep in ("\\t", "tab", "TAB") else self.sep
            if len(sep) != 1 or sep in "\r\n\"":
                raise UsageError(f"--sep must be one character, got {self.sep!r}", "use e.g. --sep ';' or --sep tab")
            object.__setattr__(self, "sep", sep)
        if self.encoding is not None:
            try:
                codecs.lookup(self.encoding)
            except LookupError:
                raise UsageError(f"unknown encoding {self.encoding!r}", "use e.g. --encoding utf-8 or --encoding cp1252") from None
        if self.decimal is not None and self.decimal not in (".", ","):
            raise UsageError(f"decimal mark must be '.' or ',', got {self.decimal!r}")
        if self.chunk_rows is not None and (isinstance(self.chunk_rows, bool) or not isinstance(self.chunk_rows, int) or self.chunk_rows < 1):
            raise UsageError(f"chunk_rows must be a positive integer, got {self.chunk_rows!r}")


    def rows_for(self, fmt: str) -> int:
        """Rows per chunk for a file format (the option, or the format's default)."""
        if self.chunk_rows is not None:
            return self.chunk_rows
        return 500_000 if fmt == "parquet" else 200_000


@dataclass(frozen=True)
class SourceInfo:
    """What was read and how. Enough to reproduce the read and to cite the input."""

    path: Path
    format: Format
    columns: tuple[str, ...]
    sha256: str
    size_bytes: int
    encoding: str | None = None
    #: how the encoding was chosen: bom | utf-8 | detected | fallback | option | file (SPSS)
    encoding_method: str | None = None
    delimiter: str | None = None
    decimal: str = "."
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    #: SPSS value labels: column → {code: label}; empty for other formats
    value_labels: Mapping[str, Mapping[Any, str]] = field(default_factory=dict)
    #: number of data rows; ``None`` until known (CSV/XLSX are known only after reading)
    row_count: int | None = None
    #: 1-based line of the header in a text file (blank lines above it are skipped)
    header_line: int = 1
    #: human-readable remarks (guessed encoding, renamed duplicate columns, ...)
    notes: tuple[str, ...] = ()


# --------------------------------------------------------------------------- public functions


def probe_survey(path: str | Path, options: ReadOptions | None = None) -> SourceInfo:
    """Describe a survey file without reading its rows (header, encoding, hash, ...).

    Raises :class:`ReadError` for files that cannot be read at all. A file with a
    header but no rows is fine here (``ctc map suggest`` only needs the header).
    """
    options = options or ReadOptions()
    path = Path(path)
    fmt = _format_of(path)
    _check_file(path)
    return _READERS[fmt].probe(path, fmt, options)


def iter_chunks(path: str | Path, options: ReadOptions | None = None) -> tuple[SourceInfo, Iterator[Chunk]]:
    """The file's description and an iterator over its rows in :class:`Chunk` objects.

    The first chunk is read before returning, so unreadable files and files without
    data rows fail here with one clear error (``ReadError`` / ``DataError``).
    """
    options = options or ReadOptions()
    info = probe_survey(path, options)
    reader = _READERS[info.format]
    if info.format == "parquet":
        chunks: Iterator[Chunk] = (c for c in _parquet_chunks(info, options) if len(c))
    else:
        frames = _deliver(reader.chunks(info, options), drop_trailing_blank=info.format in ("csv", "tsv", "xlsx"))
        chunks = (FrameChunk(f) for f in frames)
    first = next(chunks, None)
    if first is None:
        raise DataError(
            f"{info.path}: no data rows (the file has a header but no rows below it)",
            "export the survey again including the answers",
        )
    return info, itertools.chain([first], chunks)


def iter_survey(path: str | Path, options: ReadOptions | None = None) -> tuple[SourceInfo, Iterator[pd.DataFrame]]:
    """Like :func:`iter_chunks`, with every chunk as a cleaned pandas DataFrame."""
    info, chunks = iter_chunks(path, options)
    return info, (c.frame() for c in chunks)


def read_survey(path: str | Path, options: ReadOptions | None = None) -> tuple[SourceInfo, pd.DataFrame]:
    """The whole file as one DataFrame (index = 0-based data row); ``row_count`` filled in."""
    info, chunks = iter_survey(path, options)
    frame = pd.concat(list(chunks))
    return replace(info, row_count=len(frame)), frame


def to_number(series: pd.Series, decimal: str = ".") -> pd.Series:
    """Numbers from raw values as float64; anything that is not a number becomes NaN.

    With ``decimal=","`` a decimal comma is accepted (``"1,25"`` → 1.25); values with a
    decimal point still read as usual. Thousands separators are not supported
    (``"1.000,5"`` → NaN, so it is reported rather than misread).
    """
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("float64")
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series.astype("float64")
    text = series.astype("str").str.strip()
    if decimal == ",":
        text = text.str.replace(",", ".", regex=False)
    return pd.to_numeric(text, errors="coerce").astype("float64")


# --------------------------------------------------------------------------- shared steps


def _format_of(path: Path) -> Format:
    suffix = path.suffix.lower()
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    listed = ", ".join(EXTENSIONS)
    special = {
        ".xls": "old Excel format: open it in Excel and save it as .xlsx (or CSV)",
        ".ods": "open it in LibreOffice and save it as .xlsx or CSV",
        ".dta": "Stata file: export it as CSV or .sav",
        ".gz": "unpack the archive first",
        ".zip": "unpack the archive first",
    }
    shown = suffix or "(none)"
    raise ReadError(f"{path}: unsupported file type '{shown}'; supported: {listed}", special.get(suffix, SUPPORTED_HINT))


def _check_file(path: Path) -> None:
    if not path.exists():
        raise ReadError(f"data file not found: {path}", "check the path and the file name")
    if path.is_dir():
        raise ReadError(f"{path} is a folder, not a data file", "give the path of the survey file itself")
    if path.stat().st_size == 0:
        raise ReadError(f"{path} is empty (0 bytes)", "export the survey data again; the file has no content")


@dataclass
class _Scan:
    sha256: str
    size: int
    first_bad: int | None  # byte offset of the first byte the checked codec cannot decode
    histogram: np.ndarray | None  # count of each byte value (text files only)


def _scan(path: Path, check_encoding: str | None = None) -> _Scan:
    """One streaming pass: SHA-256, and (for text) whether ``check_encoding`` decodes it all
    and how often each byte value occurs (the evidence for guessing a legacy encoding)."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder(check_encoding)() if check_encoding else None
    histogram = np.zeros(256, dtype=np.int64) if check_encoding else None
    first_bad, offset = None, 0
    with path.open("rb") as fh:
        while block := fh.read(BLOCK_BYTES):
            digest.update(block)
            if decoder is not None and first_bad is None:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError as exc:
                    first_bad = offset + max(exc.start, 0)
            if histogram is not None:
                histogram += np.bincount(np.frombuffer(block, dtype=np.uint8), minlength=256)
            offset += len(block)
    if decoder is not None and first_bad is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            first_bad = offset
    return _Scan(digest.hexdigest(), offset, first_bad, histogram)


def _sha256(path: Path) -> tuple[str, int]:
    scan = _scan(path)
    return scan.sha256, scan.size


def _deliver(raw: Iterator[pd.DataFrame], *, drop_trailing_blank: bool) -> Iterator[pd.DataFrame]:
    """Clean chunks; hold blank rows back until a non-blank row follows (trailing ones are dropped)."""
    pending: list[pd.DataFrame] = []
    for chunk in raw:
        chunk = clean_frame(chunk)
        if not drop_trailing_blank:
            if len(chunk):
                yield chunk
            continue
        blank = chunk.isna().all(axis=1).to_numpy()
        if blank.all():
            if len(chunk):
                pending.append(chunk)
            continue
        last = len(blank) - 1 - int(np.argmax(~blank[::-1]))
        out = pd.concat([*pending, chunk.iloc[: last + 1]]) if pending else chunk.iloc[: last + 1]
        pending = [chunk.iloc[last + 1 :]] if last + 1 < len(chunk) else []
        yield out


def _index(frame: pd.DataFrame, start: int) -> pd.DataFrame:
    frame.index = pd.RangeIndex(start, start + len(frame))
    return frame


@dataclass(frozen=True)
class _Reader:
    probe: Callable[[Path, Format, ReadOptions], SourceInfo]
    chunks: Callable[[SourceInfo, ReadOptions], Iterator[pd.DataFrame]]


# --------------------------------------------------------------------------- delimited text


def _probe_text(path: Path, fmt: Format, options: ReadOptions) -> SourceInfo:
    head = _head(path)
    encoding, method, scan, notes = _choose_encoding(path, head, options)
    text = _sample_text(head, encoding, complete=scan.size <= len(head))
    if not text.strip():
        raise ReadError(f"{path} contains no header line (only blank lines)", "export the survey data again")
    sep = options.sep or _sniff_delimiter(text, prefer_tab=fmt == "tsv")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")  # not splitlines(): \x0b, \x1c... are no line ends in CSV
    lead = next(i for i, line in enumerate(lines) if line)  # empty lines above the header (spreadsheet residue)
    if lead:
        notes.append(f"{lead} blank line(s) above the header were skipped")
    columns = _text_header(path, sep, encoding, text, explicit=options.sep is not None)
    raw_header = next(csv.reader([lines[lead]], delimiter=sep), [])
    dupes = sorted({c for c in raw_header if c and raw_header.count(c) > 1})
    if dupes:
        notes.append(f"duplicate column names {dupes}: later copies were renamed (name.1, name.2, ...)")
    decimal = options.decimal or _guess_decimal(text, sep)
    return SourceInfo(
        path=path, format=fmt, columns=columns, sha256=scan.sha256, size_bytes=scan.size,
        encoding=encoding, encoding_method=method, delimiter=sep, decimal=decimal, notes=tuple(notes),
        header_line=lead + 1,
    )


def _head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(SAMPLE_BYTES)


def _utf16_without_bom(head: bytes) -> str | None:
    even, odd = head[0::2], head[1::2]
    if len(head) < 4:
        return None
    if odd.count(0) > 0.3 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.3 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _reject_binary(path: Path, head: bytes) -> None:
    for magic, what in MAGIC:
        if head.startswith(magic):
            raise ReadError(f"{path} is not a text (CSV) file: it looks like {what}", SUPPORTED_HINT)
    controls = sum(head.count(bytes([b])) for b in range(32) if b not in (9, 10, 12, 13))
    if b"\x00" in head or controls > 0.01 * len(head):
        raise ReadError(f"{path} is not a text (CSV) file: it contains binary data", SUPPORTED_HINT)


def _choose_encoding(path: Path, head: bytes, options: ReadOptions) -> tuple[str, str, _Scan, list[str]]:
    """(codec, how it was chosen, scan of the whole file, notes)."""
    bom = _bom_encoding(head)
    if options.encoding:
        enc = codecs.lookup(options.encoding).name
        if enc == "utf-8" and bom == "utf-8-sig":
            enc = "utf-8-sig"
        if not enc.startswith(("utf-16", "utf-32")):
            _reject_binary(path, head)
        scan = _scan(path, enc)
        if scan.first_bad is not None:
            raise ReadError(
                f"{path} is not valid {options.encoding} text (undecodable byte at offset {scan.first_bad})",
                "leave out --encoding to let ctc detect it, or try --encoding cp1252",
            )
        return enc, "option", scan, []
    if bom is not None:
        return bom, "bom", _scan(path, bom), []
    utf16 = _utf16_without_bom(head)
    if utf16 is not None:
        return utf16, "detected", _scan(path, utf16), [f"encoding: UTF-16 without byte-order mark, read as {utf16}"]
    _reject_binary(path, head)
    scan = _scan(path, "utf-8")
    if scan.first_bad is None:
        return "utf-8", "utf-8", scan, []
    enc, method = _guess_legacy(path, head, scan)
    mixed = _mixed_lines(path, enc)
    if mixed is not None:
        utf8_line, legacy_line = mixed
        note = (f"encoding: the file mixes UTF-8 and {enc} lines (line {utf8_line} is UTF-8, line {legacy_line} is "
                f"{enc}); each line was read in its own encoding. Save the file as UTF-8 to be sure")
        return f"{MIXED_PREFIX}{enc}", "mixed", scan, [note]
    note = f"encoding: not UTF-8; read as {enc} ({'best guess' if method == 'detected' else 'fallback'}); pass --encoding to override"
    return enc, method, scan, [note]


# Mixed files: rows appended in Excel (cp1252) to a UTF-8 export, or the reverse. A line
# of German text in cp1252 is practically never valid UTF-8 (that would need a byte
# C2–F4 followed by 80–BF, e.g. "Ã¼"), so "UTF-8 where the line decodes, else the legacy
# encoding" reads both kinds right. Decoding works line by line through a codec that
# pandas uses like any other (registered once, below).
MIXED_PREFIX = "ctc_utf8_or_"


def _mixed_lines(path: Path, legacy: str) -> tuple[int, int] | None:
    """(first UTF-8 line, first legacy line), 1-based physical lines, when the file has both kinds
    of non-ASCII line; else None."""
    first_utf8 = first_legacy = None
    with path.open("rb") as fh:
        for number, line in enumerate(fh, 1):
            if line.isascii():
                continue
            try:
                line.decode("utf-8")
                first_utf8 = first_utf8 or number
            except UnicodeDecodeError:
                first_legacy = first_legacy or number
            if first_utf8 and first_legacy:
                return first_utf8, first_legacy
    return None


def _decode_lines(data: bytes, legacy: str, errors: str = "strict") -> str:
    out = []
    for line in data.splitlines(keepends=True):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(line.decode(legacy, errors))
    return "".join(out)


def _mixed_codec(name: str) -> codecs.CodecInfo | None:
    if not name.startswith(MIXED_PREFIX):
        return None
    legacy = codecs.lookup(name.removeprefix(MIXED_PREFIX)).name

    def decode(data: bytes, errors: str = "strict") -> tuple[str, int]:
        return _decode_lines(bytes(data), legacy, errors), len(data)

    class Decoder(codecs.BufferedIncrementalDecoder):
        def _buffer_decode(self, data: bytes, errors: str, final: bool) -> tuple[str, int]:
            cut = len(data) if final else bytes(data).rfind(b"\n") + 1  # whole lines only
            return _decode_lines(bytes(data[:cut]), legacy, errors), cut

    utf8 = codecs.lookup("utf-8")
    return codecs.CodecInfo(encode=utf8.encode, decode=decode, incrementalencoder=utf8.incrementalencoder,
                            incrementaldecoder=Decoder, name=name)


codecs.register(_mixed_codec)


def _bom_encoding(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _letter_score(histogram: np.ndarray, encoding: str) -> int | None:
    """Bytes ≥ 0x80 that decode to letters (ü, ß, é) count +1, others (³, ▀, „, controls) −1;
    ``None`` when a byte is undefined in ``encoding``. Whole-file evidence, no sampling."""
    score = 0
    for byte in np.flatnonzero(histogram[128:]) + 128:
        try:
            char = bytes([int(byte)]).decode(encoding)
        except UnicodeDecodeError:
            return None
        score += int(histogram[byte]) * (1 if char.isalpha() else -1)
    return score


def _guess_legacy(path: Path, head: bytes, scan: _Scan) -> tuple[str, str]:
    """The legacy encoding under which the file's non-ASCII bytes are most often letters.

    charset-normalizer alone misjudges survey exports (mostly digits and a few town
    names: a cp1252 "Müllheim" came out as cp850 "M³llheim"), so it only breaks ties.
    """
    assert scan.histogram is not None
    scores = {enc: _letter_score(scan.histogram, enc) for enc in LEGACY_ENCODINGS}
    valid = {enc: sc for enc, sc in scores.items() if sc is not None}
    top = max(valid.values())
    tied = [enc for enc, sc in valid.items() if sc == top]
    if len(tied) == 1:
        return codecs.lookup(tied[0]).name, "detected"
    from charset_normalizer import from_bytes

    window = head
    if scan.first_bad is not None and scan.first_bad >= len(head):  # include the first non-ASCII text
        with path.open("rb") as fh:
            fh.seek(max(0, scan.first_bad - SAMPLE_BYTES // 2))
            window = head + b"\n" + fh.read(SAMPLE_BYTES)
    best = from_bytes(window, cp_isolation=tied).best()
    if best is not None:
        return codecs.lookup(best.encoding).name, "detected"
    return codecs.lookup(tied[0]).name, "fallback"


def _sample_text(head: bytes, encoding: str, *, complete: bool) -> str:
    text = head.decode(encoding, errors="ignore")
    if not complete and "\n" in text:
        text = text[: text.rindex("\n")]  # the last line may be cut
    return text.lstrip("\ufeff")


def _fields(line: str, sep: str) -> int:
    return len(next(csv.reader([line], delimiter=sep), []))


def _sniff_delimiter(text: str, *, prefer_tab: bool) -> str:
    """csv.Sniffer restricted to , ; tab |; if it fails or finds no split of the header,
    the candidate that splits the header into the most fields (ties: , ; tab |)."""
    lines = [ln for ln in text.splitlines() if ln.strip()][:50]
    header = lines[0]
    if prefer_tab and _fields(header, "\t") > 1:
        return "\t"
    try:
        sep: str | None = csv.Sniffer().sniff("\n".join(lines), delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sep = None
    if sep is not None and _fields(header, sep) > 1:
        return sep
    counts = {d: _fields(header, d) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: counts[d])  # max keeps the first of equal counts


def _text_header(path: Path, sep: str, encoding: str, text: str, *, explicit: bool) -> tuple[str, ...]:
    try:
        columns = pd.read_csv(path, sep=sep, encoding=encoding, dtype=str, nrows=0).columns
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ReadError(f"{path}: cannot read the header line ({_short(exc)})", "check --sep and --encoding") from None
    if len(columns) < 2:
        first = text.splitlines()[0][:60]
        shown = "\\t" if sep == "\t" else sep
        hint = (f"the header has no '{shown}': check --sep" if explicit
                else "pass the delimiter with --sep, e.g. --sep ';' or --sep tab")
        raise ReadError(f"{path}: found only one column ({first!r}); the delimiter was not recognised", hint)
    return tuple(str(c) for c in columns)


_COMMA_DECIMAL = re.compile(r"^[+-]?\d+,\d+$")
_POINT_DECIMAL = re.compile(r"^[+-]?\d*\.\d+$")


def _guess_decimal(text: str, sep: str) -> str:
    """',' when the sample shows decimal commas and no decimal points; ';' files default to ','."""
    if sep == ",":
        return "."
    cells = [c.strip() for row in itertools.islice(csv.reader(text.splitlines()[1:], delimiter=sep), 2000) for c in row]
    commas = sum(1 for c in cells if _COMMA_DECIMAL.match(c))
    points = sum(1 for c in cells if _POINT_DECIMAL.match(c))
    if commas and not points:
        return ","
    if points and not commas:
        return "."
    return "," if sep == ";" else "."


def _text_chunks(info: SourceInfo, options: ReadOptions) -> Iterator[pd.DataFrame]:
    start = 0
    try:
        with pd.read_csv(
            info.path, sep=info.delimiter, encoding=info.encoding, dtype=str, na_filter=False,
            skip_blank_lines=False, skiprows=info.header_line - 1, chunksize=options.rows_for("csv"),
        ) as reader:
            for chunk in reader:
                yield _index(chunk, start)
                start += len(chunk)
    except pd.errors.ParserError as exc:
        raise ReadError(f"{info.path}: cannot parse {_parse_place(exc, start)}",
                        "a row has more fields than the header: check the delimiter (--sep) and quoting") from None
    except UnicodeDecodeError as exc:
        raise ReadError(f"{info.path}: cannot decode the text as {info.encoding} ({exc.reason})", "pass --encoding") from None
    except pd.errors.EmptyDataError:
        raise ReadError(f"{info.path} contains no header line", "export the survey data again") from None


_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def _parse_place(exc: BaseException, start: int) -> str:
    """Where parsing failed, in the 1-based terms of the docs: pandas counts file lines
    (the header is line 1), so data row = line - 1 (exact unless a quoted value spans lines)."""
    found = _FIELDS.search(str(exc))
    if found:
        want, line, saw = (int(g) for g in found.groups())
        return f"line {line} (data row {line - 1}): expected {want} fields like the header, found {saw}"
    return f"the data rows from row {start + 1} on: {_short(exc)}"


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text.removeprefix("Error tokenizing data. C error: ")


# --------------------------------------------------------------------------- Excel


def _excel_errors() -> tuple[type[BaseException], ...]:
    from openpyxl.utils.exceptions import InvalidFileException

    # OSError: seeks past the start of a damaged zip (EINVAL); ValueError/TypeError/IndexError: openpyxl on
    # damaged sheet XML (found by tests/io/test_fuzz_readers.py). The file itself was read before (SHA-256),
    # so these are never permission problems.
    return (zipfile.BadZipFile, InvalidFileException, KeyError, XMLParseError, EOFError, OSError, ValueError,
            TypeError, IndexError, AttributeError, zlib.error,
            NotImplementedError, RuntimeError,  # zipfile: unknown zip version or compression; encrypted entries
            SyntaxError)  # lxml's XMLSyntaxError: openpyxl parses with lxml when it is installed (python-pptx brings it)


def _open_workbook(path: Path) -> Any:
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except _excel_errors() as exc:
        raise ReadError(
            f"{path} is not a readable Excel workbook ({_short(exc) or type(exc).__name__})",
            "open it in Excel and save it again as .xlsx, or export the data as CSV",
        ) from None


def _pick_sheet(path: Path, names: list[str], sheet: str | int | None) -> str:
    if not names:
        raise ReadError(f"{path} is not a readable Excel workbook (it lists no sheets)",
                        "open it in Excel and save it again as .xlsx, or export the data as CSV")
    if sheet is None:
        return names[0]
    if isinstance(sheet, int):
        if 0 <= sheet < len(names):
            return names[sheet]
    elif sheet in names:
        return sheet
    else:
        folded = [n for n in names if n.casefold() == sheet.strip().casefold()]
        if len(folded) == 1:
            return folded[0]
        if sheet.strip().isdigit() and 1 <= int(sheet) <= len(names):
            return names[int(sheet) - 1]
    raise ReadError(
        f"sheet '{sheet}' not found in {path}; sheets: {', '.join(names)}",
        "pass --sheet with one of these names (or its position, counting from 1)",
    )


def _excel_header(cells: Iterable[Any]) -> tuple[str, ...]:
    values = list(cells)
    while values and (values[-1] is None or str(values[-1]).strip() == ""):
        values.pop()
    names: list[str] = []
    for i, v in enumerate(values):
        name = "" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)).strip()
        name = name or f"Unnamed: {i}"
        base, k = name, 1
        while name in names:
            name, k = f"{base}.{k}", k + 1
        names.append(name)
    return tuple(names)


def _probe_excel(path: Path, fmt: Format, options: ReadOptions) -> SourceInfo:
    sha, size = _sha256(path)
    wb = _open_workbook(path)
    try:
        sheet = _pick_sheet(path, list(wb.sheetnames), options.sheet)
        ws = wb[sheet]
        if not hasattr(ws, "iter_rows"):
            raise ReadError(f"sheet '{sheet}' in {path} is a chart, not a table", "pass --sheet with a data sheet")
        ws.reset_dimensions()  # do not trust the stored size; read to the real end
        try:
            first = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
        except _excel_errors() as exc:
            raise ReadError(f"{path} is not a readable Excel workbook ({_short(exc)})", "save it again as .xlsx") from None
        columns = _excel_header(first)
        sheets = tuple(wb.sheetnames)
    finally:
        wb.close()
    if not columns:
        raise ReadError(f"sheet '{sheet}' in {path} is empty (no header row)", "pass --sheet with the sheet that holds the data")
    notes = ()
    if len(columns) < 2:
        notes = ("only one column found in the sheet",)
    return SourceInfo(path=path, format=fmt, columns=columns, sha256=sha, size_bytes=size, sheet=sheet,
                      sheets=sheets, notes=notes)


def _excel_frame(rows: list[tuple[Any, ...]], columns: tuple[str, ...], start: int) -> pd.DataFrame:
    width = len(columns)
    # openpyxl gives a blank row as an empty list, others as tuples; cells right of the
    # last named column are ignored
    fixed = [(tuple(r) + (None,) * width)[:width] for r in rows]
    frame = pd.DataFrame(fixed, columns=list(columns), dtype=object)
    for name in frame.columns:
        frame[name] = frame[name].astype("str")
    return _index(frame, start)


def _sheet_rows(info: SourceInfo, ws: Any) -> Iterator[tuple[Any, ...]]:
    """openpyxl's rows; its errors on a damaged sheet become one ReadError (only here, so a bug
    in our own code is never reported as a damaged file)."""
    rows = ws.iter_rows(min_row=2, values_only=True)
    position = 0
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except _excel_errors() as exc:
            raise ReadError(f"{info.path}: the sheet is damaged at data row {position + 1} ({_short(exc) or type(exc).__name__})",
                            "open it in Excel and save it again") from None
        position += 1
        yield row


def _excel_chunks(info: SourceInfo, options: ReadOptions) -> Iterator[pd.DataFrame]:
    wb = _open_workbook(info.path)
    try:
        ws = wb[info.sheet]
        ws.reset_dimensions()
        rows: list[tuple[Any, ...]] = []
        start = 0
        for row in _sheet_rows(info, ws):
            rows.append(row)
            if len(rows) >= options.rows_for("xlsx"):
                yield _excel_frame(rows, info.columns, start)
                start, rows = start + len(rows), []
        if rows:
            yield _excel_frame(rows, info.columns, start)
    finally:
        wb.close()


# --------------------------------------------------------------------------- SPSS


def _sav_error(path: Path, exc: BaseException) -> ReadError:
    return ReadError(f"{path} is not a readable SPSS file ({_short(exc) or type(exc).__name__})",
                     "open it in SPSS/PSPP and save it again, or export the data as CSV")


def _sav_errors() -> tuple[type[BaseException], ...]:
    import pyreadstat

    # OverflowError/ValueError: values pyreadstat cannot convert (seen on damaged files)
    return (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, OverflowError, ValueError, UnicodeDecodeError)


#: SPSS date/time formats (ADATE10, DATETIME20, TIME11.2, ...): such columns are read as
#: SPSS numbers (seconds since 14 October 1582) — pyreadstat's conversion to Python dates
#: overflows on dates after year 9999 (haven's datetime.sav), and no instrument role is a date.
_SPSS_DATE_FORMATS = re.compile(r"^(DATE|ADATE|EDATE|JDATE|SDATE|QYR|MOYR|WKYR|DATETIME|YMDHMS|TIME|DTIME|WKDAY|MONTH)\d", re.I)


def _plain_code(code: Any) -> Any:
    return int(code) if isinstance(code, float) and code.is_integer() else code


def _probe_sav(path: Path, fmt: Format, options: ReadOptions) -> SourceInfo:
    import pyreadstat

    sha, size = _sha256(path)
    kw = {"encoding": options.encoding} if options.encoding else {}
    try:
        _, meta = pyreadstat.read_sav(str(path), metadataonly=True, user_missing=True, **kw)
    except _sav_errors() as exc:
        raise _sav_error(path, exc) from None
    if any(not isinstance(c, str) for c in meta.column_names or ()):
        raise _sav_error(path, ValueError("a variable has no name"))
    labels = {col: {_plain_code(k): str(v) for k, v in vl.items()}
              for col, vl in (meta.variable_value_labels or {}).items()}
    rows = meta.number_rows if isinstance(meta.number_rows, int) and meta.number_rows >= 0 else None
    notes: tuple[str, ...] = ("SPSS user-missing values are kept as codes; the instrument's 'missing' lists decide",)
    dates = [c for c, f in (meta.original_variable_types or {}).items() if _SPSS_DATE_FORMATS.match(str(f))]
    if dates:
        notes += (f"SPSS date/time columns read as SPSS numbers (dates: seconds since 1582-10-14, times: seconds): {', '.join(dates)}",)
    return SourceInfo(path=path, format=fmt, columns=tuple(meta.column_names), sha256=sha, size_bytes=size,
                      encoding=meta.file_encoding or options.encoding,
                      encoding_method="option" if options.encoding else "file",
                      value_labels=labels, row_count=rows, notes=notes)


def _sav_chunks(info: SourceInfo, options: ReadOptions) -> Iterator[pd.DataFrame]:
    import pyreadstat

    kw = {"encoding": options.encoding} if options.encoding else {}
    start = 0
    try:
        for chunk, _meta in pyreadstat.read_file_in_chunks(
            pyreadstat.read_sav, str(info.path), chunksize=options.rows_for("sav"),
            user_missing=True, apply_value_formats=False, disable_datetime_conversion=True, **kw,
        ):
            yield _index(chunk, start)
            start += len(chunk)
    except _sav_errors() as exc:
        raise _sav_error(info.path, exc) from None


# --------------------------------------------------------------------------- Parquet


def _parquet_error(path: Path, exc: BaseException) -> ReadError:
    return ReadError(f"{path} is not a readable Parquet file ({_short(exc)})", "write the file again, or export CSV")


def _probe_parquet(path: Path, fmt: Format, options: ReadOptions) -> SourceInfo:
    import pyarrow as pa
    import pyarrow.parquet as pq

    sha, size = _sha256(path)
    try:
        with pq.ParquetFile(path) as pf:
            columns = tuple(pf.schema_arrow.names)
            rows = pf.metadata.num_rows
    except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:  # a column name that is not UTF-8
        raise _parquet_error(path, exc) from None
    return SourceInfo(path=path, format=fmt, columns=columns, sha256=sha, size_bytes=size, row_count=rows)


def _parquet_chunks(info: SourceInfo, options: ReadOptions) -> Iterator[ArrowChunk]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    start = 0
    try:
        with pq.ParquetFile(info.path) as pf:
            for batch in pf.iter_batches(batch_size=options.rows_for("parquet")):
                yield ArrowChunk(batch, start)
                start += batch.num_rows
    except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:  # a column name that is not UTF-8
        raise _parquet_error(info.path, exc) from None


@dataclass(frozen=True)
class ParquetPart:
    """Rows ``start``–``stop`` of a Parquet file, read where the work runs (a Dask worker):
    the same rows as the chunk :func:`iter_chunks` gives there, without passing through the client."""

    path: Path
    start: int
    stop: int

    def __len__(self) -> int:
        return self.stop - self.start

    def read(self) -> ArrowChunk:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            with pq.ParquetFile(self.path) as pf:
                meta = pf.metadata
                groups, first, at = [], None, 0
                for i in range(meta.num_row_groups):
                    n = meta.row_group(i).num_rows
                    if at < self.stop and at + n > self.start:
                        groups.append(i)
                        first = at if first is None else first
                    at += n
                table = pf.read_row_groups(groups).slice(self.start - (first or 0), len(self)).combine_chunks()
        except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:
            raise _parquet_error(self.path, exc) from None
        batches = table.to_batches()
        batch = batches[0] if len(batches) == 1 else pa.RecordBatch.from_pylist([], schema=table.schema)
        return ArrowChunk(batch, self.start)


def parquet_parts(info: SourceInfo, options: ReadOptions | None = None) -> Iterator[ParquetPart]:
    """The chunks of :func:`iter_chunks` for a Parquet file, as row ranges to read elsewhere."""
    size = (options or ReadOptions()).rows_for("parquet")
    rows = info.row_count or 0
    return (ParquetPart(Path(info.path), a, min(a + size, rows)) for a in range(0, rows, size))


_READERS: dict[str, _Reader] = {
    "csv": _Reader(_probe_text, _text_chunks),
    "tsv": _Reader(_probe_text, _text_chunks),
    "xlsx": _Reader(_probe_excel, _excel_chunks),
    "sav": _Reader(_probe_sav, _sav_chunks),
    "parquet": _Reader(_probe_parquet, _parquet_chunks),  # type: ignore[arg-type]  # Arrow chunks, see iter_chunks
}
