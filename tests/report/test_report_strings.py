"""The report's own words exist in English and German, with the same placeholders."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from ctc.report.strings import MESSAGES, msg

PACKAGE = Path(__file__).resolve().parents[2] / "ctc" / "report"


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_exists_in_english_and_german() -> None:
    missing = [k for k, v in MESSAGES.items() if not v.get("en", "").strip() or not v.get("de", "").strip()]
    assert missing == []
    assert all(set(v) == {"en", "de"} for v in MESSAGES.values())


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_both_languages_take_the_same_placeholders(key: str) -> None:
    assert _fields(MESSAGES[key]["en"]) == _fields(MESSAGES[key]["de"])


def test_every_literal_key_used_in_code_and_templates_exists() -> None:
    used: set[str] = set()
    for path in [*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.j2")]:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""\b(?:msg|s)\(\s*["']([a-z_][\w.-]*)["']\s*[,)]""", text))
    assert used, "no message keys found: the scan is broken"
    assert sorted(used - set(MESSAGES)) == []


def test_unknown_language_falls_back_to_english_and_unknown_key_fails() -> None:
    assert msg("section.methods", "fr") == "Methods"
    with pytest.raises(KeyError):
        msg("no.such.key", "en")
