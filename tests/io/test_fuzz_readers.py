"""Fuzzing harness: no survey file, however broken, ends in a traceback.

Inputs are mutated with hypothesis from seeds: a small survey of the mini instrument
written as CSV (UTF-8 and German cp1252 ``;``), TSV, XLSX, SAV and Parquet, plus the
real-world files of XlsxWriter's, haven's and pyreadstat's test suites in
tests/data/real. Mutations: bytes flipped, overwritten, inserted, deleted, duplicated,
truncated, spliced from another seed; for workbooks also inside the zip (the sheet and
shared-strings XML), so that openpyxl gets past the zip layer. A second strategy writes
hypothesis-made tables (odd text, control characters, huge numbers, NaN/inf, dates,
booleans) in every format. Each input goes through the public entry of ``ctc profile``
up to estimation (:func:`ctc.profile.guard.guarded_run`: read, map, check, score, wave
and weight checks). It must either succeed or raise a :class:`ctc.errors.CtcError`
(which the CLI prints as one ``Error:`` line); anything else fails the test, and
hypothesis shrinks it to a minimal input.

Default: ``CTC_FUZZ_EXAMPLES`` = 200 per strategy (about 20-30 s). A campaign:
``CTC_FUZZ_EXAMPLES=10000 CTC_FUZZ_REPORT=fuzz.json pytest tests/io/test_fuzz_readers.py -s``.
The number of inputs tried is printed and, with ``CTC_FUZZ_REPORT``, written as JSON.
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pyreadstat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctc.errors import CtcError
from ctc.instrument import load_instrument
from ctc.profile.guard import guarded_run
from ctc.profile.options import ProfileOptions

DATA = Path(__file__).parent.parent / "data"
EXAMPLES = int(os.environ.get("CTC_FUZZ_EXAMPLES", "200"))
HEADER = ["rid", "town", "grade", "school", "gender", "weight", "a1", "a2", "Q_A3", "b1", "b2", "use_life", "use_30d", "fake"]
ROWS = [
    ["r1", "Müllheim", "6", "S1", "f", "1.25", "1", "2", "3", "1", "2", "1", "1", "1"],
    ["r2", "Groß-Gerau", "8", "S2", "m", "0.5", "4", "4", "1", "2", "2", "3", "2", "1"],
    ["r3", "Müllheim", "8", "S1", "f", "2", "x", "", "9", "1", "1", "4", "4", "1"],
    ["r4", "Groß-Gerau", "6", "S2", "m", "1", "2", "3", "2", "2", "1", "2", "1", "1"],
]
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])
TALLY: Counter[str] = Counter()


def _xlsx_bytes(frame: pd.DataFrame) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        ws.append([None if pd.isna(v) else v for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sav_bytes(frame: pd.DataFrame, tmp: Path) -> bytes:
    path = tmp / "seed.sav"
    pyreadstat.write_sav(frame, str(path))
    return path.read_bytes()


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> list[tuple[str, bytes]]:
    """(extension, bytes) of every seed file."""
    tmp = tmp_path_factory.mktemp("seeds")
    text = pd.DataFrame(ROWS, columns=HEADER)
    typed = text.assign(**{c: pd.to_numeric(text[c], errors="coerce") for c in HEADER[5:]})
    typed["grade"] = typed["grade"].astype(int)
    out = [
        (".csv", text.to_csv(index=False).encode("utf-8")),
        (".csv", text.to_csv(index=False, sep=";").replace(".", ",").encode("cp1252")),
        (".tsv", text.to_csv(index=False, sep="\t").encode("utf-8")),
        (".xlsx", _xlsx_bytes(text)),
        (".sav", _sav_bytes(typed, tmp)),
        (".parquet", _parquet_bytes(typed)),
    ]
    out += [(p.suffix, p.read_bytes()) for p in sorted((DATA / "real").iterdir()) if p.suffix in (".xlsx", ".sav")]
    return out


@pytest.fixture(scope="module")
def mini():
    return load_instrument(DATA / "mini.yaml")


# --------------------------------------------------------------------------- mutations


def _mutate(data: bytes, ops: list[tuple[str, int, int, bytes]], other: bytes) -> bytes:
    buf = bytearray(data)
    for op, a, b, blob in ops:
        n = max(len(buf), 1)
        i, j = a % n, (a % n) + b % 64
        if op == "flip":
            if buf:
                buf[i] ^= 1 << (b % 8)
        elif op == "set":
            buf[i:i + len(blob)] = blob
        elif op == "insert":
            buf[i:i] = blob
        elif op == "delete":
            del buf[i:j]
        elif op == "duplicate":
            buf[j:j] = buf[i:j]
        elif op == "truncate":
            del buf[i:]
        elif op == "splice":
            k = b % max(len(other), 1)
            buf[i:] = other[k:k + 4096]
    return bytes(buf)


def _mutate_inside_zip(data: bytes, ops, other: bytes) -> bytes:
    """Mutate the XML parts of a workbook and zip it again (past the zip layer, into openpyxl)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zin:
            parts = {n: zin.read(n) for n in zin.namelist()}
    except zipfile.BadZipFile:
        return _mutate(data, ops, other)
    targets = [n for n in parts if n.startswith("xl/worksheets/") or n in ("xl/sharedStrings.xml", "xl/workbook.xml",
                                                                         "xl/styles.xml", "[Content_Types].xml")]
    if not targets:
        return _mutate(data, ops, other)
    name = targets[ops[0][1] % len(targets)]
    parts[name] = _mutate(parts[name], ops, other)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for n, content in parts.items():
            zout.writestr(n, content)
    return buf.getvalue()


