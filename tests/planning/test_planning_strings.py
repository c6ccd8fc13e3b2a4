"""Every fixed text of the planning workbook exists in English and German."""

from __future__ import annotations

import re
import string
from pathlib import Path

from ctc.planning.layout import SHEETS, TABLES
from ctc.planning.strings import MESSAGES, s
from ctc.planning.vocab import FIXED

SOURCES = [*Path("ctc/planning").glob("*.py"), Path("ctc/cli/programmes_cmd.py"), Path("ctc/cli/workbook_cmd.py")]


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_message_exists_in_english_and_german_with_the_same_placeholders() -> None:
    missing = [k for k, v in MESSAGES.items() if not v.get("en") or not v.get("de")]
    assert missing == []
    differ = [k for k, v in MESSAGES.items() if _fields(v["en"]) != _fields(v["de"])]
    assert differ == []


def test_every_literal_key_used_in_the_code_exists() -> None:
    used = set()
    for path in SOURCES:
        used |= set(re.findall(r"""\bs\(\s*"([a-z_.0-9]+)\"""", path.read_text(encoding="utf-8")))
    assert used and sorted(used - set(MESSAGES)) == []


def test_every_generated_key_exists() -> None:
    keys = [f"sheet.{sid}" for sid in SHEETS]
    keys += [f"about.{sid}" for sid in SHEETS if sid not in ("overview", "lists", "meta")]
    keys += [f.header_key for fields in TABLES.values() for f in fields]
    keys += [f"v.{lst}.{v}" for lst, values in FIXED.items() for v in values]
    keys += [f"{sid}.note" for sid in ("inventory", "actions", "partners", "evaluation", "unmatched")]
    keys += [f"plan.outcome.{k}" for k in ("risk", "protective")] + [f"overview.step{k}" for k in range(1, 7)]
    keys += [f"rule.{r}" for r in ("level", "excess", "clear")]
    assert sorted(set(keys) - set(MESSAGES)) == []


def test_sheet_names_are_valid_excel_names() -> None:
    for sid in SHEETS:
        for lang in ("en", "de"):
            name = s(f"sheet.{sid}", lang)
            assert 0 < len(name) <= 31 and not set(name) & set("[]:*?/\\'")
