"""Matching the board's entries of an existing workbook to the new data.

* Decisions (Priorities) are keyed by the factor id. A decision whose factor is no
  longer in the data, a second row for the same factor, or a row without a key goes
  to "Unmatched entries".
* Inventory, action-plan, partner and evaluation rows are keyed by their own id
  (``INV-0001``…) and always kept; rows without a key or with a repeated key get a new one.
* Values in columns the board added itself go to "Unmatched entries" (the new
  workbook has no such column); earlier unmatched entries are carried forward.
* Dropdown values are decoded to list ids (:class:`Coded`), so they are written again
  in the workbook's language even when labels or the language changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .book import Board
from .keep import Carried, final_key
from .layout import CONTEXT, KEY_PREFIX, TABLES, Field, format_key, key_number
from .read import Existing, Row
from .strings import s
from .vocab import Coded, Vocab, render

KEYED = tuple(KEY_PREFIX)  # inventory, actions, partners, evaluation


@dataclass(frozen=True)
class Moved:
    """An entry (one field value) moved to the "Unmatched entries" sheet."""

    sheet: str
    key: str
    field: str
    value: Any
    why: str
    title: str = ""  # the sheet's title in the previous workbook


@dataclass
class Merged:
    board: Board
    kept: dict[str, int] = field(default_factory=dict)
    moved: list[Moved] = field(default_factory=list)
    carried: int = 0
    rekeyed: list[tuple[str, str, str]] = field(default_factory=list)  # sheet, old key, new key
    decided: list[str] = field(default_factory=list)  # factor ids the board marked "priority"
    finals: dict[tuple[str, int], str] = field(default_factory=dict)  # (sheet, old row) → key in the new workbook
    carried_extras: Carried = field(default_factory=Carried)  # comments to put back (sheets, headers: after build)


def _decode(f: Field, v: Any, vocabs: Mapping[str, Vocab], lists: Mapping[str, Mapping[str, str]]) -> Any:
    if f.vocab is None or f.vocab not in vocabs or not isinstance(v, str):
        return v
    got = vocabs[f.vocab].parse(v, lists.get(f.vocab))
    return Coded(f.vocab, got) if got is not None else v


def _context(sheet: str, row: Row) -> str:
    parts = [row.values.get(k, row.data.get(k)) for k in CONTEXT.get(sheet, ())]
    return " / ".join(str(p) for p in parts if p is not None)


class _Mover:
    def __init__(self, existing: Existing, merged: Merged, vocabs: Mapping[str, Vocab], lang: str, today: dt.date) -> None:
        self.existing, self.merged, self.vocabs, self.lang, self.today = existing, merged, vocabs, lang, today

    def header(self, sheet: str, fid: str) -> str:
        found = self.existing.headers.get(sheet, {}).get(fid)
        return found or s(f"col.{fid}", self.lang)

    def move(self, sheet: str, row: Row, why: str, fields: Mapping[str, Any] | None = None) -> None:
        key = str(row.values.get("key") or "")
        values = dict(fields if fields is not None else {k: v for k, v in row.values.items() if k != "key"})
        for fid, v in values.items():
            self.add(sheet, key, _context(sheet, row), self.header(sheet, fid), v, why)

    def add_at(self, title: str, sheet: str, where: str, field_name: str, text: str, why: str) -> None:
        """A note or comment (by its cell) to "Unmatched entries"."""
        self.merged.board.tables.setdefault("unmatched", []).append({
            "from_sheet": title, "entry_key": where, "context": "", "field": field_name, "value": text,
            "why": why, "moved": self.today,
        })
        self.merged.moved.append(Moved(sheet, where, field_name, text, why, title))

    def add(self, sheet: str, key: str, context: str, field_name: str, v: Any, why: str) -> None:
        title = self.existing.sheet_titles.get(sheet) or s(f"sheet.{sheet}", self.lang)
        text = render(v, self.vocabs, self.lang)
        self.merged.board.tables.setdefault("unmatched", []).append({
            "from_sheet": title, "entry_key": key, "context": context, "field": field_name, "value": text,
            "why": why, "moved": self.today,
        })
        self.merged.moved.append(Moved(sheet, key, field_name, text, why, title))


def merge(existing: Existing, vocabs: Mapping[str, Vocab], factor_ids: set[str], lang: str,
          today: dt.date | None = None) -> Merged:
    """The board's entries for the new workbook (``factor_ids``: factors in the new data)."""
    merged = Merged(Board())
    mover = _Mover(existing, merged, vocabs, lang, today or dt.date.today())
    carried = [dict(r.values) for r in existing.tables.get("unmatched", [])]
    merged.board.tables["unmatched"] = carried
    merged.carried = len(carried)
    _decisions(existing, vocabs, factor_ids, merged, mover, lang)
    for sheet in KEYED:
        _keyed(existing, vocabs, sheet, merged, mover, lang)
    _notes_and_comments(existing, factor_ids, merged, mover, lang)
    return merged


