"""Where things are in the planning workbook: sheet ids, names, and the board tables' fields.

Every table the reader needs carries a hidden *field-id row* directly above its header
row: the first cell is ``ctc:<sheet id>``, the others are field ids. The reader finds
tables by that row, never by sheet name, position or (translated) header text, so a
board may rename sheets, move columns or insert rows and its entries are still found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FORMAT = "ctc-planning/1"
MARK = "ctc:"

#: sheet ids in workbook order (names: strings.py ``sheet.<id>``)
SHEETS = ("overview", "profile", "behaviours", "priorities", "matches", "inventory", "gaps", "actions",
          "partners", "evaluation", "waves", "quality", "unmatched", "lists", "meta")
HIDDEN = ("lists", "meta")
#: sheets whose rows the board owns (kept on update)
BOARD_TABLES = ("inventory", "actions", "partners", "evaluation", "unmatched")

TITLE_ROW, NOTE_ROW, ID_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3, 4, 5

Role = Literal["key", "board", "data"]
Check = Literal["list", "whole", "decimal", "date", "year", "percent"] | None


@dataclass(frozen=True)
class Field:
    """One column of a table. ``role``: key (stable row key), board (typed by the board,
    kept on update) or data (rewritten from the survey data)."""

    id: str
    width: int = 14
    role: Role = "board"
    vocab: str | None = None  # list id for a dropdown
    strict: bool = True  # dropdown: reject other values (False: warn only, any text allowed)
    check: Check = None
    fmt: str | None = None

    @property
    def header_key(self) -> str:
        return f"col.{self.id}"


def _key(width: int = 10) -> Field:
    return Field("key", width, "key")


PCT = "0.0"
DATE = "yyyy-mm-dd"
MONEY = "#,##0"

PRIORITIES = (
    _key(), Field("kind", 14, "data"), Field("label", 38, "data"), Field("pct", 8, "data", fmt=PCT),
    Field("ci_low", 8, "data", fmt=PCT), Field("ci_high", 8, "data", fmt=PCT), Field("baseline_pct", 10, "data", fmt=PCT),
    Field("diff_pp", 10, "data", fmt=PCT), Field("q_value", 8, "data", fmt="0.000"), Field("rank_level", 8, "data"),
    Field("rank_excess", 8, "data"), Field("rank_clear", 9, "data"), Field("top_share", 10, "data", fmt="0%"),
    Field("shortlisted", 10, "data"), Field("reason", 60, "data"), Field("top_n", 6, "data"),
    Field("decision", 14, vocab="decision"), Field("rationale", 48),
)

INVENTORY = (
    _key(), Field("provider", 24), Field("programme", 26), Field("setting", 16, vocab="setting"),
    Field("age_from", 8, check="whole"), Field("age_to", 8, check="whole"), Field("continuum", 13, vocab="continuum"),
    Field("reach", 10, check="whole"), Field("funding", 20), Field("evidence", 22, vocab="evidence"),
    Field("factor_1", 30, vocab="factor"), Field("factor_2", 30, vocab="factor"), Field("factor_3", 30, vocab="factor"),
    Field("notes", 30),
)

ACTIONS = (
    _key(), Field("outcome", 40), Field("indicator", 32, vocab="indicator"), Field("population", 18),
    Field("baseline", 9, check="percent", fmt=PCT), Field("baseline_year", 8, check="year"),
    Field("target", 9, check="percent", fmt=PCT), Field("target_year", 8, check="year"), Field("source", 20),
    Field("programme", 26, vocab="programme", strict=False), Field("partner", 24, vocab="partner", strict=False),
    Field("cost", 11, check="decimal", fmt=MONEY), Field("start", 11, check="date", fmt=DATE),
    Field("end", 11, check="date", fmt=DATE), Field("latest", 10, "data", fmt=PCT), Field("latest_year", 8, "data"),
    Field("wave_verdict", 24, "data"),
)

PARTNERS = (
    _key(), Field("organisation", 30), Field("sector", 22, vocab="sector"), Field("role", 28),
    Field("contact", 22), Field("contact_details", 26), Field("commitments", 40),
)

EVALUATION = (
    _key(), Field("programme", 26, vocab="programme", strict=False), Field("evaltype", 30, vocab="evaltype"),
    Field("measure", 36), Field("eval_source", 24), Field("eval_target", 20), Field("responsible", 22, vocab="partner", strict=False),
    Field("due", 12), Field("notes", 30), Field("wave_result", 40, "data"),
)

UNMATCHED = (
    Field("from_sheet", 20), Field("entry_key", 14), Field("context", 30), Field("field", 22), Field("value", 36),
    Field("why", 40), Field("moved", 12, fmt=DATE),
)

TABLES: dict[str, tuple[Field, ...]] = {
    "priorities": PRIORITIES, "inventory": INVENTORY, "actions": ACTIONS, "partners": PARTNERS,
    "evaluation": EVALUATION, "unmatched": UNMATCHED,
}
KEY_PREFIX = {"inventory": "INV", "actions": "ACT", "partners": "PRT", "evaluation": "EVL"}
#: empty rows offered at least (the board may insert more rows inside the table)
CAPACITY = {"inventory": 200, "actions": 60, "partners": 60, "evaluation": 60, "unmatched": 0}
SPARE = {"inventory": 100, "actions": 30, "partners": 30, "evaluation": 30, "unmatched": 0}
#: what identifies an entry for a human in the "Unmatched entries" sheet
CONTEXT = {"priorities": ("label",), "inventory": ("provider", "programme"), "actions": ("outcome", "indicator"),
           "partners": ("organisation",), "evaluation": ("programme", "measure")}


def board_fields(sheet: str) -> tuple[Field, ...]:
    return tuple(f for f in TABLES[sheet] if f.role == "board")


def field(sheet: str, field_id: str) -> Field:
    return next(f for f in TABLES[sheet] if f.id == field_id)


def column_of(sheet: str, field_id: str) -> int:
    """1-based column of a field in a freshly written table."""
    return next(k for k, f in enumerate(TABLES[sheet], start=1) if f.id == field_id)


def format_key(sheet: str, number: int) -> str:
    return f"{KEY_PREFIX[sheet]}-{number:04d}"


def key_number(sheet: str, key: object) -> int | None:
    """The number of a key like ``INV-0012`` (None for anything else)."""
    if not isinstance(key, str):
        return None
    prefix = KEY_PREFIX[sheet] + "-"
    tail = key.strip()[len(prefix):]
    if not key.strip().upper().startswith(prefix) or not tail.isdigit():
        return None
    return int(tail)
