"""The board's priorities followed over survey waves: the "Priorities over time" sheet.

The values come from the output folder of ``ctc compare`` (``compare.csv``,
``trends.csv``, ``waves/<wave>/profile.csv``) — published, protected numbers only.
The sheet is tool-owned: it has no field-id row, so nothing in it is ever read back
as a board entry, and it is rewritten on every update. The folder is recorded in the
hidden Meta sheet (``compare.folder``) so a later update without ``--compare`` reads
it again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from ..compare.strings import s as cs
from ..errors import UsageError
from ..excel import DASH, put, title, widths, write_table
from ..profile.estimate import ALL
from .book import NOTE_FONT, Book, value
from .vocab import Coded

PCT = "0.0"


@dataclass(frozen=True)
class WaveValues:
    """The pooled (all grades, all genders) rows of one municipality in a comparison."""

    folder: Path
    run: str  # the comparison's "created" stamp (its manifest), "" when unknown
    waves: tuple[str, ...]
    pair: tuple[str, str]  # (earlier, later) wave of the two-wave comparison
    cells: pd.DataFrame  # wave, indicator_type, indicator_id, n, pct, ci_low, ci_high, suppressed
    compare: pd.DataFrame  # compare.csv rows
    trends: pd.DataFrame | None  # trends.csv rows


def _csv(path: Path) -> pd.DataFrame:
    # `ctc profile` updates one workbook per municipality from the same comparison: read each file once
    return _read(str(path.resolve()), path.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _read(path: str, _mtime_ns: int) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"municipality": str, "grade": str, "gender": str, "indicator_id": str,
                                    "wave_a": str, "wave_b": str}, keep_default_na=True)


def _of(frame: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """The rows of one indicator ("kind:id")."""
    kind, _, fid = indicator.partition(":")
    return frame[(frame["indicator_type"] == kind) & (frame["indicator_id"] == fid)]


def _pooled(frame: pd.DataFrame, municipality: str) -> pd.DataFrame:
    m = (frame["municipality"].astype(str) == municipality) & (frame["grade"].astype(str) == ALL) \
        & (frame["gender"].astype(str) == ALL)
    return frame[m]


def _truthy(v: Any) -> bool:
    return str(v).strip().lower() in ("true", "1", "yes")


def read_compare(folder: str | Path, municipality: str, instrument_id: str) -> WaveValues:
    """The comparison in ``folder`` for ``municipality``; raises :class:`UsageError` when
    the folder is no ``ctc compare`` output, lacks the municipality or compared another instrument."""
    folder = Path(folder)
    if not (folder / "compare.csv").is_file():
        raise UsageError(f"{folder} holds no compare.csv", "give the output folder of 'ctc compare' (--compare OUTDIR)")
    manifest: dict[str, Any] = {}
    if (folder / "manifest.json").is_file():
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    used = {str(v).split()[0] for v in (manifest.get("instruments") or {}).values() if str(v).strip()}
    if used and instrument_id not in used:
        raise UsageError(f"the comparison in {folder} was made with instrument {', '.join(sorted(used))}, "
                         f"not with {instrument_id}",
                         "compare the waves with the instrument of the profile run ('ctc compare --instrument')")
    compare = _pooled(_csv(folder / "compare.csv"), municipality)
    if compare.empty:
        raise UsageError(f"municipality {municipality} is not in {folder / 'compare.csv'}",
                         "give the comparison that includes this municipality")
    waves = tuple(str(w) for w in manifest.get("waves") or sorted(set(compare["wave_a"]) | set(compare["wave_b"])))
    pair = (str(compare["wave_a"].iloc[0]), str(compare["wave_b"].iloc[0]))
    cells = []
    for wave in waves:
        path = folder / "waves" / wave / "profile.csv"
        if path.is_file():
            cells.append(_pooled(_csv(path), municipality).assign(wave=wave))
    trends = _pooled(_csv(folder / "trends.csv"), municipality) if (folder / "trends.csv").is_file() else None
    frame = pd.concat(cells, ignore_index=True) if cells else pd.DataFrame(
        columns=["wave", "indicator_type", "indicator_id", "n", "pct", "ci_low", "ci_high", "suppressed"])
    return WaveValues(folder, str(manifest.get("created") or ""), waves, pair, frame, compare, trends)


def meta(values: WaveValues | None) -> dict[str, str]:
    """What the hidden Meta sheet records about the comparison."""
    if values is None:
        return {}
    return {"compare.folder": str(values.folder.resolve()), "compare.run": values.run,
            "compare.waves": ";".join(values.waves)}


def _num(v: Any, hidden: bool) -> Any:
    if hidden:
        return DASH
    v = value(v)
    return DASH if v is None else float(v)


def chosen(book: Book, rows: list[dict[str, Any]] | None = None) -> list[tuple[str, str]]:
    """(action key, "kind:id") of every action-plan row linked to an indicator, in sheet order."""
    out = []
    for row in book.board.tables.get("actions", []) if rows is None else rows:
        ind = row.get("indicator")
        if isinstance(ind, Coded) and ind.list == "indicator" and ":" in ind.id:
            out.append((str(row.get("key") or ""), ind.id))
    return out


def rows_for(book: Book, values: WaveValues, key: str, indicator: str) -> list[list[Any]]:
    """One row per wave: % and interval; on the later wave of the pair the change and verdict;
    on the last wave the trend."""
    fid = indicator.partition(":")[2]
    vocab = book.vocabs["indicator"]
    label = vocab.label(indicator, book.lang) if indicator in vocab.labels else fid
    cells, cmp_row = _of(values.cells, indicator), _of(values.compare, indicator)
    trend = None
    if values.trends is not None:
        t = _of(values.trends, indicator)
        if len(t):
            code = t["trend"].iloc[0]
            trend = cs(f"trend.{code}", book.lang) if isinstance(code, str) and code else cs("trend.none", book.lang)
    out = []
    for wave in values.waves:
        c = cells[cells["wave"] == wave]
        hidden = bool(len(c)) and _truthy(c["suppressed"].iloc[0])
        pct, lo, hi = ((_num(c[k].iloc[0], hidden) for k in ("pct", "ci_low", "ci_high")) if len(c) else (None, None, None))
        change: list[Any] = [None, None, None, None]
        if wave == values.pair[1] and len(cmp_row):
            r = cmp_row.iloc[0]
            shown = r["verdict"] not in ("not-shown", "not-comparable")
            change = [_num(r[k], not shown) for k in ("diff_pp", "diff_ci_low", "diff_ci_high")]
            change.append(cs(f"verdict.{r['verdict']}", book.lang))
        out.append([key, label, wave, pct, lo, hi, *change, trend if wave == values.waves[-1] else None])
    return out


def waves_sheet(book: Book, values: WaveValues) -> None:
    ws = book.sheet("waves")
    title(ws, f"{book.s('sheet.waves')} — {book.ctx.municipality}")
    put(ws, 2, 1, book.s("waves.note", waves=", ".join(values.waves), a=values.pair[0], b=values.pair[1],
                         folder=values.folder.name))
    ws.cell(row=2, column=1).font = NOTE_FONT
    head = [book.s(f"col.w.{c}") for c in ("key", "indicator", "wave", "pct", "ci_low", "ci_high", "change",
                                            "change_low", "change_high", "verdict", "trend")]
    rows = [r for key, ind in chosen(book) for r in rows_for(book, values, key, ind)]
    nxt = write_table(ws, 4, head, rows, {4: PCT, 5: PCT, 6: PCT, 7: PCT, 8: PCT, 9: PCT})
    if not rows:
        put(ws, nxt, 1, book.s("waves.none"))
        ws.cell(row=nxt, column=1).font = NOTE_FONT
    widths(ws, [10, 40, 8, 8, 9, 9, 10, 10, 10, 22, 20])
    ws.freeze_panes = "C5"


def latest_verdicts(book: Book, values: WaveValues | None, rows: list[dict[str, Any]]) -> dict[str, str]:
    """Action key → "2024→2026: better" for its indicator (the action plan's data column)."""
    if values is None:
        return {}
    out = {}
    for key, ind in chosen(book, rows):
        r = _of(values.compare, ind)
        if len(r):
            verdict = cs(f"verdict.{r['verdict'].iloc[0]}", book.lang)
            out[key] = f"{values.pair[0]}→{values.pair[1]}: {verdict}"
    return out


def community_result(book: Book, values: WaveValues | None) -> str | None:
    """The verdicts of the Action plan's indicators, counted (the Evaluation plan's community-outcome rows)."""
    if values is None:
        return None
    codes = []
    for ind in dict.fromkeys(i for _, i in chosen(book)):
        r = _of(values.compare, ind)
        if len(r):
            codes.append(str(r["verdict"].iloc[0]))
    count = {k: codes.count(k) for k in ("better", "worse", "no-clear-change")}
    return book.s("waves.result", a=values.pair[0], b=values.pair[1], better=count["better"], worse=count["worse"],
                  same=count["no-clear-change"], other=len(codes) - sum(count.values()), sheet=book.s("sheet.waves"))