def _notes_and_comments(existing: Existing, factor_ids: set[str], merged: Merged, mover: _Mover, lang: str) -> None:
    """Notes typed outside the tables go to "Unmatched entries"; comments go back on their
    entry when it is still there, else to "Unmatched entries"."""
    for n in existing.found.notes:
        mover.add_at(n.title, n.sheet or "", n.cell, s("field.note", lang), n.text, s("why.note", lang))
    for n in existing.found.comments:
        if n.sheet is None:
            continue  # a board-added sheet is copied with its comments
        key = final_key(n, merged.finals, factor_ids)
        if key is not None:
            merged.carried_extras.attach.append((n, key))
        else:
            where = f"{n.table_key} {n.cell}" if n.table_key else n.cell
            mover.add_at(n.title, n.sheet, where, s("field.comment", lang), n.text, s("why.comment", lang))


def _extras(mover: _Mover, sheet: str, row: Row, key: str) -> None:
    for header, v in row.extra.items():
        mover.add(sheet, key, _context(sheet, row), header, v, s("why.extra_column", mover.lang))


def _decisions(existing: Existing, vocabs, factor_ids, merged: Merged, mover: _Mover, lang: str) -> None:
    spec = TABLES["priorities"]
    seen: set[str] = set()
    kept = 0
    for row in existing.tables.get("priorities", []):
        key = str(row.values.get("key") or "").strip()
        values = {f.id: _decode(f, row.values[f.id], vocabs, existing.lists) for f in spec if f.role == "board" and f.id in row.values}
        if not key:
            mover.move("priorities", row, s("why.no_key", lang), values)
        elif key not in factor_ids:
            mover.move("priorities", row, s("why.factor_gone", lang), values)
        elif key in seen:
            mover.move("priorities", row, s("why.duplicate", lang), values)
        else:
            seen.add(key)
            if values:
                merged.board.decisions[key] = values
                kept += 1
                if values.get("decision") == Coded("decision", "priority"):
                    merged.decided.append(key)
        _extras(mover, "priorities", row, key)
    merged.kept["priorities"] = kept


def _keyed(existing: Existing, vocabs, sheet: str, merged: Merged, mover: _Mover, lang: str) -> None:
    spec = [f for f in TABLES[sheet] if f.role in ("key", "board")]
    rows = existing.tables.get(sheet, [])
    numbers = [key_number(sheet, r.values.get("key")) for r in rows]
    nxt = max([n for n in numbers if n is not None], default=0) + 1
    seen: set[int] = set()
    out = []
    for row, number in zip(rows, numbers):
        values = {f.id: _decode(f, row.values[f.id], vocabs, existing.lists) for f in spec if f.id in row.values}
        if number is None or number in seen:
            old = str(row.values.get("key") or "")
            number, nxt = nxt, nxt + 1
            merged.rekeyed.append((sheet, old, format_key(sheet, number)))
        seen.add(number)
        values["key"] = format_key(sheet, number)
        merged.finals[(sheet, row.row)] = values["key"]
        _extras(mover, sheet, row, values["key"])
        out.append(values)
    merged.board.tables[sheet] = out
    merged.kept[sheet] = len(out)
