"""The materials' own words exist in English and German, and every key used exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

from ctc.materials.strings import MESSAGES

PACKAGE = Path(__file__).resolve().parents[2] / "ctc" / "materials"


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_has_both_languages_with_the_same_placeholders() -> None:
    assert all(set(v) == {"en", "de"} and v["en"].strip() and v["de"].strip() for v in MESSAGES.values())
    assert [k for k, v in MESSAGES.items() if _fields(v["en"]) != _fields(v["de"])] == []


def test_every_key_used_in_code_and_templates_exists() -> None:
    used: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        used |= set(re.findall(r"""\bmsg\(\s*f?["']([a-z_][\w.]*)["']""", path.read_text(encoding="utf-8")))
    for path in PACKAGE.rglob("*.typ"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""\bs\.at\("([a-z_][\w.]*)"\)""", text))
        used |= {f"{a}.{b}" for a, b in re.findall(r"""\bs\.([a-z]+)\b(?:\.([a-z_]+))?""", text) if b} & set(MESSAGES)
    assert len(used) > 30
    assert sorted(k for k in used if "{" not in k and not k.endswith(".")) and sorted(
        k for k in used if k not in MESSAGES and not k.endswith(".")) == []