BLOBS = st.one_of(
    st.binary(min_size=1, max_size=12),
    st.sampled_from([b"\x00", b"\n", b"\r\n", b'"', b";", b",", b"\t", b"\xff\xfe", b"\xef\xbb\xbf", b"\xc3", b"\xfc",
                     b"NaN", b"-1", b"1e309", b"99999999999999999999", b"<", b"&", b"]]>", b"\x0b", b"9", b"0"]),
)
OPS = st.lists(st.tuples(st.sampled_from(["flip", "set", "insert", "delete", "duplicate", "truncate", "splice"]),
                         st.integers(0, 1 << 20), st.integers(0, 1 << 16), BLOBS), min_size=1, max_size=4)


def _check(path: Path, mini) -> None:
    """The property: the input is profiled up to estimation, or refused with a CtcError."""
    TALLY["tried"] += 1
    try:
        guarded_run(path, mini, ProfileOptions())
        TALLY["read"] += 1
    except CtcError as exc:
        TALLY["refused"] += 1
        words = re.sub(r"\S*[/\\]\S*|'[^']*'|\d[\d,.]*", "…", exc.message).split()  # paths, names, numbers out
        TALLY[f"refused: {type(exc).__name__}: {' '.join(words[:7])}"] += 1
    except Exception:
        TALLY["tracebacks"] += 1
        raise


def test_mutated_files_read_or_one_error(seeds, mini, tmp_path):
    @SETTINGS
    @given(seed=st.integers(0, len(seeds) - 1), other=st.integers(0, len(seeds) - 1), ops=OPS, inside=st.booleans())
    def one(seed, other, ops, inside):
        ext, data = seeds[seed]
        mutate = _mutate_inside_zip if ext == ".xlsx" and inside else _mutate
        path = tmp_path / f"input{ext}"
        path.write_bytes(mutate(data, ops, seeds[other][1]))
        _check(path, mini)

    one()


CELL = st.one_of(
    st.none(), st.text(max_size=8), st.sampled_from(["1", "2", "4", "9", "6", "8", "6. Klasse", " 8 ", "NA", "#NULL!",
                                                     "1,5", "-0", "inf", "nan", "\x0b", "\x00", "Mu\u0308llheim"]),
    st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
)


@st.composite
def tables(draw) -> pd.DataFrame:
    # the required columns mostly present, so that most tables get past the column mapping
    # the required and item columns mostly present, so that most tables reach the scorer
    required = [c for c in HEADER if draw(st.integers(0, 9)) > 0]
    others = draw(st.lists(st.sampled_from(["wave", "extra", "", "Rid", "town "]), max_size=3, unique=True))
    columns = draw(st.permutations(required + others)) if required or others else ["rid"]
    n = draw(st.integers(0, 6))
    # grades and weights mostly valid, so that many tables pass the guard and reach estimation's door
    usual = {"grade": st.sampled_from(["6", "8", 6, 8.0]), "weight": st.sampled_from(["1", "0.5", 2, 1.25])}
    data = {c: draw(st.lists(st.one_of(usual[c], CELL) if c in usual and draw(st.booleans()) else CELL,
                             min_size=n, max_size=n)) for c in columns}
    return pd.DataFrame(data, columns=columns)


def _typed(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Per column: numbers where every value is one, else text (as SPSS and Parquet need one type)."""
    out = {}
    for name, col in frame.items():
        numbers = pd.to_numeric(col, errors="coerce")
        if kind == "parquet" and len(col) and col.map(lambda v: isinstance(v, bool)).all():
            out[name] = col.astype(bool)
        elif numbers.notna().sum() == col.notna().sum() and kind != "sav-text":
            out[name] = numbers.astype("float64")
        else:
            out[name] = col.map(lambda v: None if v is None else str(v)).astype(object)
    return pd.DataFrame(out, columns=frame.columns)


def _write(frame: pd.DataFrame, fmt: str, path: Path) -> Path | None:
    try:
        if fmt == "csv":
            path.write_text(frame.to_csv(index=False), encoding="utf-8", errors="surrogatepass")
        elif fmt == "xlsx":
            path.write_bytes(_xlsx_bytes(frame.map(lambda v: v if not isinstance(v, str) else
                                                   "".join(ch for ch in v if ch >= " " or ch in "\t\n"))))
        elif fmt == "sav":
            clean = _typed(frame, "sav")
            clean.columns = [f"v{i}_{c}"[:60].replace("-", "_") if not str(c).isidentifier() else c
                             for i, c in enumerate(clean.columns)]
            pyreadstat.write_sav(clean, str(path))
        else:
            pq.write_table(pa.Table.from_pandas(_typed(frame, "parquet"), preserve_index=False), path)
    except (ValueError, TypeError, OverflowError, UnicodeError, pyreadstat.PyreadstatError,
            pyreadstat.ReadstatError, pa.ArrowException):
        return None  # the writer cannot make such a file: not an input anyone can have
    return path


def test_odd_tables_in_every_format_read_or_one_error(mini, tmp_path):
    @SETTINGS
    @given(frame=tables(), fmt=st.sampled_from(["csv", "xlsx", "sav", "parquet"]))
    def one(frame, fmt):
        path = _write(frame, fmt, tmp_path / f"table.{fmt}")
        if path is not None:
            _check(path, mini)

    one()


@pytest.fixture(scope="module", autouse=True)
def report():
    yield
    line = (f"fuzzing: {TALLY['tried']:,} inputs tried, {TALLY['read']:,} profiled up to estimation, "
            f"{TALLY['refused']:,} refused with one Error line, {TALLY['tracebacks']:,} tracebacks")
    print("\n" + line)
    if os.environ.get("CTC_FUZZ_REPORT"):
        Path(os.environ["CTC_FUZZ_REPORT"]).write_text(json.dumps({**TALLY, "summary": line}) + "\n", encoding="utf-8")
